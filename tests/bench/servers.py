"""The servers under load: the product as `make run` starts it, and the same FastAPI app under
plain uvicorn. Each runs in a session of its own (a Ctrl-C on the terminal reaches the harness,
which then stops them in order); stopping one ends every process it started."""

import asyncio
import copy
import functools
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import nats
import nats.js.errors
import yaml
from redis.asyncio import Redis
from sqlalchemy import make_url

from domain.rate_limits import LIMITS

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 300  # the first start synthesizes the demo catalog (about 40 s, more if busy)
STOP_SECONDS = 90
# Ray runs its workers at nice 15; the baseline gets the same, so background load on this
# shared machine weighs on both servers alike, and the load generator (nice 19) stays below.
BASELINE_NICE = 15
# Settings each server gets from its Stack (or the launcher resolves from VAR_DIR); values
# inherited from the shell would point both servers elsewhere.
OWN_SETTINGS = {
    "DATABASE_URL", "DATABASE_POOL_SIZE", "REDIS_URL", "NATS_URL", "NATS_STREAM",
    "NATS_SUBJECT_PREFIX", "SECRET_KEY", "BLOB_DIR", "PUBLIC_BASE_URL", "SERVE_CONFIG",
    "RATE_LIMITS",
}  # fmt: skip
# A few clients from one address send thousands of requests a minute: every limit is raised
# out of reach (the limiter still counts each request, as it does in production).
UNREACHABLE_RATE_LIMITS = json.dumps({name: "1000000/second" for name in LIMITS})


SERVE_CONFIG = yaml.safe_load((ROOT / "serve_config.yaml").read_text())


def deployment_config(name: str, config: dict = SERVE_CONFIG) -> dict:
    """A deployment's options in `config` (serve_config.yaml unless given)."""
    (found,) = (d for d in config["applications"][0]["deployments"] if d["name"] == name)
    return found


# The services stack's own state, emptied at each run's start: PostgreSQL databases, JetStream
# streams and subject prefixes named after the prefix and the server, and these Redis databases.
BENCH_PREFIX = "parla_bench"
REDIS_DATABASES = {"ray": 14, "uvicorn": 15}


@dataclass(frozen=True)
class Stack:
    """Where both servers keep their state, and how many processes serve the Gateway.

    `embedded`: the defaults of `make run` (a SQLite file, process memory, an in-process bus),
    one Gateway replica against one uvicorn process. `services`: PostgreSQL, Redis and NATS,
    as a deployment would run (each server gets a fresh database, Redis database and
    JetStream stream of its own), `replicas` Gateway replicas against as many uvicorn
    workers."""

    name: str = "embedded"
    replicas: int = 1
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379"
    nats_url: str = "nats://127.0.0.1:4222"

    def settings(self, label: str, workdir: Path) -> dict[str, str]:
        """The settings of server `label`, after emptying the state a previous run left."""
        if self.name == "embedded":
            return {}
        database, redis_db = f"{BENCH_PREFIX}_{label}", REDIS_DATABASES[label]
        stream, prefix = f"{BENCH_PREFIX.upper()}_{label.upper()}", f"{BENCH_PREFIX}_{label}"
        asyncio.run(self._empty(database, redis_db, stream))
        config = copy.deepcopy(SERVE_CONFIG)
        deployment_config("Gateway", config)["num_replicas"] = self.replicas
        serve_config = workdir / f"serve_config-{label}.yaml"
        serve_config.write_text(yaml.safe_dump(config, sort_keys=False))
        return {
            "DATABASE_URL": make_url(self.postgres_url)
            .set(database=database)
            .render_as_string(hide_password=False),
            # Both servers' pools stay under PostgreSQL's default 100 connections.
            "DATABASE_POOL_SIZE": "10",
            "REDIS_URL": f"{self.redis_url}/{redis_db}",
            "NATS_URL": self.nats_url,
            "NATS_STREAM": stream,
            "NATS_SUBJECT_PREFIX": prefix,
            "SERVE_CONFIG": str(serve_config),
        }

    async def _empty(self, database: str, redis_db: int, stream: str) -> None:
        admin = await asyncpg.connect(self.postgres_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{database}"')
        finally:
            await admin.close()
        redis = Redis.from_url(f"{self.redis_url}/{redis_db}")
        try:
            await redis.flushdb()
        finally:
            await redis.aclose()
        bus = await nats.connect(self.nats_url)
        try:
            await bus.jetstream().delete_stream(stream)
        except nats.js.errors.NotFoundError:
            pass
        finally:
            await bus.close()


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    started: int  # clock ticks after boot: tells a reused pid apart
    cpu_ticks: int  # user + system time so far
    command: str

    @property
    def role(self) -> str:
        """A short name. Ray titles its workers by actor and current method
        ("ray::ServeReplica:parla:Gateway.handle_request"); the method is dropped."""
        if self.command.startswith("ray::"):
            title = self.command.split()[0].split(".")[0]
            # A replica still starting: "ray::SERVE_REPLICA::<app>#<name>#<id>:ServeReplica:..."
            return "ray::" + title.split(":", 5)[-1] if "#" in title else title
        if self.command.startswith("postgres: "):  # a backend; its title names the database
            return "postgres"
        if "uvicorn" in self.command:
            return "uvicorn"
        if "multiprocessing.spawn" in self.command:  # uvicorn's --workers
            return "uvicorn worker"
        if "deployments.launch" in self.command or "serve run" in self.command:
            return "serve run (driver)"
        words = self.command.split()
        script = next((w for w in words[1:] if w.endswith(".py")), words[0] if words else "?")
        return Path(script).name

    def alive(self) -> bool:
        current = _read_proc(self.pid)
        return current is not None and current.started == self.started


def _read_proc(pid: int) -> Proc | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name in parentheses may hold spaces; the fields after it do not.
    fields = stat[stat.rindex(")") + 2 :].split()
    utime, stime = int(fields[11]), int(fields[12])
    return Proc(pid, int(fields[1]), int(fields[19]), utime + stime, command.strip())


def all_procs() -> list[Proc]:
    return [p for entry in Path("/proc").iterdir() if entry.name.isdigit()
            if (p := _read_proc(int(entry.name)))]  # fmt: skip


def descendants(root: int) -> list[Proc]:
    children: dict[int, list[Proc]] = {}
    for p in all_procs():
        children.setdefault(p.ppid, []).append(p)
    found, frontier = [], [root]
    while frontier:
        for child in children.get(frontier.pop(), []):
            found.append(child)
            frontier.append(child.pid)
    return found


@dataclass
class RunningServer:
    label: str
    base_url: str
    process: subprocess.Popen[bytes]
    log: Path
    database: str | None = None  # its PostgreSQL database (services stack)

    def family(self) -> list[Proc]:
        """The server's process and every process it started, running now."""
        root = _read_proc(self.process.pid)
        return ([root] if root else []) + descendants(self.process.pid)

    def working(self) -> list[Proc]:
        """Every process that works for the server: its family and, on PostgreSQL, the
        backends serving its database (their CPU is part of each request's)."""
        if self.database is None:
            return self.family()
        title = f" {self.database} "  # "postgres: <user> <database> <client> <state>"
        backends = [p for p in all_procs() if p.command.startswith("postgres: ")
                    if title in p.command]  # fmt: skip
        return self.family() + backends


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(server: RunningServer, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.label} exited with {server.process.returncode}; "
                               f"see {server.log}")  # fmt: skip
        try:
            if httpx.get(f"{server.base_url}/api/v1/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"{server.label} not ready after {seconds:.0f} s; see {server.log}")


def _stop(server: RunningServer) -> None:
    # Taken before the stop: once the parent exits, orphans no longer show whose they were.
    family = descendants(server.process.pid)
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops `make run`
        try:
            server.process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"{server.label} ignored Ctrl-C for {STOP_SECONDS} s: killing it", flush=True)
            server.process.kill()
            server.process.wait()
    for proc in family:
        if proc.alive():
            os.kill(proc.pid, signal.SIGKILL)


