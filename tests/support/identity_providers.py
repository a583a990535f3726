"""Local stand-ins for social login providers: Google's and Apple's JWKS endpoints
(publishing a test's own RSA keys) and the Graph API's debug_token and me endpoints (in
Facebook's wire format), served over real HTTP on loopback."""

import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

GOOGLE_CLIENT_ID = "parla-web.apps.googleusercontent.com"
GOOGLE_ISSUER = "https://accounts.google.com"
APPLE_CLIENT_ID = "app.parla.ios"
APPLE_ISSUER = "https://appleid.apple.com"
FB_APP_ID = "1234567890"
FB_APP_SECRET = "fb-app-secret"
FB_OTHER_APP_ID = "9999999999"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def jwk(self) -> dict[str, Any]:
        public = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(
            claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid}
        )


def new_signing_key(kid: str) -> SigningKey:
    return SigningKey(kid, rsa.generate_private_key(public_exponent=65537, key_size=2048))


def google_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": GOOGLE_ISSUER,
        "azp": GOOGLE_CLIENT_ID,
        "aud": GOOGLE_CLIENT_ID,
        "sub": "110169484474386276334",
        "email": "ada@example.com",
        "email_verified": True,
        "name": "Ada Lovelace",
        "picture": "https://lh3.googleusercontent.com/a/ada",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return claims


def apple_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": APPLE_ISSUER,
        "aud": APPLE_CLIENT_ID,
        "sub": "001234.abcdef0123456789.1234",
        "email": "x7k2@privaterelay.appleid.com",
        "email_verified": "true",
        "is_private_email": "true",
        "auth_time": now,
        "iat": now,
        "exp": now + 600,
    }
    claims.update(overrides)
    return claims


@dataclass
class FacebookToken:
    app_id: str
    user_id: str
    is_valid: bool = True
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeProviders:
    """What the local server publishes; tests change it while the server runs."""

    google_keys: list[dict[str, Any]] = field(default_factory=list)
    apple_keys: list[dict[str, Any]] = field(default_factory=list)
    jwks_status: int = 200
    jwks_body: bytes | None = None
    graph_status: int | None = None
    delay_seconds: float = 0.0
    facebook_tokens: dict[str, FacebookToken] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _graph_error(message: str, code: int, **extra: Any) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            **extra,
            "fbtrace_id": "AbCdEfGhIjK",
        }
    }


def _debug_token(state: FakeProviders, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if query.get("access_token") != f"{FB_APP_ID}|{FB_APP_SECRET}":
        return 400, _graph_error("Invalid OAuth access token signature.", 190)
    token = state.facebook_tokens.get(query.get("input_token", ""))
    if token is None:
        return 200, {
            "data": {
                "error": {"code": 190, "message": "Invalid OAuth access token."},
                "is_valid": False,
                "scopes": [],
            }
        }
    now = int(time.time())
    data: dict[str, Any] = {
        "app_id": token.app_id,
        "type": "USER",
        "application": "Parla",
        "data_access_expires_at": now + 90 * 86400,
        "expires_at": now + 3600,
        "is_valid": token.is_valid,
        "scopes": ["email", "public_profile"],
        "user_id": token.user_id,
    }
    if not token.is_valid:
        data["error"] = {
            "code": 190,
            "message": "Error validating access token: Session has expired.",
            "subcode": 463,
        }
        data["expires_at"] = now - 60
    return 200, {"data": data}


def _me(state: FakeProviders, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
    access_token = query.get("access_token", "")
    token = state.facebook_tokens.get(access_token)
    if token is None or not token.is_valid:
        return 400, _graph_error("Invalid OAuth access token - Cannot parse access token", 190)
    proof = hmac.new(FB_APP_SECRET.encode(), access_token.encode(), hashlib.sha256).hexdigest()
    if query.get("appsecret_proof") != proof:
        return 400, _graph_error("Invalid appsecret_proof provided in the API argument", 100)
    profile = {"id": token.user_id, **token.profile}
    fields = query.get("fields", "id").split(",")
    return 200, {name: profile[name] for name in fields if name in profile}


def provider_settings(url: str) -> dict[str, str]:
    """The settings that point Parla's social sign-in at the stand-ins served at `url`."""
    return {
        "google_client_id": GOOGLE_CLIENT_ID,
        "google_jwks_url": f"{url}/google/certs",
        "apple_client_id": APPLE_CLIENT_ID,
        "apple_jwks_url": f"{url}/apple/keys",
        "facebook_app_id": FB_APP_ID,
        "facebook_app_secret": FB_APP_SECRET,
        "facebook_graph_url": f"{url}/graph",
    }


def start_provider_server(state: FakeProviders) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            with state.lock:
                state.hits[url.path] += 1
            if state.delay_seconds:
                time.sleep(state.delay_seconds)
            if url.path in ("/google/certs", "/apple/keys"):
                keys = state.google_keys if url.path == "/google/certs" else state.apple_keys
                body = state.jwks_body or json.dumps({"keys": keys}).encode()
                self._send(state.jwks_status, body)
            elif url.path.startswith("/graph/") and state.graph_status is not None:
                error = _graph_error(
                    "An unexpected error has occurred. Please retry your request later.",
                    2,
                    is_transient=True,
                )
                self._send(state.graph_status, json.dumps(error).encode())
            elif url.path == "/graph/debug_token":
                self._send(*self._json(*_debug_token(state, query)))
            elif url.path == "/graph/me":
                self._send(*self._json(*_me(state, query)))
            else:
                self._send(404, b'{"error": "not found"}')

        @staticmethod
        def _json(status: int, body: dict[str, Any]) -> tuple[int, bytes]:
            return status, json.dumps(body).encode()

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    return server
