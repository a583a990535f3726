"""The load generator: wrk (Debian package `wrk`), driven by a generated Lua script that cycles
through a scenario's requests, formatted once per thread, counts answers by status, and prints
its statistics as JSON.

wrk runs at nice 19, below every server process (Ray's workers run at nice 15): on a 2-core
machine a load generator at the same priority takes the cores the server needs."""

import json
import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench.scenarios import Request

NICE = 19
THREADS = 2
# Logins queue behind Argon2 for seconds at 50 connections; wrk's default 2 s would count
# them as timeouts instead of measuring them.
TIMEOUT = "30s"
MARKER = "BENCH-RESULT "

_COLLECT = """
local threads = {}
setup = function(thread)
  -- Each thread starts in its own part of the requests, so threads never send the same
  -- request at once (a tutor turn on one session at a time).
  thread:set("part", #threads)
  table.insert(threads, thread)
end
statuses = {}
response = function(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency, requests)
  local total, counted = {}, {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do total[status] = (total[status] or 0) + n end
  end
  for status, n in pairs(total) do table.insert(counted, string.format('"%d": %d', status, n)) end
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "statuses": {%s}, "lost": %d, '
    .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\\n',
    MARKER, summary.requests, summary.duration, table.concat(counted, ", "),
    e.connect + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


@dataclass(frozen=True)
class Measurement:
    """One wrk run. Latencies in milliseconds."""

    requests: int  # answered
    seconds: float
    statuses: dict[int, int]  # answers by HTTP status
    # Requests never answered: connect and write errors, timeouts. (wrk's read errors are
    # not counted: the server closing a connection after an error answer is one, too.)
    lost: int
    p50: float
    p95: float
    p99: float
    max: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 400) + self.lost


def ensure_wrk() -> str:
    """wrk's path, installed with apt-get when missing and this is a root Debian machine."""
    if wrk := shutil.which("wrk"):
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk is missing: apt-get install wrk", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-qq", "wrk"]
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
            subprocess.run(install, env=env, capture_output=True)
    if wrk := shutil.which("wrk"):
        return wrk
    raise SystemExit("The load benchmark needs wrk: install the Debian/Ubuntu package `wrk`.")


def wrk_version(wrk: str) -> str:
    # `wrk --version` prints its banner and usage, and exits 1.
    banner = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
    return banner.splitlines()[0].strip() if banner else "wrk"


def _lua_string(data: bytes) -> str:
    """A Lua string literal holding exactly these bytes (multipart bodies are binary)."""
    out = []
    for byte in data:
        if 32 <= byte < 127 and byte not in (34, 92):  # printable, but not " and \
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03d}")
    return '"' + "".join(out) + '"'


def write_script(requests: Sequence[Request], path: Path) -> Path:
    lines = ["local specs = {"]
    for r in requests:
        headers = ", ".join(
            f"[{_lua_string(k.encode())}] = {_lua_string(v.encode())}" for k, v in r.headers.items()
        )
        body = _lua_string(r.body) if r.body else "nil"
        lines.append(
            f"  {{{_lua_string(r.method.encode())}, {_lua_string(r.path.encode())}, "
            f"{{{headers}}}, {body}}},"
        )
    lines += [
        "}",
        f"MARKER = {_lua_string(MARKER.encode())}",
        "local formatted = {}",
        "local next_index = 0",
        "init = function(args)",
        "  for i, s in ipairs(specs) do formatted[i] = wrk.format(s[1], s[2], s[3], s[4]) end",
        f"  next_index = part * math.floor(#formatted / {THREADS})",
        "end",
        "request = function()",
        "  next_index = next_index % #formatted + 1",
        "  return formatted[next_index]",
        "end",
        _COLLECT,
    ]
    path.write_text("\n".join(lines))
    return path


def run(wrk: str, base_url: str, script: Path, connections: int, seconds: float) -> Measurement:
    command = [
        "nice", "-n", str(NICE), wrk,
        f"--threads={THREADS}", f"--connections={connections}", f"--duration={seconds:g}s",
        f"--timeout={TIMEOUT}", f"--script={script}", base_url,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith(MARKER)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    stats = json.loads(line.removeprefix(MARKER))
    return Measurement(
        requests=stats["requests"],
        seconds=stats["duration_us"] / 1e6,
        statuses={int(k): v for k, v in stats["statuses"].items()},
        lost=stats["lost"],
        p50=stats["p50_us"] / 1000,
        p95=stats["p95_us"] / 1000,
        p99=stats["p99_us"] / 1000,
        max=stats["max_us"] / 1000,
    )
