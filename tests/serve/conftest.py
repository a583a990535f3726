"""One `make run` for all the tests of this package (starting Ray Serve takes a minute or more)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.api import UNLIMITED
from tests.support.otlp import OtlpReceiver, otlp_receiver

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="package")
def collector() -> Iterator[OtlpReceiver]:
    """The OTLP collector `server` sends its traces to."""
    with otlp_receiver() as receiver:
        yield receiver


@pytest.fixture(scope="package")
def launch_env(tmp_path_factory: pytest.TempPathFactory, collector: OtlpReceiver) -> dict[str, str]:
    """The environment `server` runs in: its own data, ports of its own, traces to
    `collector`. Operator commands (`python -m deployments.manage`) run in it reach the same
    database."""
    env = own_launch_env(tmp_path_factory)
    env["OTLP_ENDPOINT"] = collector.url
    env["OTEL_BSP_SCHEDULE_DELAY"] = "200"  # the SDK's batch delay (ms): spans arrive soon
    return env


def own_launch_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """This process's environment with its own data (VAR_DIR), a free port and metrics port,
    none of the services' settings."""
    settings = {
        "DATABASE_URL",
        "REDIS_URL",
        "NATS_URL",
        "SECRET_KEY",
        "BLOB_DIR",
        "PUBLIC_BASE_URL",
        "MINIO_ENDPOINT",
        "S3_ENDPOINT_URL",
        "RAY_ADDRESS",
    }
    env = {k: v for k, v in os.environ.items() if k not in settings}
    var_dir = tmp_path_factory.mktemp("make-run")
    env.update({"VAR_DIR": str(var_dir), "HOST": "127.0.0.1", "PORT": str(free_port())})
    env["METRICS_PORT"] = str(free_port())
    # Ports Ray Serve fixes (HAProxy's stats and metrics, the fallback proxy that HAProxy
    # sends requests to until the Gateway is up): another Serve on this machine would hold
    # them, and answer this one's requests.
    for setting in (
        "RAY_SERVE_HAPROXY_STATS_PORT",
        "RAY_SERVE_HAPROXY_METRICS_PORT",
        "RAY_SERVE_FALLBACK_PROXY_HTTP_PORT",
        "RAY_SERVE_FALLBACK_PROXY_GRPC_PORT",
    ):
        env.setdefault(setting, str(free_port()))
    env["RATE_LIMITS"] = json.dumps(UNLIMITED)  # its clients sign up more than people do
    return env


@pytest.fixture(scope="package")
def server(launch_env: dict[str, str]) -> Iterator[str]:
    """`python -m deployments.launch` exactly as `make run` starts it, on its own data and a
    free port; its base URL."""
    with launched(launch_env) as base:
        yield base


@contextmanager
def launched(env: dict[str, str]) -> Iterator[str]:
    """`make run` in `env` (VAR_DIR and PORT its own) until ready; its base URL. Stopped with
    Ctrl-C, as a person stops it."""
    var_dir, port = Path(env["VAR_DIR"]), env["PORT"]
    log = (var_dir / "launch.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "deployments.launch"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"launcher exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"{base}/api/v1/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"not ready after {STARTUP_SECONDS} s; see {log.name}")
        time.sleep(1)
    yield base
    # Ctrl-C, as a person stops `make run`: Serve and Ray shut down cleanly.
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("`serve run` did not stop within 90 s of Ctrl-C")
    finally:
        log.close()