@contextmanager
def _serving(
    label: str, command: Callable[[int], list[str]], var_dir: Path, env: dict[str, str]
) -> Iterator[RunningServer]:
    """`env`: the server's environment, its own settings included (`server_env`)."""
    port = free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {**env, "VAR_DIR": str(var_dir), "HOST": "127.0.0.1", "PORT": str(port)}
    log = var_dir / f"{label}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command(port),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = make_url(env["DATABASE_URL"]) if "DATABASE_URL" in env else None
        database = url.database if url and url.get_backend_name() == "postgresql" else None
        server = RunningServer(label, f"http://127.0.0.1:{port}", process, log, database)
        try:
            _wait_ready(server, STARTUP_SECONDS)
            yield server
        finally:
            _stop(server)


def server_env(label: str, workdir: Path, stack: Stack) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k not in OWN_SETTINGS},
        "RATE_LIMITS": UNREACHABLE_RATE_LIMITS,
        **stack.settings(label, workdir),
    }


def ray_serve(workdir: Path, stack: Stack) -> AbstractContextManager[RunningServer]:
    """`make run`: the launcher migrates, loads the demo catalog and execs `serve run`
    (HOST and PORT from the environment)."""
    command = [sys.executable, "-m", "deployments.launch"]
    env = server_env("ray", workdir, stack)
    return _serving("ray", lambda port: command, workdir / "ray", env)


def _uvicorn_command(port: int, workers: int) -> list[str]:
    # The keep-alive timeout Ray Serve's ingress gets from serve_config.yaml, not uvicorn's 5 s.
    http_options = SERVE_CONFIG["http_options"]
    return [
        "nice", "-n", str(BASELINE_NICE), sys.executable, "-m", "uvicorn",
        "deployments.asgi:create", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--timeout-keep-alive", str(http_options["keep_alive_timeout_s"]),
        "--workers", str(workers),
    ]  # fmt: skip


def uvicorn(workdir: Path, stack: Stack) -> AbstractContextManager[RunningServer]:
    """The baseline: the app wired in process under uvicorn, one worker per Gateway replica,
    on the data `make run` prepared: a copy of its SQLite file (both servers run at once),
    or, on the services stack, its own database prepared the same way."""
    var_dir = workdir / "uvicorn"
    env = server_env("uvicorn", workdir, stack)
    _copy_prepared(workdir / "ray", var_dir, env)
    command = functools.partial(_uvicorn_command, workers=stack.replicas)
    return _serving("uvicorn", command, var_dir, env)


def _copy_prepared(source: Path, target: Path, env: dict[str, str]) -> None:
    """`source`'s database (through SQLite's backup API: consistent while its server runs)
    and blobs in `target`; without them, the launcher's own preparation in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    database = source / "parla.db"
    if not database.exists():
        prepare = "import asyncio, deployments.launch as l; asyncio.run(l.prepare(l.Settings()))"
        subprocess.run([sys.executable, "-c", prepare], cwd=ROOT, check=True,
                       env={**env, "VAR_DIR": str(target)})  # fmt: skip
        return
    with sqlite3.connect(database) as original, sqlite3.connect(target / "parla.db") as copy:
        original.backup(copy)
    shutil.copytree(source / "blobs", target / "blobs")
