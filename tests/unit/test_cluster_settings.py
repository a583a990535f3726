"""Parla on a Ray cluster (RAY_ADDRESS) keeps its state in the services stack: each embedded
default left in place stops start-up with the setting to set."""

import pytest
from pydantic import ValidationError

from deployments.settings import Settings

SERVICES = {
    "database_url": "postgresql://parla:parla@db:5432/parla",
    "redis_url": "redis://redis:6379/0",
    "nats_url": "nats://nats:4222",
    "minio_endpoint": "minio:9000",
    "minio_access_key": "parla",
    "minio_secret_key": "parla-secret",
    "secret_key": "s" * 32,
}


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_a_cluster_with_the_services_stack_starts():
    on_cluster = settings(ray_address="head:6379", **SERVICES)
    assert on_cluster.ray_address == "head:6379"


def test_the_s3_endpoint_url_names_the_blob_store_too():
    values = {k: v for k, v in SERVICES.items() if k != "minio_endpoint"}
    on_cluster = settings(ray_address="auto", s3_endpoint_url="http://minio:9000", **values)
    assert on_cluster.minio_endpoint == "minio:9000"


@pytest.mark.parametrize(
    ("left_out", "named"),
    [
        ("database_url", "DATABASE_URL (postgresql://...)"),
        ("redis_url", "REDIS_URL"),
        ("nats_url", "NATS_URL"),
        ("minio_endpoint", "MINIO_ENDPOINT (or S3_ENDPOINT_URL)"),
        ("secret_key", "SECRET_KEY"),
    ],
)
def test_each_embedded_default_on_a_cluster_stops_start_up(left_out, named):
    values = {k: v for k, v in SERVICES.items() if k != left_out}
    with pytest.raises(ValidationError) as raised:
        settings(ray_address="head:6379", **values)
    assert (
        f"RAY_ADDRESS: Parla on a cluster keeps its state in the services stack; set {named} ["
        in str(raised.value)
    )


def test_a_sqlite_database_on_a_cluster_stops_start_up():
    values = {**SERVICES, "database_url": "sqlite+aiosqlite:///var/parla.db"}
    with pytest.raises(ValidationError, match=r"stack; set DATABASE_URL \(postgresql://...\) \["):
        settings(ray_address="head:6379", **values)


def test_every_missing_service_is_named_at_once():
    with pytest.raises(ValidationError) as raised:
        settings(ray_address="head:6379")
    assert (
        "set DATABASE_URL (postgresql://...), REDIS_URL, NATS_URL, "
        "MINIO_ENDPOINT (or S3_ENDPOINT_URL), SECRET_KEY" in str(raised.value)
    )


def test_one_machine_keeps_the_embedded_defaults():
    assert settings().ray_address is None
    assert settings().resolved_database_url.startswith("sqlite+aiosqlite:///")
