"""`make run`: migrate, load demo content into an empty database, then hand over to
`serve run` with serve_config.yaml (HOST and PORT applied) in the foreground."""

import asyncio
import os
import sys
from pathlib import Path

import yaml

from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import upgrade_to_head
from deployments.demo.catalog import load_demo_catalog
from deployments.log_format import configure_logging
from deployments.settings import Settings
from deployments.wiring import bootstrap

SERVE_CONFIG = Path(__file__).resolve().parent.parent / "serve_config.yaml"


async def prepare(settings: Settings) -> None:
    await upgrade_to_head(settings.resolved_database_url)
    if settings.demo_content:
        container = bootstrap(settings)
        try:
            await load_demo_catalog(container.unit_of_work, container.blobs, EspeakSynthesizer())
        finally:
            await container.aclose()


def render_serve_config(settings: Settings, target: Path) -> Path:
    config = yaml.safe_load(SERVE_CONFIG.read_text())
    config["http_options"]["host"] = settings.host
    config["http_options"]["port"] = settings.port
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    asyncio.run(prepare(settings))
    # Replicas read settings from the environment; pin what was resolved here (absolute
    # paths, the secret) so every replica sees the same values whatever its working dir.
    os.environ.update(
        {
            "DATABASE_URL": settings.resolved_database_url,
            "BLOB_DIR": str(settings.resolved_blob_dir),
            "SECRET_KEY": settings.resolved_secret_key(),
            "PUBLIC_BASE_URL": settings.resolved_public_base_url,
        }
    )
    config = render_serve_config(settings, settings.var_dir.resolve() / "serve_config.yaml")
    serve = Path(sys.executable).with_name("serve")
    os.execv(serve, [str(serve), "run", str(config)])


if __name__ == "__main__":
    main()
