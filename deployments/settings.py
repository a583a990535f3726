"""Every setting, read from the environment (or .env); each one switches one adapter."""

import os
import secrets
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = Field(
        default=None, description="Base of absolute URLs handed to clients (audio links)."
    )
    var_dir: Path = Path("var")
    database_url: str | None = None
    database_pool_size: int = 20
    redis_url: str | None = None
    nats_url: str | None = Field(
        default=None,
        description="NATS with JetStream: the event bus and real-time fan-out of every replica.",
    )
    nats_stream: str = "PARLA_EVENTS"
    nats_subject_prefix: str = "parla"
    blob_dir: Path | None = None
    secret_key: str | None = Field(default=None, min_length=32)
    access_token_expire_minutes: int = Field(default=60, ge=1)
    refresh_token_expire_days: int = Field(default=7, ge=1)
    google_client_id: str | None = None
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    apple_client_id: str | None = None
    apple_jwks_url: str = "https://appleid.apple.com/auth/keys"
    facebook_app_id: str | None = None
    facebook_app_secret: str | None = None
    facebook_graph_url: str = "https://graph.facebook.com"
    speech_provider: Literal["pocketsphinx", "azure"] = "pocketsphinx"
    azure_speech_key: str | None = None
    azure_speech_region: str | None = None
    speech_scoring_timeout_seconds: float = Field(default=60, gt=0)
    demo_content: bool = True
    log_level: str = "INFO"

    @model_validator(mode="after")
    def _provider_is_configured(self) -> Self:
        # A named provider without its credentials is a start-up error, never a fallback.
        if self.speech_provider == "azure" and not (
            self.azure_speech_key and self.azure_speech_region
        ):
            raise ValueError("SPEECH_PROVIDER=azure needs AZURE_SPEECH_KEY and AZURE_SPEECH_REGION")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.var_dir.resolve() / 'parla.db'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return (self.blob_dir or self.var_dir / "blobs").resolve()

    @property
    def resolved_public_base_url(self) -> str:
        return self.public_base_url or f"http://{self.host}:{self.port}"

    def resolved_secret_key(self) -> str:
        """SECRET_KEY, or one generated once and kept in var/secret_key so that restarts and
        every replica on this machine agree."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir.resolve() / "secret_key"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
        return path.read_text().strip()


def client_ids(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]
