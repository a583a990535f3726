"""A two-node Ray cluster on this machine, the services stack it needs, and Parla deployed to
it by the launcher (RAY_ADDRESS), as a platform team deploys to a cluster of its own.

Each node is a `ray start --block` of its own, with its ports and its custom resources (the
head offers the Tutor's and SpeechIO's, the worker SpeechScoring's) in a temp dir of the test's
own, started without any Parla setting: what the replicas know, the launcher gave them. Other
people's Ray instances on this machine are never touched: each node stops on SIGTERM with
every process it started, and its process group is checked empty afterwards."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import nats
import pytest
from nats.js.errors import NotFoundError
from redis.asyncio import Redis

from deployments.settings import Settings
from tests.support.api import UNLIMITED
from tests.support.s3_server import S3Server, s3_server
from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
REDIS_URL = "redis://127.0.0.1:6379/13"  # a database no other test uses
NATS_URL = "nats://127.0.0.1:4222"
# A loaded machine starts a Ray node in 30-60 s; the launcher synthesizes the demo catalogue
# (about 40 s) and waits for the first replica of every deployment.
NODE_SECONDS = 120
LAUNCH_SECONDS = 420
STOP_SECONDS = 60
HEAD_RESOURCES = {"parla_tutor": 2, "parla_speech_io": 2}
# Room for two SpeechScoring replicas (0.5 CPU each) and a Gateway replica (0.1), which asks
# for CPU only and so may land on either node.
WORKER_RESOURCES = {"parla_scoring": 2}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str
    nats_url: str
    nats_stream: str
    s3: S3Server


@pytest.fixture(scope="package")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """A PostgreSQL database, a Redis database, a JetStream stream and an S3 server of this
    package's own, removed at the end."""
    run = uuid.uuid4().hex[:12]
    database, stream = f"parla_cluster_{run}", f"PARLA_CLUSTER_{run}"
    asyncio.run(_create(database))
    try:
        with s3_server(tmp_path_factory.mktemp("cluster-s3")) as s3:
            yield Services(
                database_url=f"{POSTGRES}/{database}",
                redis_url=REDIS_URL,
                nats_url=NATS_URL,
                nats_stream=stream,
                s3=s3,
            )
    finally:
        asyncio.run(_remove(database, stream))


async def _create(database: str) -> None:
    """Checks every service first, so that a missing one leaves nothing behind."""
    redis = Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        await redis.ping()
        await redis.flushdb()  # what an interrupted run left
    except Exception as error:  # any failure to connect means "unavailable"
        unavailable(f"Redis is not reachable at {REDIS_URL}: {error!r}")
    finally:
        await redis.aclose()
    try:
        bus = await nats.connect(NATS_URL, max_reconnect_attempts=1, connect_timeout=2)
    except Exception as error:
        unavailable(f"NATS is not reachable at {NATS_URL}: {error!r}")
    await bus.close()
    try:
        admin = await asyncpg.connect(f"{POSTGRES}/test", timeout=5)
    except Exception as error:
        unavailable(f"PostgreSQL is not reachable at {POSTGRES}: {error!r}")
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()


async def _remove(database: str, stream: str) -> None:
    admin = await asyncpg.connect(f"{POSTGRES}/test", timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await admin.close()
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    bus = await nats.connect(NATS_URL)
    try:
        for name in (stream, f"{stream}_DEAD_LETTERS"):
            try:
                await bus.jetstream().delete_stream(name)
            except NotFoundError:
                pass
    finally:
        await bus.close()


@dataclass(frozen=True)
class RayCluster:
    address: str
    """host:port of the head's GCS: RAY_ADDRESS."""
    dashboard: str
    token: str
    """Ray's token authentication: every process of the cluster and its clients share it."""
    env: dict[str, str]
    """The environment of the nodes' processes; clients add RAY_ADDRESS to it."""

    def get(self, path: str) -> dict:
        """A GET of the head's dashboard API (Serve's and the state API)."""
        response = httpx.get(
            f"{self.dashboard}{path}",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def node_ids(self) -> tuple[str, str]:
        """The head's and the worker's node ids."""
        nodes = self.get("/api/v0/nodes?detail=1")["data"]["result"]["result"]
        (head,) = [n["node_id"] for n in nodes if n["is_head_node"] and n["state"] == "ALIVE"]
        (worker,) = [n["node_id"] for n in nodes if not n["is_head_node"] and n["state"] == "ALIVE"]
        return head, worker


@dataclass
class Node:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


def _settings_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        names.add(name.upper())
        aliases = getattr(field.validation_alias, "choices", [])
        names.update(str(alias).upper() for alias in aliases)
    return names


def _start_node(name: str, args: list[str], env: dict[str, str], logs: Path) -> Node:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("ray")), "start", "--block", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the node's processes in a group of their own
        )
    return Node(name, process, log)


def _node_ports() -> list[str]:
    return [
        *("--node-ip-address", "127.0.0.1"),
        *("--node-manager-port", str(free_port())),
        *("--object-manager-port", str(free_port())),
        *("--dashboard-agent-listen-port", str(free_port())),
        *("--dashboard-agent-grpc-port", str(free_port())),
        *("--runtime-env-agent-port", str(free_port())),
        *("--metrics-export-port", str(free_port())),
        *("--min-worker-port", "0", "--max-worker-port", "0"),
        *("--object-store-memory", str(200 * 1024 * 1024)),
    ]


