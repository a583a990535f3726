"""The benchmark's report: one JSON document with every number, and a Markdown page made from
it; both written with a timestamped name and as latest.*."""

import json
import os
import platform
import subprocess
import sys
import timeit
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.bench.wrk import NICE

if TYPE_CHECKING:  # load imports this module
    from tests.bench.load import Outcome, Plan


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _machine(load_average_at_start: float) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    model = next((x.split(":", 1)[1].strip() for x in cpuinfo if x.startswith("model name")), "")
    mem_kib = next(int(x.split()[1]) for x in meminfo if x.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "memory_gib": round(mem_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "ray": version("ray"),
        "uvicorn": version("uvicorn"),
        "load_average_at_start": round(load_average_at_start, 2),
        "load_average_at_end": round(os.getloadavg()[0], 2),
        "python_loop_ms": _python_loop_ms(),
    }


def _python_loop_ms() -> float:
    """A yardstick for one core's speed: hosts of the same name differ (wrk's ceiling here has
    measured 60,000 to 182,000 requests/s), and the rates follow the core."""
    return round(min(timeit.repeat("sum(range(10**6))", number=10, repeat=5)) * 100, 1)


def _result(outcome: "Outcome") -> dict[str, Any]:
    if outcome.failure:
        return {"failure": outcome.failure}
    m = outcome.median
    requests = sum(r.requests for r in outcome.rounds)
    lost = sum(r.lost for r in outcome.rounds)
    statuses: Counter[int] = Counter()
    for r in outcome.rounds:
        statuses.update(r.statuses)
    return {
        "rps": round(m.rate, 1),
        "rps_rounds": [round(r.rate, 1) for r in outcome.rounds],
        "p50_ms": round(m.p50, 2),
        "p95_ms": round(m.p95, 2),
        "p99_ms": round(m.p99, 2),
        "max_ms": round(m.max, 2),
        "requests": requests,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "lost": lost,
        "error_rate": round(sum(r.errors for r in outcome.rounds) / max(requests + lost, 1), 5),
        "cpu_ms_per_request": {k: round(v, 3) for k, v in outcome.cpu_ms_per_request.items()},
        "profiles": [
            {
                "process": p.role,
                "samples": p.samples,
                "by_package": {k: round(v, 3) for k, v in p.by_package.items()},
                "top_functions": [[f, round(s, 3)] for f, s in p.top_functions],
                "raw": str(p.raw),
            }
            for p in outcome.profiles
        ],
    }


def build(
    started: datetime,
    plan: "Plan",
    outcomes: "list[Outcome]",
    bursts: dict[str, dict[str, Any]],
    servers: dict[str, dict[str, Any]],
    tool_ceiling_rps: float | None,
    tool: str,
    haproxy: str | None,
    load_average_at_start: float,
) -> dict[str, Any]:
    scenarios = []
    for scenario in plan.scenarios:
        results = {o.server: _result(o) for o in outcomes if o.scenario is scenario}
        ray, base = results.get("ray", {}), results.get("uvicorn", {})
        ratio = round(ray["rps"] / base["rps"], 3) if ray.get("rps") and base.get("rps") else None
        scenarios.append(
            {
                "name": scenario.name,
                "kind": scenario.kind,
                "note": scenario.note,
                "connections": min(plan.connections, scenario.max_connections or plan.connections),
                "results": results,
                "ray_over_uvicorn": ratio,
            }
        )
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join(["python -m tests.bench.load", *sys.argv[1:]]),
        "machine": _machine(load_average_at_start),
        "load": {
            "tool": tool,
            "tool_nice": NICE,
            "tool_ceiling_rps": round(tool_ceiling_rps) if tool_ceiling_rps else None,
            "connections": plan.connections,
            "rounds": plan.rounds,
            "round_seconds": plan.round_seconds,
            "warmup_seconds": plan.warmup_seconds,
        },
        "stack": {"name": plan.stack.name, "gateway_replicas": plan.stack.replicas},
        "haproxy_binary": haproxy,
        "haproxy_version": _haproxy_version(haproxy),
        "servers": servers,
        "scenarios": scenarios,
        "headline_ray_over_uvicorn": {
            s["name"]: s["ray_over_uvicorn"] for s in scenarios if s["kind"] == "read"
        },
        "bursts": {
            label: {name: asdict(b) for name, b in found.items()} for label, found in bursts.items()
        },
    }


