"""The servers under load: the product as `make run` starts it, and the same FastAPI app under
plain uvicorn. Each runs in a session of its own (a Ctrl-C on the terminal reaches the harness,
which then stops them in order); stopping one ends every process it started."""

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

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 300  # the first start synthesizes the demo catalog (about 40 s, more if busy)
STOP_SECONDS = 90
# Ray runs its workers at nice 15; the baseline gets the same, so background load on this
# shared machine weighs on both servers alike, and the load generator (nice 19) stays below.
BASELINE_NICE = 15
# Settings the launcher resolves from VAR_DIR; values inherited from the shell would point
# both servers elsewhere.
OWN_SETTINGS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BLOB_DIR", "PUBLIC_BASE_URL"}


SERVE_CONFIG = yaml.safe_load((ROOT / "serve_config.yaml").read_text())


def deployment_config(name: str) -> dict:
    """A deployment's options in serve_config.yaml."""
    (found,) = (d for d in SERVE_CONFIG["applications"][0]["deployments"] if d["name"] == name)
    return found


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
            return self.command.split()[0].split(".")[0]
        if "uvicorn" in self.command:
            return "uvicorn"
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


def descendants(root: int) -> list[Proc]:
    procs = [p for entry in Path("/proc").iterdir() if entry.name.isdigit()
             if (p := _read_proc(int(entry.name)))]  # fmt: skip
    children: dict[int, list[Proc]] = {}
    for p in procs:
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

    def family(self) -> list[Proc]:
        """The server's process and every process it started, running now."""
        root = _read_proc(self.process.pid)
        return ([root] if root else []) + descendants(self.process.pid)


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
    port = free_port()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in env.items() if k not in OWN_SETTINGS}
    env.update({"VAR_DIR": str(var_dir), "HOST": "127.0.0.1", "PORT": str(port)})
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
        server = RunningServer(label, f"http://127.0.0.1:{port}", process, log)
        try:
            _wait_ready(server, STARTUP_SECONDS)
            yield server
        finally:
            _stop(server)


def ray_serve(workdir: Path, env: dict[str, str]) -> AbstractContextManager[RunningServer]:
    """`make run`: the launcher migrates, loads the demo catalog and execs `serve run`
    (HOST and PORT from the environment)."""
    command = [sys.executable, "-m", "deployments.launch"]
    return _serving("ray", lambda port: command, workdir / "ray", env)


def _uvicorn_command(port: int) -> list[str]:
    # The keep-alive timeout Ray Serve's ingress gets from serve_config.yaml, not uvicorn's 5 s.
    http_options = SERVE_CONFIG["http_options"]
    return [
        "nice", "-n", str(BASELINE_NICE), sys.executable, "-m", "uvicorn",
        "deployments.asgi:create", "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
        "--timeout-keep-alive", str(http_options["keep_alive_timeout_s"]),
    ]  # fmt: skip


def uvicorn(workdir: Path, env: dict[str, str]) -> AbstractContextManager[RunningServer]:
    """The baseline: one uvicorn process, the app wired in process, on a copy of the data
    `make run` prepared (both servers run at once: each gets a SQLite file of its own)."""
    var_dir = workdir / "uvicorn"
    _copy_prepared(workdir / "ray", var_dir, env)
    return _serving("uvicorn", _uvicorn_command, var_dir, env)


def _copy_prepared(source: Path, target: Path, env: dict[str, str]) -> None:
    """`source`'s database (through SQLite's backup API: consistent while its server runs)
    and blobs in `target`; without them, the launcher's own preparation in `target`."""
    target.mkdir(parents=True, exist_ok=True)
    database = source / "parla.db"
    if not database.exists():
        prepare = "import asyncio, deployments.launch as l; asyncio.run(l.prepare(l.Settings()))"
        own = {k: v for k, v in env.items() if k not in OWN_SETTINGS}
        subprocess.run([sys.executable, "-c", prepare], cwd=ROOT, check=True,
                       env={**own, "VAR_DIR": str(target)})  # fmt: skip
        return
    with sqlite3.connect(database) as original, sqlite3.connect(target / "parla.db") as copy:
        original.backup(copy)
    shutil.copytree(source / "blobs", target / "blobs")
