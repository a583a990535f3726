"""Access and refresh tokens as HS256 JWTs (PyJWT).

Decoding accepts HS256 only (never the token header's choice: no `none`, no other family),
and a token must carry every claim this codec writes, with this server's issuer and
audience, and not be past its expiry.

A client sends the same access token with every request until it expires, and checking its
signature costs more than the rest of a cached read: the claims of tokens found valid are kept
(a bounded LRU keyed by the token itself), and only the expiry is checked again."""

import functools
import time
from datetime import UTC, datetime
from uuid import UUID

import jwt

from domain.errors import Unauthenticated
from ports.identity import Role, TokenClaims, TokenKind

_ALGORITHM = "HS256"
DEFAULT_ISSUER = "parla"
DEFAULT_AUDIENCE = "parla-api"
_REQUIRED = ["iss", "aud", "exp", "iat", "sub", "sid", "typ", "jti", "role"]
VERIFIED_TOKENS_KEPT = 4096


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
        self._verified = functools.lru_cache(maxsize=VERIFIED_TOKENS_KEPT)(self._verify)

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
        claims = self._verified(token)
        # PyJWT's own expiry rule, applied on every use of a kept token.
        if claims.expires_at.timestamp() <= time.time() - self._leeway:
            raise Unauthenticated("Token has expired")
        if claims.kind != kind:
            raise Unauthenticated(f"Expected a {kind} token")
        return claims

    def _verify(self, token: str) -> TokenClaims:
        """The claims of a token signed by this server, whatever its expiry. Raises
        Unauthenticated (never kept by the cache: only valid tokens are)."""
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                leeway=self._leeway,
                options={"require": _REQUIRED, "strict_aud": True, "verify_exp": False},
            )
        except jwt.InvalidTokenError:
            raise Unauthenticated("Invalid token") from None
        try:
            return TokenClaims(
                kind=payload["typ"],
                user_id=UUID(payload["sub"]),
                session_id=UUID(payload["sid"]),
                role=Role(payload["role"]),
                token_id=str(payload["jti"]),
                issued_at=datetime.fromtimestamp(payload["iat"], UTC),
                expires_at=datetime.fromtimestamp(payload["exp"], UTC),
            )
        except (ValueError, TypeError, OverflowError, OSError):
            raise Unauthenticated("Invalid token") from None
