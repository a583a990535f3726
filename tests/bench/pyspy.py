"""Where a server's CPU goes during a scenario: py-spy (in the locked dependencies, with Ray)
samples its Python processes while wrk runs, and the samples are summed by package.

Only samples of a thread holding the GIL count (`--gil`): that is the Python work that
competes for the core; the database driver's threads waiting on their queues do not."""

import re
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench.servers import Proc

RATE = 200  # samples per second
# A frame's file path, as py-spy prints it, starts with its package: "sqlalchemy/orm/...".
PACKAGES = (
    ("parla", ("adapters/", "domain/", "ports/", "deployments/")),
    ("ray serve", ("ray/serve/",)),
    ("ray core", ("ray/",)),
    ("grpc", ("grpc/",)),
    ("fastapi+starlette", ("fastapi/", "starlette/")),
    ("pydantic", ("pydantic/", "pydantic_core/")),
    ("sqlalchemy+aiosqlite", ("sqlalchemy/", "aiosqlite/", "sqlite3/")),
    ("uvicorn", ("uvicorn/",)),
    ("jwt+crypto", ("jwt/", "cryptography/", "hmac.py", "hashlib.py")),
    ("asyncio", ("asyncio/", "uvloop/")),
    ("logging", ("logging/",)),
    ("threading", ("threading.py", "concurrent/", "queue.py")),
)
_FILE = re.compile(r"\(([^()]*?)(?::\d+)?\)$")


@dataclass(frozen=True)
class Profile:
    role: str
    pid: int
    samples: int
    by_package: dict[str, float]  # share of on-CPU samples whose innermost frame is there
    top_functions: list[tuple[str, float]]
    raw: Path


def _package(frame: str) -> str:
    found = _FILE.search(frame)
    path = found.group(1) if found else ""
    for name, prefixes in PACKAGES:
        if path.startswith(prefixes):
            return name
    return "other"


def summarize(role: str, pid: int, raw: Path) -> Profile:
    """py-spy's raw output is one line per distinct stack: `frame;frame;...;leaf count`."""
    leaves: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            leaves[stack.rsplit(";", 1)[-1]] += int(count)
    total = sum(leaves.values()) or 1
    packages: Counter[str] = Counter()
    for leaf, count in leaves.items():
        packages[_package(leaf)] += count
    return Profile(
        role=role,
        pid=pid,
        samples=sum(leaves.values()),
        by_package={name: n / total for name, n in packages.most_common()},
        top_functions=[(leaf, n / total) for leaf, n in leaves.most_common(12)],
        raw=raw,
    )


@dataclass(frozen=True)
class Recording:
    proc: Proc
    raw: Path
    spy: subprocess.Popen[bytes]


def start(procs: Sequence[Proc], seconds: float, out_dir: Path) -> list[Recording]:
    """Starts one py-spy per process, for `seconds`; `finish` collects them."""
    py_spy = Path(sys.executable).with_name("py-spy")
    recordings = []
    for proc in procs:
        raw = out_dir / f"{proc.role.replace(':', '_').replace('/', '_')}-{proc.pid}.txt"
        command = [
            str(py_spy), "record", "--pid", str(proc.pid), "--duration", str(round(seconds)),
            "--rate", str(RATE), "--format", "raw", "--output", str(raw), "--nonblocking", "--gil",
        ]  # fmt: skip
        spy_process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        recordings.append(Recording(proc, raw, spy_process))
    return recordings


def finish(recordings: list[Recording]) -> list[Profile]:
    profiles = []
    for r in recordings:
        _, errors = r.spy.communicate(timeout=120)
        if r.spy.returncode == 0 and r.raw.exists():
            profiles.append(summarize(r.proc.role, r.proc.pid, r.raw))
        else:
            print(f"py-spy on {r.proc.role} failed: {errors.decode()[-300:]}", flush=True)
    return profiles
