"""Access and refresh tokens as HS256 JWTs (PyJWT)."""

from datetime import UTC, datetime
from uuid import UUID

import jwt

from domain.errors import Unauthenticated
from ports.identity import Role, TokenClaims, TokenKind

_ALGORITHM = "HS256"
_ISSUER = "parla"


class JwtTokenCodec:
    def __init__(self, secret: str, leeway_seconds: int = 0) -> None:
        if len(secret) < 32:
            raise ValueError("The token signing secret must be at least 32 characters")
        self._secret = secret
        self._leeway = leeway_seconds

    def encode(self, claims: TokenClaims) -> str:
        return jwt.encode(
            {
                "iss": _ISSUER,
                "sub": str(claims.user_id),
                "sid": str(claims.session_id),
                "role": claims.role.value,
                "typ": claims.kind,
                "jti": claims.token_id,
                "iat": int(claims.issued_at.timestamp()),
                "exp": int(claims.expires_at.timestamp()),
            },
            self._secret,
            algorithm=_ALGORITHM,
        )

    def decode(self, token: str, kind: TokenKind) -> TokenClaims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                leeway=self._leeway,
                options={"require": ["exp", "iat", "sub", "sid", "typ", "jti", "role"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("Token has expired") from None
        except jwt.InvalidTokenError:
            raise Unauthenticated("Invalid token") from None
        if payload["typ"] != kind:
            raise Unauthenticated(f"Expected a {kind} token")
        try:
            return TokenClaims(
                kind=kind,
                user_id=UUID(payload["sub"]),
                session_id=UUID(payload["sid"]),
                role=Role(payload["role"]),
                token_id=str(payload["jti"]),
                issued_at=datetime.fromtimestamp(payload["iat"], UTC),
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        except (ValueError, TypeError):
            raise Unauthenticated("Invalid token") from None
