"""Social sign-in: verifies Google and Apple ID tokens (JWTs signed with the keys the provider
publishes as a JWKS) and Facebook user access tokens (opaque, checked with the Graph API).

Every `verify` raises `Unauthenticated` for a token that is invalid, expired or meant for another
app, and `ServiceUnavailable` when the provider can't be reached or answers nonsense; no httpx or
PyJWT exception escapes."""

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import jwt

from domain.errors import ServiceUnavailable, Unauthenticated
from ports.identity import AuthProvider, SocialIdentity

logger = logging.getLogger(__name__)

_TIMEOUT = httpx.Timeout(5.0)
_CLOCK_SKEW_SECONDS = 60
_HTTP_ERRORS = (httpx.HTTPError, httpx.InvalidURL)


def _http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=_TIMEOUT)


def _is_true(value: Any) -> bool:
    """Google and Apple send boolean claims either as JSON booleans or as "true"/"false"."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class JwksKeySet:
    """The signing keys a provider publishes at a JWKS URL, fetched lazily and cached.

    Keys are kept for `ttl_seconds`. A `kid` missing from the cache triggers one refetch (the
    provider may have rotated its keys), at most once per `refetch_interval_seconds`, so tokens
    with made-up kids can't make us hammer the provider. Raises
    `ServiceUnavailable(unavailable_message)` when the JWKS can't be fetched or parsed."""

    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        unavailable_message: str,
        ttl_seconds: float = 3600,
        refetch_interval_seconds: float = 60,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._http = http
        self._unavailable_message = unavailable_message
        self._ttl = ttl_seconds
        self._refetch_interval = refetch_interval_seconds
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._forced_refetch_at: float | None = None
        self._lock = asyncio.Lock()

    async def get(self, kid: str) -> jwt.PyJWK | None:
        """The key with this `kid`, or None when the provider doesn't publish it."""
        if self._is_fresh() and kid in self._keys:
            return self._keys[kid]
        # One fetch at a time: requests that waited find the keys the first one fetched.
        async with self._lock:
            if not self._is_fresh():
                await self._fetch()
            elif kid not in self._keys and self._may_force_refetch():
                # Counted on the attempt, not on success, so the limit also holds while the
                # provider is failing.
                self._forced_refetch_at = self._clock()
                await self._fetch()
            return self._keys.get(kid)

    def _is_fresh(self) -> bool:
        return self._fetched_at is not None and self._clock() - self._fetched_at < self._ttl

    def _may_force_refetch(self) -> bool:
        return (
            self._forced_refetch_at is None
            or self._clock() - self._forced_refetch_at >= self._refetch_interval
        )

    async def _fetch(self) -> None:
        try:
            response = await self._http.get(self._url)
        except _HTTP_ERRORS as exc:
            logger.warning("JWKS fetch from %s failed: %r", self._url, exc)
            raise ServiceUnavailable(self._unavailable_message) from exc
        if response.status_code != 200:
            logger.warning("JWKS fetch from %s answered %s", self._url, response.status_code)
            raise ServiceUnavailable(self._unavailable_message)
        try:
            self._keys = self._parse(response.json())
        except (ValueError, jwt.PyJWTError) as exc:
            logger.warning("JWKS from %s is unusable: %r", self._url, exc)
            raise ServiceUnavailable(self._unavailable_message) from exc
        self._fetched_at = self._clock()

    @staticmethod
    def _parse(document: Any) -> dict[str, jwt.PyJWK]:
        if not isinstance(document, dict):
            raise ValueError("the JWKS is not a JSON object")
        keys = {
            key.key_id: key
            for key in jwt.PyJWKSet.from_dict(document)
            if isinstance(key.key_id, str) and key.public_key_use in (None, "sig")
        }
        if not keys:
            raise ValueError("the JWKS holds no signing key with a kid")
        return keys


class _IdTokenProvider:
    """Verifies OpenID Connect ID tokens: RS256 signature by a key of the provider's JWKS,
    `aud` one of our client ids, `iss` the provider, `exp`/`iat` within 60 s of clock skew."""

    provider: AuthProvider
    _label: str
    _issuers: frozenset[str]
    _jwks_url: str
    # Whether the provider's ID tokens carry the user's name and picture.
    _profile_claims = True

    def __init__(
        self,
        client_ids: Iterable[str],
        jwks_url: str | None = None,
        http: httpx.AsyncClient | None = None,
        keys_ttl_seconds: float = 3600,
    ) -> None:
        """`jwks_url` defaults to the provider's published key set."""
        self._client_ids = [client_id for client_id in client_ids if client_id]
        if not self._client_ids:
            raise ValueError(f"{self._label} sign-in needs at least one client id")
        self._owns_http = http is None
        self._http = http if http is not None else _http_client()
        self._keys = JwksKeySet(
            jwks_url or self._jwks_url,
            self._http,
            unavailable_message=f"{self._label} sign-in is unavailable",
            ttl_seconds=keys_ttl_seconds,
        )

    async def verify(self, token: str) -> SocialIdentity:
        return self._identity(await self._claims(token))

    async def aclose(self) -> None:
        """Closes the HTTP client if this provider created it."""
        if self._owns_http:
            await self._http.aclose()

    def _identity(self, claims: dict[str, Any]) -> SocialIdentity:
        return SocialIdentity(
            provider=self.provider,
            subject=claims["sub"],
            email=_str_or_none(claims.get("email")),
            email_verified=_is_true(claims.get("email_verified")),
            name=_str_or_none(claims.get("name")) if self._profile_claims else None,
            picture_url=_str_or_none(claims.get("picture")) if self._profile_claims else None,
        )

    def _invalid(self) -> Unauthenticated:
        return Unauthenticated(f"Invalid {self._label} token")

    async def _claims(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise self._invalid() from exc
        if not isinstance(kid, str):
            raise self._invalid()
        key = await self._keys.get(kid)
        if key is None:
            raise self._invalid()
        try:
            return jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self._client_ids,
                issuer=self._issuers,
                leeway=_CLOCK_SKEW_SECONDS,
                options={"require": ["iss", "aud", "sub", "exp", "iat"]},
            )
        except jwt.PyJWTError as exc:
            raise self._invalid() from exc


