"""The Dockerfile and docker-compose.yml as far as they can be checked without a Docker engine
(none runs here: neither is built or started by the tests). The image installs wheels only,
runs as an unprivileged user, and its HEALTHCHECK command is run against a local server;
every long-running compose service has a healthcheck and a restart policy."""

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def instructions(dockerfile: Path = ROOT / "Dockerfile") -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped."""
    lines = [line for line in dockerfile.read_text().splitlines() if not line.startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.strip().partition(" ") for line in joined.splitlines())
        if word
    ]


def test_the_image_installs_wheels_only_and_runs_as_an_unprivileged_user():
    steps = instructions()
    installs = [args for op, args in steps if op == "RUN" and "pip install" in args]
    assert any("--no-build -r requirements.lock" in args for args in installs)
    assert not any(re.search(r"\b(gcc|g\+\+|build-essential|clang)\b", a) for _, a in steps)
    users = [args for op, args in steps if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    # Nothing after the switch needs root, and the data directory is the user's.
    after = [op for op, _ in steps[steps.index(("USER", users[-1])) :]]
    assert "RUN" not in after
    assert any("chown parla:parla /var/lib/parla" in a for op, a in steps if op == "RUN")
    assert ("ENV", "HOST=0.0.0.0 PORT=8000 VAR_DIR=/var/lib/parla") in steps


class Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        found = self.path == "/api/v1/health"
        self.send_response(self.status if found else 404)
        self.end_headers()
        self.wfile.write(b'{"status": "ok"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def health_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def healthcheck() -> list[str]:
    (check,) = [args for op, args in instructions() if op == "HEALTHCHECK"]
    options, _, command = check.partition("CMD ")
    assert "--start-period=" in options
    return json.loads(command)  # the exec form


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_the_healthcheck_asks_the_apps_health_route(health_server, status, healthy, monkeypatch):
    monkeypatch.setattr(Health, "status", status)
    command = healthcheck()
    assert command[0] == "python"
    env = {**os.environ, "PORT": str(health_server.server_address[1])}
    ran = subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True, timeout=30)
    assert (ran.returncode == 0) is healthy, ran.stderr


def test_the_healthcheck_fails_when_nothing_listens(health_server):
    command = healthcheck()
    port = health_server.server_address[1]
    health_server.shutdown()
    health_server.server_close()
    env = {**os.environ, "PORT": str(port)}
    ran = subprocess.run([sys.executable, *command[1:]], env=env, capture_output=True, timeout=30)
    assert ran.returncode != 0


def test_every_compose_service_restarts_and_the_long_running_ones_are_health_checked():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    waited_for = {
        name: dependency["condition"]
        for service in services.values()
        for name, dependency in service.get("depends_on", {}).items()
    }
    one_off = {name for name, condition in waited_for.items()
               if condition == "service_completed_successfully"}  # fmt: skip
    assert one_off == {"minio-create-bucket"}
    for name, service in services.items():
        if name in one_off:
            assert service["restart"] == "on-failure"
            continue
        assert service["restart"] == "unless-stopped", name
        if "build" in service:  # the image's own HEALTHCHECK
            assert healthcheck(), name
        else:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    # Parla starts once the services it uses answer their healthchecks (MinIO's through the
    # bucket job, which waits for it).
    assert {n: d["condition"] for n, d in services["parla"]["depends_on"].items()} == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "nats": "service_healthy",
        "minio-create-bucket": "service_completed_successfully",
    }
    assert services["minio-create-bucket"]["depends_on"]["minio"]["condition"] == "service_healthy"
