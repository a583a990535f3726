"""The Gateway replica's own CPU per request under Ray Serve, for trying Ray's settings.

    .venv/bin/python -m tests.bench.replica_overhead
    RAY_SERVE_METRICS_EXPORT_INTERVAL_MS=1000 .venv/bin/python -m tests.bench.replica_overhead

Starts Parla as `make run` does (with the environment given: Ray reads its RAY_SERVE_*
settings from it) and sends GET /health, which does no work of Parla's, in rounds that
alternate between plain requests and requests carrying Ray's `x-request-disconnect-disabled:
?1` (the replica then awaits the app directly, with no task watching for the client to go).
Prints each variant's rates and the Gateway replica's CPU per request. Settings are compared
across runs, so run each a few times: this machine is shared."""

import tempfile
import time
from collections import defaultdict
from pathlib import Path

from tests.bench import wrk
from tests.bench.load import _cpu_delta, _cpu_ticks
from tests.bench.scenarios import API, Request
from tests.bench.servers import Stack, ray_serve

ROUNDS, ROUND_SECONDS, CONNECTIONS = 3, 5, 50
VARIANTS = {
    "plain": {},
    "disconnect-disabled": {"x-request-disconnect-disabled": "?1"},
}


def main() -> None:
    wrk_path = wrk.ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="parla-replica-overhead-"))
    with ray_serve(workdir, Stack()) as server:
        scripts = {
            name: wrk.write_script([Request("GET", f"{API}/health", headers)], workdir / name)
            for name, headers in VARIANTS.items()
        }
        for script in scripts.values():  # warm-up
            wrk.run(wrk_path, server.base_url, script, CONNECTIONS, 2)
        requests: dict[str, int] = defaultdict(int)
        gateway_seconds: dict[str, float] = defaultdict(float)
        rates: dict[str, list[int]] = defaultdict(list)
        for _ in range(ROUNDS):
            for name, script in scripts.items():
                before = _cpu_ticks(server)
                measured = wrk.run(wrk_path, server.base_url, script, CONNECTIONS, ROUND_SECONDS)
                spent = _cpu_delta(before, _cpu_ticks(server))
                requests[name] += measured.requests
                gateway_seconds[name] += sum(s for r, s in spent.items() if "Gateway" in r)
                rates[name].append(round(measured.rate))
                time.sleep(1)
    for name in VARIANTS:
        per_request = gateway_seconds[name] * 1000 / max(requests[name], 1)
        print(f"{name:20} req/s by round {rates[name]}  Gateway CPU {per_request:.3f} ms/request")


if __name__ == "__main__":
    main()