class GoogleIdentityProvider(_IdTokenProvider):
    """Verifies Google ID tokens issued to one of `client_ids` (web, iOS, Android clients)."""

    provider = AuthProvider.GOOGLE
    _label = "Google"
    _issuers = frozenset({"accounts.google.com", "https://accounts.google.com"})
    _jwks_url = "https://www.googleapis.com/oauth2/v3/certs"


class AppleIdentityProvider(_IdTokenProvider):
    """Verifies Sign in with Apple ID tokens issued to one of `client_ids` (the app's bundle id,
    the web Services ID). Apple puts no name in the token (the app receives it once, on the
    first sign-in), so `name` is always None."""

    provider = AuthProvider.APPLE
    _label = "Apple"
    _issuers = frozenset({"https://appleid.apple.com"})
    _jwks_url = "https://appleid.apple.com/auth/keys"
    _profile_claims = False


# Graph API errors that mean "slow down" rather than "bad token".
_GRAPH_THROTTLING_CODES = frozenset({4, 17, 32, 613})


class FacebookIdentityProvider:
    """Verifies Facebook user access tokens issued to our app (`app_id`).

    The token is checked with `GET /debug_token` (valid, issued to `app_id`, a user token), then
    the profile is read with `GET /me`. Facebook only returns confirmed emails, so a returned
    email counts as verified; users may withhold it, leaving `email` None."""

    provider = AuthProvider.FACEBOOK

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        graph_url: str = "https://graph.facebook.com",
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not app_id or not app_secret:
            raise ValueError("Facebook sign-in needs an app id and an app secret")
        self._app_id = str(app_id)
        self._app_secret = app_secret
        self._graph_url = graph_url.rstrip("/")
        self._owns_http = http is None
        self._http = http if http is not None else _http_client()

    async def verify(self, token: str) -> SocialIdentity:
        if not isinstance(token, str) or not token:
            raise self._invalid()
        debug = await self._graph_get(
            "debug_token",
            {"input_token": token, "access_token": f"{self._app_id}|{self._app_secret}"},
        )
        data = debug.get("data")
        if not isinstance(data, dict):
            raise self._unavailable("debug_token answered without data")
        user_id = data.get("user_id")
        if (
            data.get("is_valid") is not True
            or str(data.get("app_id")) != self._app_id
            or data.get("type", "USER") != "USER"
            or not user_id
        ):
            raise self._invalid()

        # appsecret_proof proves the call comes from the app's server; Graph demands it when the
        # app enables "Require App Secret", and accepts it otherwise.
        proof = hmac.new(self._app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        me = await self._graph_get(
            "me",
            {"fields": "id,name,email,picture", "access_token": token, "appsecret_proof": proof},
        )
        if str(me.get("id")) != str(user_id):
            raise self._invalid()
        email = _str_or_none(me.get("email"))
        return SocialIdentity(
            provider=self.provider,
            subject=str(user_id),
            email=email,
            email_verified=email is not None,
            name=_str_or_none(me.get("name")),
            picture_url=self._picture_url(me.get("picture")),
        )

    async def aclose(self) -> None:
        """Closes the HTTP client if this provider created it."""
        if self._owns_http:
            await self._http.aclose()

    @staticmethod
    def _picture_url(picture: Any) -> str | None:
        data = picture.get("data") if isinstance(picture, dict) else None
        # The default silhouette is no picture of the user.
        if not isinstance(data, dict) or data.get("is_silhouette") is True:
            return None
        return _str_or_none(data.get("url"))

    async def _graph_get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        """The JSON object Graph answers with; Unauthenticated when Graph rejects the token."""
        try:
            response = await self._http.get(f"{self._graph_url}/{path}", params=params)
        except _HTTP_ERRORS as exc:
            # The exception can carry the request URL, which holds the app secret.
            raise self._unavailable(f"GET /{path} failed: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise self._unavailable(f"GET /{path} answered {response.status_code}, not JSON")
        if response.status_code == 200:
            return body
        error = body.get("error") if isinstance(body.get("error"), dict) else {}
        code = error.get("code")
        if (
            response.status_code >= 500
            or response.status_code == 429
            or code in _GRAPH_THROTTLING_CODES
            or error.get("is_transient") is True
        ):
            raise self._unavailable(f"GET /{path} answered {response.status_code} code {code}")
        if path == "debug_token" and code == 190:
            # debug_token reports a bad user token inside `data` (is_valid false); an
            # OAuthException 190 at the top means Graph refused our app id|secret.
            raise self._unavailable(f"the app credentials were refused: {error.get('message')}")
        raise self._invalid()

    @staticmethod
    def _invalid() -> Unauthenticated:
        return Unauthenticated("Invalid Facebook token")

    @staticmethod
    def _unavailable(reason: str) -> ServiceUnavailable:
        logger.warning("Facebook sign-in is unavailable: %s", reason)
        return ServiceUnavailable("Facebook sign-in is unavailable")
