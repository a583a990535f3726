"""Access and refresh tokens as HS256 JWTs (PyJWT).

Decoding accepts HS256 only (never the token header's choice: no `none`, no other family),
and a token must carry every claim this codec writes, with this server's issuer and
audience, and not be past its expiry."""

from datetime import UTC, datetime
from uuid import UUID

import jwt

from domain.errors import Unauthenticated
from ports.identity import Role, TokenClaims, TokenKind

_ALGORITHM = "HS256"
DEFAULT_ISSUER = "parla"
DEFAULT_AUDIENCE = "parla-api"
_REQUIRED = ["iss", "aud", "exp", "iat", "sub", "sid", "typ", "jti", "role"]


class JwtTokenCodec:
    def __init__(
        self,
        secret: str,
        leeway_seconds: int = 0,
        *,
        issuer: str = DEFAULT_ISSUER,
        audience: str = DEFAULT_AUDIENCE,
    ) -> None:
        if len(secret) < 32:
            raise ValueError("The token signing secret must be at least 32 characters")
        self._secret = secret
        self._leeway = leeway_seconds
        self._issuer = issuer
        self._audience = audience

    def encode(self, claims: TokenClaims) -> str:
        return jwt.encode(
            {
                "iss": self._issuer,
                "aud": self._audience,
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
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": _REQUIRED, "strict_aud": True},
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
        except (ValueError, TypeError, OverflowError, OSError):
            raise Unauthenticated("Invalid token") from None
