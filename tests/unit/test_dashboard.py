"""The Grafana dashboard in deploy/grafana is valid JSON and queries only metrics Parla
exports (under either prefix), and every one of them."""

import json
import re
from pathlib import Path

import pytest

from adapters.metrics import INSTRUMENTS, RAY_PREFIX, exported_names

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "parla.json"


def queries() -> list[str]:
    document = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in document["panels"] for target in panel.get("targets", [])]


@pytest.mark.parametrize("prefix", [RAY_PREFIX, ""])
def test_every_queried_metric_is_exported(prefix: str):
    exported = exported_names(prefix)
    queried = {
        name
        for expr in queries()
        for name in re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", expr.replace("${prefix}", prefix))
        if "parla_" in name
    }
    assert queried, "the dashboard queries nothing"
    assert queried <= exported, queried - exported
    # Every instrument has a panel.
    assert {i.name for i in INSTRUMENTS} == {
        i.name for i in INSTRUMENTS if i.exported_names(prefix) & queried
    }