def _haproxy_version(binary: str | None) -> str | None:
    if binary is None:
        return None
    banner = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout
    return banner.split(" - ")[0].strip() or None


def _latency(r: dict[str, Any]) -> str:
    return f"{r['p50_ms']:.1f} / {r['p95_ms']:.1f} / {r['p99_ms']:.1f}" if "rps" in r else "-"


def _rate(r: dict[str, Any]) -> str:
    if "failure" in r:
        return "FAILED"
    if "rps" not in r:
        return "-"
    low, high = min(r["rps_rounds"]), max(r["rps_rounds"])
    digits = 1 if high < 10 else 0  # CPU-bound scenarios serve a few requests a second
    return f"{r['rps']:,.{digits}f} ({low:,.{digits}f}-{high:,.{digits}f})"


def _errors(r: dict[str, Any]) -> str:
    if "rps" not in r or not r["error_rate"]:
        return "-" if "rps" not in r else "0"
    failed = [f"{n} x {status}" for status, n in r["statuses"].items() if int(status) >= 400]
    lost = [f"{r['lost']} unanswered"] if r["lost"] else []
    return f"{r['error_rate']:.1%} ({', '.join(failed + lost)})"


GATEWAY = "ray::ServeReplica:parla:Gateway"


def _cpu(r: dict[str, Any]) -> str:
    if "rps" not in r:
        return "-"
    cpu = r["cpu_ms_per_request"]
    parts = [f"{role} {ms:.2f}" for role, ms in cpu.items() if role != "total"][:4]
    return f"**{cpu['total']:.2f}**: " + ", ".join(parts)


def _stack_line(stack: dict[str, Any]) -> str:
    if stack["name"] == "embedded":
        return (
            "- Stack: embedded, as `make run` starts by default (SQLite file, process memory, "
            "in-process bus); one Gateway replica against one uvicorn process."
        )
    return (
        "- Stack: services (PostgreSQL, Redis, NATS with JetStream on this machine; each server "
        f"its own database, Redis database and stream); {stack['gateway_replicas']} Gateway "
        f"replicas against {stack['gateway_replicas']} uvicorn worker processes."
    )


