"""deploy/kubernetes against what Kubernetes and KubeRay would check, since neither runs
here: the RayService against KubeRay's CRD schema (strictly: an unknown field is an error, as
with `kubectl apply --validate=strict`), its serveConfigV2 against Ray Serve's own schema and
serve_config.yaml, and the settings objects' shape against Parla's settings."""

import copy
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ray.serve.schema import ServeDeploySchema

from deployments.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
CRD = ROOT / "tests" / "fixtures" / "kuberay" / "ray.io_rayservices.yaml"
DNS_1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def documents(name: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all((MANIFESTS / name).read_text()) if d]


def strict(schema: Any) -> Any:
    """The schema with unknown fields refused where Kubernetes would drop or refuse them: every
    object that lists its properties and keeps no unknown fields."""
    if isinstance(schema, dict):
        schema = {k: strict(v) for k, v in schema.items()}
        if (
            "properties" in schema
            and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")
        ):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    return schema


@pytest.fixture(scope="module")
def rayservice_schema() -> jsonschema.Draft7Validator:
    crd = yaml.load(CRD.read_text(), Loader=yaml.CSafeLoader)  # 1 MB: libyaml's parser
    assert crd["spec"]["names"]["kind"] == "RayService"
    (v1,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    return jsonschema.Draft7Validator(strict(v1["schema"]["openAPIV3Schema"]))


@pytest.fixture(scope="module")
def rayservice() -> dict[str, Any]:
    (found,) = documents("rayservice.yaml")
    return found


def errors(validator: jsonschema.Draft7Validator, manifest: dict[str, Any]) -> list[str]:
    return [
        f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(manifest)
    ]


def test_the_rayservice_is_valid_against_kuberays_crd(rayservice_schema, rayservice):
    assert rayservice["apiVersion"] == "ray.io/v1" and rayservice["kind"] == "RayService"
    assert DNS_1123.match(rayservice["metadata"]["name"])
    assert errors(rayservice_schema, rayservice) == []


@pytest.mark.parametrize(
    ("path", "value", "complaint"),
    [
        (["spec", "rayClusterConfig", "headGroupSpec", "rayStartParam"], {}, "rayStartParam"),
        (["spec", "rayClusterConfig", "headGroupSpec", "rayStartParams", "num-cpus"], 2, "2"),
        (["spec", "rayClusterConfig", "workerGroupSpecs", 0, "maxReplicas"], "4", "'4'"),
    ],
)
def test_the_schema_refuses_what_kubernetes_would(
    rayservice_schema, rayservice, path, value, complaint
):
    broken = copy.deepcopy(rayservice)
    target = broken
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    found = errors(rayservice_schema, broken)
    assert found and complaint in found[0], found


def test_serve_config_v2_is_serve_config_yaml_on_every_node(rayservice):
    served = yaml.safe_load(rayservice["spec"]["serveConfigV2"])
    ServeDeploySchema.model_validate(served)  # what the Serve controller accepts
    own = yaml.safe_load((ROOT / "serve_config.yaml").read_text())
    # The pods' proxies listen on every interface, one per node behind KubeRay's service.
    expected = {
        **own,
        "proxy_location": "EveryNode",
        "http_options": {**own["http_options"], "host": "0.0.0.0", "port": 8000},
    }
    assert served == expected, "rayservice.yaml's serveConfigV2 differs from serve_config.yaml"


def test_the_groups_offer_every_placement_resource_of_the_serve_config(rayservice):
    served = yaml.safe_load(rayservice["spec"]["serveConfigV2"])
    asked = {
        name
        for deployment in served["applications"][0]["deployments"]
        for name in deployment["ray_actor_options"].get("resources", {})
    }
    offered = {
        name: float(amount)
        for group in rayservice["spec"]["rayClusterConfig"]["workerGroupSpecs"]
        for name, amount in group.get("resources", {}).items()
    }
    assert asked == {"parla_scoring", "parla_tutor", "parla_speech_io"}
    assert asked <= {name for name, amount in offered.items() if amount >= 1}


def ray_pod_specs(rayservice: dict[str, Any]) -> list[dict[str, Any]]:
    cluster = rayservice["spec"]["rayClusterConfig"]
    groups = [cluster["headGroupSpec"], *cluster["workerGroupSpecs"]]
    return [group["template"]["spec"] for group in groups]


def test_every_container_runs_the_image_with_the_settings_as_non_root(rayservice):
    settings_objects = {(d["kind"], d["metadata"]["name"]) for d in documents("settings.yaml")}
    images = set()
    for pod in ray_pod_specs(rayservice):
        assert pod["securityContext"]["runAsNonRoot"] is True
        for container in pod.get("initContainers", []) + pod["containers"]:
            images.add(container["image"])
            referenced = {
                ("ConfigMap", source["configMapRef"]["name"])
                if "configMapRef" in source
                else ("Secret", source["secretRef"]["name"])
                for source in container["envFrom"]
            }
            assert referenced == settings_objects
    assert images == {"parla:0.1.0"}
    (head,) = [p for p in ray_pod_specs(rayservice) if p.get("initContainers")]
    assert head["initContainers"][0]["command"][-1] == "--prepare-only"


def test_the_settings_objects_are_parlas_settings_and_its_services_stack():
    objects = documents("settings.yaml")
    assert sorted(d["kind"] for d in objects) == ["ConfigMap", "Secret"]
    values: dict[str, str] = {}
    for manifest in objects:
        assert manifest["apiVersion"] == "v1"
        assert DNS_1123.match(manifest["metadata"]["name"])
        data = manifest.get("data") or manifest.get("stringData")
        assert data and all(isinstance(v, str) for v in data.values()), manifest
        values.update(data)
    known = {name.upper() for name in Settings.model_fields}
    assert set(values) <= known, set(values) - known
    # What a replica in these pods reads (KubeRay sets RAY_ADDRESS) passes the cluster check.
    on_cluster = Settings(
        _env_file=None,
        ray_address="parla-head-svc:6379",
        **{k.lower(): v for k, v in values.items()},
    )  # type: ignore[arg-type]
    assert on_cluster.database_url and on_cluster.database_url.startswith("postgresql://")