def _stop(node: Node) -> list[str]:
    """SIGTERM, as to any process: `ray start --block` stops every process of its node.
    Returns what was still running in the node's process group afterwards (then killed)."""
    if node.process.poll() is None:
        node.process.terminate()
        try:
            node.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            node.process.kill()
            node.process.wait()
    deadline = time.monotonic() + STOP_SECONDS
    while (left := _group(node.process.pid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        os.killpg(node.process.pid, signal.SIGKILL)
    return left


def _group(pgid: int) -> list[str]:
    """The command lines of the processes in group `pgid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(f"{entry.name} {command[:120]}")
    return found


class NodeExited(Exception):
    """A node's `ray start` gave up while starting: on this loaded machine Ray's own start-up
    timeouts are sometimes reached (the raylet waiting for its agent's port file)."""


def _wait_for(check, what: str, nodes: list[Node], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        for node in nodes:
            if node.process.poll() is not None:
                raise NodeExited(f"{node.name} node exited while {what}; see {node.log}")
        try:
            if check():
                return
        except (httpx.HTTPError, OSError, KeyError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"not {what} after {seconds} s; see {[str(n.log) for n in nodes]}")
        time.sleep(1)


def _start_cluster(
    env: dict[str, str], temp_dir: Path, logs: Path, nodes: list[Node]
) -> RayCluster:
    """Starts a head and a worker node (added to `nodes` as they start) and waits for both."""
    gcs_port, dashboard_port = free_port(), free_port()
    address, dashboard = f"127.0.0.1:{gcs_port}", f"http://127.0.0.1:{dashboard_port}"
    cluster = RayCluster(address, dashboard, env["RAY_AUTH_TOKEN"], env)
    head = [
        "--head",
        *("--port", str(gcs_port)),
        *("--ray-client-server-port", str(free_port())),
        *("--include-dashboard", "true", "--dashboard-host", "127.0.0.1"),
        *("--dashboard-port", str(dashboard_port)),
        *("--num-cpus", "2", "--resources", json.dumps(HEAD_RESOURCES)),
        *("--temp-dir", str(temp_dir)),
        "--disable-usage-stats",
    ]
    nodes.append(_start_node("head", [*head, *_node_ports()], env, logs))
    _wait_for(lambda: cluster.get("/api/v0/nodes"), "serving its dashboard", nodes, NODE_SECONDS)
    worker = [
        *("--address", address),
        *("--num-cpus", "2", "--resources", json.dumps(WORKER_RESOURCES)),
        *("--temp-dir", str(temp_dir)),
    ]
    nodes.append(_start_node("worker", [*worker, *_node_ports()], env, logs))
    _wait_for(lambda: cluster.node_ids(), "two nodes", nodes, NODE_SECONDS)
    return cluster


def _stop_all(nodes: list[Node]) -> None:
    # The worker first: the head holds the cluster's state.
    left = {node.name: _stop(node) for node in reversed(nodes)}
    left = {name: processes for name, processes in left.items() if processes}
    assert not left, f"processes left running after their node stopped: {left}"


@pytest.fixture(scope="package")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayCluster]:
    """A head and a worker node, each with its custom resources; stopped at the end. A node
    that gives up while starting is started again, once, on a fresh cluster."""
    # Ray's socket paths must stay short: a directory of its own directly under /tmp.
    temp_dir = Path(tempfile.mkdtemp(prefix="parla-ray-", dir="/tmp"))
    parla_settings = _settings_names() | {"RAY_ADDRESS"}
    env = {k: v for k, v in os.environ.items() if k not in parla_settings}
    env.update(
        PYTHONPATH=str(ROOT),
        RAY_AUTH_MODE="token",
        RAY_AUTH_TOKEN=uuid.uuid4().hex,
        # The ingress settings belong to the nodes (README: Running on a Ray cluster).
        RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH="deployments.ingress:proxy_middlewares",
        # No traffic is left to drain when the tests end (Ray waits 30 s by default).
        RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S="0",
    )
    nodes: list[Node] = []
    try:
        for attempt in (1, 2):
            try:
                logs = tmp_path_factory.mktemp("cluster-logs")
                cluster = _start_cluster(env, temp_dir, logs, nodes)
                break
            except NodeExited as exited:
                _stop_all(nodes)
                nodes.clear()
                if attempt == 2:
                    pytest.fail(f"twice: {exited}")
        yield cluster
    finally:
        _stop_all(nodes)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="package")
def parla(
    ray_cluster: RayCluster, services: Services, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """`python -m deployments.launch` with RAY_ADDRESS: it migrates, loads the demo content,
    deploys to the cluster and returns once Parla runs there. The base URL of the head's
    proxy."""
    var_dir = tmp_path_factory.mktemp("cluster-launcher")
    port = free_port()
    env = {
        **ray_cluster.env,
        "RAY_ADDRESS": ray_cluster.address,
        "VAR_DIR": str(var_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "DATABASE_URL": services.database_url,
        "REDIS_URL": services.redis_url,
        "NATS_URL": services.nats_url,
        "NATS_STREAM": services.nats_stream,
        "NATS_SUBJECT_PREFIX": services.nats_stream.lower(),
        "MINIO_ENDPOINT": services.s3.endpoint,
        "MINIO_ACCESS_KEY": services.s3.access_key,
        "MINIO_SECRET_KEY": services.s3.secret_key,
        "SECRET_KEY": f"the-cluster-shares-this-secret-{uuid.uuid4().hex}",
        "RATE_LIMITS": json.dumps(UNLIMITED),  # its clients sign up more than people do
    }
    log = var_dir / "launch.log"
    with log.open("wb") as out:
        try:
            launched = subprocess.run(
                [sys.executable, "-m", "deployments.launch"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=LAUNCH_SECONDS,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"the launcher did not return within {LAUNCH_SECONDS} s; see {log}")
    if launched.returncode != 0:
        pytest.fail(f"the launcher exited with {launched.returncode}:\n{log.read_text()[-3000:]}")
    return f"http://127.0.0.1:{port}"