def markdown(result: dict[str, Any]) -> str:
    m, load = result["machine"], result["load"]
    ceiling = load["tool_ceiling_rps"]
    lines = [
        f"# Parla load benchmark, {result['started_at']}",
        "",
        f"`{result['command']}`",
        "",
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"Python {m['python']}, Ray {m['ray']}, uvicorn {m['uvicorn']}; load average (1 min) "
        f"{m['load_average_at_start']} at the start, {m['load_average_at_end']} at the end"
        + (
            f"; one core sums range(10**6) in {m['python_loop_ms']} ms (after the run)."
            if "python_loop_ms" in m
            else "."
        ),
        _stack_line(result["stack"]),
        f"- Load: {load['tool']} at nice {load['tool_nice']}, {load['connections']} connections "
        "(fewer where a scenario says so), "
        f"{load['rounds']} rounds of {load['round_seconds']:g} s after {load['warmup_seconds']:g} "
        f"s of warm-up; the median round counts. "
        + (
            f"wrk's ceiling here: {ceiling:,} req/s against a static responder."
            if ceiling
            else "wrk's ceiling: not measured (no HAProxy binary)."
        ),
        f"- HAProxy binary: {result['haproxy_binary']} ({result['haproxy_version']})."
        if result["haproxy_binary"]
        else "- HAProxy binary: none found.",
    ]
    for label, info in result["servers"].items():
        flags = ", ".join(f"{k}={v}" for k, v in sorted(info["env_flags"].items())) or "none"
        lines.append(
            f"- {label}: {info['ingress']}; ready after {info['ready_after_s']} s; "
            f"RAY_SERVE_* set: {flags}."
        )
    lines += [
        "",
        "## Requests per second (rounds' range) and latency",
        "",
        "| scenario | kind | ray req/s | uvicorn req/s | ray/uvicorn | ray p50 / p95 / p99 ms "
        "| uvicorn p50 / p95 / p99 ms | errors ray / uvicorn |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- |",
    ]
    for s in result["scenarios"]:
        ray, base = s["results"].get("ray", {}), s["results"].get("uvicorn", {})
        ratio = f"{s['ray_over_uvicorn']:.0%}" if s["ray_over_uvicorn"] else "-"
        lines.append(
            f"| {s['name']} | {s['kind']} | {_rate(ray)} | {_rate(base)} | {ratio} | "
            f"{_latency(ray)} | {_latency(base)} | {_errors(ray)} / {_errors(base)} |"
        )
    headline = ", ".join(
        f"{name} {ratio:.0%}"
        for name, ratio in result["headline_ray_over_uvicorn"].items()
        if ratio
    )
    lines += [
        "",
        f"Headline, Ray Serve over plain uvicorn on the read scenarios: {headline or '-'}.",
        *_targets(result),
        "",
        "## Server CPU per request (ms, by process)",
        "",
        "| scenario | ray | uvicorn |",
        "| --- | --- | --- |",
    ]
    for s in result["scenarios"]:
        r = s["results"]
        lines.append(f"| {s['name']} | {_cpu(r.get('ray', {}))} | {_cpu(r.get('uvicorn', {}))} |")
    lines += _bursts(result["bursts"])
    lines += ["", "## Scenarios", ""]
    lines += [
        f"- {s['name']} ({s['kind']}, {s['connections']} connections): {s['note']}"
        for s in result["scenarios"]
    ]
    failures = [
        f"- {s['name']} on {label}: {r['failure']}"
        for s in result["scenarios"] for label, r in s["results"].items() if "failure" in r
    ]  # fmt: skip
    if failures:
        lines += ["", "## Failures", "", *failures]
    profiles = [
        (s["name"], label, p)
        for s in result["scenarios"] for label, r in s["results"].items()
        for p in r.get("profiles", []) if p["samples"]
    ]  # fmt: skip
    if profiles:
        lines += ["", "## Where the CPU goes (py-spy, share of on-CPU samples)", ""]
        for name, label, p in profiles:
            packages = ", ".join(f"{k} {v:.0%}" for k, v in p["by_package"].items() if v >= 0.02)
            top = "; ".join(f"{f} {share:.0%}" for f, share in p["top_functions"][:5])
            lines.append(f"- {name}, {label} {p['process']} ({p['samples']} samples): {packages}.")
            lines.append(f"  Top frames: {top}.")
    return "\n".join(lines) + "\n"


# The serving targets: Ray Serve's share of plain uvicorn's rate and its p99 on the read
# scenarios, and the load-test targets of the game seed (004).
MIN_READ_RATIO = 0.6
MAX_READ_P99_MS = 100
MIN_SAVES_PER_S = 100


def _targets(result: dict[str, Any]) -> list[str]:
    """Which targets the run met, from its numbers; for a missed read target, the bound the
    measured CPU per request sets."""
    ray = {s["name"]: s["results"]["ray"] for s in result["scenarios"]
           if "rps" in s["results"].get("ray", {})}  # fmt: skip
    reads = [s for s in result["scenarios"] if s["kind"] == "read" and s["name"] in ray]
    rows: list[tuple[str, bool, str]] = []
    if reads and all(s["ray_over_uvicorn"] for s in reads):
        rows.append((
            f"Ray Serve at least {MIN_READ_RATIO:.0%} of uvicorn's rate on the read scenarios",
            all(s["ray_over_uvicorn"] >= MIN_READ_RATIO for s in reads),
            ", ".join(f"{s['name']} {s['ray_over_uvicorn']:.0%}" for s in reads),
        ))  # fmt: skip
    if reads:
        rows.append((
            f"p99 under {MAX_READ_P99_MS} ms on the read scenarios (Ray Serve)",
            all(ray[s["name"]]["p99_ms"] < MAX_READ_P99_MS for s in reads),
            ", ".join(f"{s['name']} {ray[s['name']]['p99_ms']:,.0f} ms" for s in reads),
        ))  # fmt: skip
    if ray:
        errors = sum(round(r["error_rate"] * (r["requests"] + r["lost"])) for r in ray.values())
        total = sum(r["requests"] + r["lost"] for r in ray.values())
        rows.append(("no errors (Ray Serve)", errors == 0, f"{errors:,} of {total:,} requests"))
    if "save_session" in ray:
        saves = ray["save_session"]["rps"]
        rows.append((f"{MIN_SAVES_PER_S} game sessions saved per second", saves >= MIN_SAVES_PER_S,
                     f"{saves:g}/s"))  # fmt: skip
    bursts = result["bursts"].get("ray", {})
    if "scoring_burst" in bursts:
        b = bursts["scoring_burst"]
        # Status keys are ints in a run and strings once read back from the JSON.
        answered = sum(n for status, n in b["statuses"].items() if 200 <= int(status) < 300)
        rows.append((f"{b['requests']} scoring requests at once, all answered",
                     answered == b["requests"], f"{answered} in {b['seconds']} s"))  # fmt: skip
        counts = [n for _, n in b["replicas_over_time"]]
        if counts:
            rows.append((
                "SpeechScoring scales up under the burst and back down",
                max(counts) > counts[0] and counts[-1] == counts[0],
                " -> ".join(str(n) for i, n in enumerate(counts) if i == 0 or n != counts[i - 1]),
            ))  # fmt: skip
    if "idle_connections" in bursts:
        i = bursts["idle_connections"]
        rows.append(("idle keep-alive connections held, then answered",
                     i["reused_ok"] == i["connections"] and i["errors"] == 0,
                     f"{i['reused_ok']:,} of {i['connections']:,}"))  # fmt: skip
    if "idle_sockets" in bursts:
        i = bursts["idle_sockets"]
        rows.append(("idle WebSockets held, then answered",
                     i["answered_after"] == i["sockets"] and i["errors"] == 0,
                     f"{i['answered_after']:,} of {i['sockets']:,}"))  # fmt: skip
    if "message_fanout" in bursts:
        f = bursts["message_fanout"]
        rows.append(("messages pushed to every receiver's WebSocket",
                     f["delivered"] == f["expected"] and f["send_errors"] == 0,
                     f"{f['delivered']:,} of {f['expected']:,}"))  # fmt: skip
    if not rows:
        return []
    lines = ["", "## Targets", "", "| target | holds | measured |", "| --- | --- | --- |"]
    lines += [f"| {t} | {'yes' if ok else '**no**'} | {m} |" for t, ok, m in rows]
    return lines + _read_bounds(result, reads)


def _read_bounds(result: dict[str, Any], reads: list[dict[str, Any]]) -> list[str]:
    """What the CPU per request allows. With every connection waiting on an answer, mean
    latency is connections / rate (Little's law), so a p99 under the target needs at least
    connections / target requests per second; and one Gateway replica, one process like
    uvicorn, runs on one core, so their rates can differ at most by their CPU per request."""
    cores, lines = result["machine"]["cores"], []
    for s in reads:
        ray, base = s["results"]["ray"], s["results"].get("uvicorn", {})
        needed = s["connections"] * 1000 / MAX_READ_P99_MS
        mean_wait = s["connections"] * 1000 / ray["rps"]
        if ray["p99_ms"] >= MAX_READ_P99_MS and mean_wait < MAX_READ_P99_MS:
            lines.append(
                f"- {s['name']}: {s['connections']} connections at {ray['rps']:,.0f} req/s wait "
                f"{mean_wait:,.0f} ms on average, so the rate allows the target; the tail "
                f"misses it (p95 {ray['p95_ms']:,.0f} ms, p99 {ray['p99_ms']:,.0f} ms)."
            )
        elif ray["p99_ms"] >= MAX_READ_P99_MS:
            lines.append(
                f"- {s['name']}: {s['connections']} connections at {ray['rps']:,.0f} req/s wait "
                f"{mean_wait:,.0f} ms on average; under {MAX_READ_P99_MS} ms takes over "
                f"{needed:,.0f} req/s, at most {cores * 1000 / needed:.1f} ms of CPU per request "
                f"on {cores} cores; Ray Serve spends {ray['cpu_ms_per_request']['total']:.2f} ms"
                + (f", uvicorn {base['cpu_ms_per_request']['total']:.2f}." if base else ".")
            )
        gateway = ray["cpu_ms_per_request"].get(GATEWAY)
        if (s["ray_over_uvicorn"] or 1) < MIN_READ_RATIO and gateway and base:
            lines.append(
                f"- {s['name']}: the Gateway replica spends {gateway:.2f} ms of CPU per request, "
                f"uvicorn {base['cpu_ms_per_request']['total']:.2f} ms for the same app: "
                f"{base['cpu_ms_per_request']['total'] / gateway:.0%} of uvicorn's rate is the "
                "most a replica gets from a core that uvicorn's process would use whole."
            )
    return ["", *lines] if lines else []


def _bursts(found: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    scoring = {label: b["scoring_burst"] for label, b in found.items() if "scoring_burst" in b}
    if scoring:
        lines += [
            "",
            "## Scoring burst: requests sent at once, queued and scaled",
            "",
            "| server | requests | errors | took s | p50 / p95 / max ms "
            "| replicas over time (s: count) |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        for label, b in scoring.items():
            errors = sum(n for s, n in b["statuses"].items() if int(s) >= 400) + b["lost"]
            timeline = ", ".join(f"{t:g}: {n}" for t, n in b["replicas_over_time"]) or "-"
            lines.append(
                f"| {label} | {b['requests']} | {errors} | {b['seconds']} | "
                f"{b['p50_ms']:,.0f} / {b['p95_ms']:,.0f} / {b['max_ms']:,.0f} | "
                f"{timeline if label == 'ray' else 'in process'} |"
            )
    idle = {label: b["idle_connections"] for label, b in found.items() if "idle_connections" in b}
    if idle:
        lines += [
            "",
            "## Idle keep-alive connections: opened, held, used again",
            "",
            "| server | connections | answered first | held s | answered again "
            "| closed by server | errors | /health p50 ms meanwhile |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, i in idle.items():
            lines.append(
                f"| {label} | {i['connections']} | {i['first_ok']} | {i['held_seconds']} | "
                f"{i['reused_ok']} | {i['closed_by_server']} | {i['errors']} | "
                f"{i['busy_p50_ms']} |"
            )
    fanout = {label: b["message_fanout"] for label, b in found.items() if "message_fanout" in b}
    if fanout:
        lines += [
            "",
            "## Messages sent over REST, pushed to the receivers' WebSockets",
            "",
            "| server | receivers | messages | pushes received / expected | send errors "
            "| took s | delay p50 / p95 / max ms |",
            "| --- | ---: | ---: | --- | ---: | ---: | --- |",
        ]
        for label, f in fanout.items():
            lines.append(
                f"| {label} | {f['receivers']} | {f['messages']} | "
                f"{f['delivered']:,} / {f['expected']:,} | {f['send_errors']} | {f['seconds']} | "
                f"{f['p50_ms']:,.0f} / {f['p95_ms']:,.0f} / {f['max_ms']:,.0f} |"
            )
    sockets = {label: b["idle_sockets"] for label, b in found.items() if "idle_sockets" in b}
    if sockets:
        lines += [
            "",
            "## Idle WebSockets: opened, held, pinged",
            "",
            "| server | sockets | opened | held s | answered after | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for label, i in sockets.items():
            lines.append(
                f"| {label} | {i['sockets']} | {i['opened']} | {i['held_seconds']} | "
                f"{i['answered_after']} | {i['errors']} |"
            )
    return lines


def write(result: dict[str, Any], directory: Path) -> tuple[Path, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    name = f"load-{stamp(datetime.fromisoformat(result['started_at']))}"
    document, page = json.dumps(result, indent=2) + "\n", markdown(result)
    stack = result["stack"]["name"]
    latest = "latest" if stack == "embedded" else f"latest-{stack}"
    for stem in (name, latest):
        (directory / f"{stem}.json").write_text(document)
        (directory / f"{stem}.md").write_text(page)
    return directory / f"{name}.json", directory / f"{name}.md"


def rerender(paths: list[Path]) -> None:
    """Each JSON report's Markdown page again, beside it: the page is made from the numbers
    alone, so a report from an earlier run shows in the current page format."""
    for path in paths:
        path.with_suffix(".md").write_text(markdown(json.loads(path.read_text())))


if __name__ == "__main__":  # python -m tests.bench.report tests/bench/results/latest.json
    rerender([Path(arg) for arg in sys.argv[1:]])
