"""Checks event payloads (and language models' JSON answers) against their schemas, in the
subset of JSON Schema that they use: type, required, properties, additionalProperties, enum,
items, minLength and maxLength, minItems and maxItems."""

from typing import Any

from domain.events.schemas import JsonSchema, Schemas
from ports.events import Event

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
}


def schema_name(event_type: str) -> str:
    """The name an event type is registered under: the id in the middle of a three-token
    type replaced by `*`."""
    tokens = event_type.split(".")
    if len(tokens) == 3:
        tokens[1] = "*"
    return ".".join(tokens)


def schema_problems(value: Any, schema: JsonSchema, path: str) -> list[str]:
    """What in `value` does not fit `schema`, each named by its path; empty when it fits."""
    types = schema.get("type")
    if types is not None:
        allowed = [types] if isinstance(types, str) else types
        # bool is an int in Python, but not a JSON number.
        if isinstance(value, bool) and "boolean" not in allowed:
            return [f"{path}: expected {' or '.join(allowed)}"]
        if not any(isinstance(value, _JSON_TYPES[t]) for t in allowed):
            return [f"{path}: expected {' or '.join(allowed)}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: not one of {schema['enum']}"]
    if isinstance(value, str | list):
        low, high = (
            ("minLength", "maxLength") if isinstance(value, str) else ("minItems", "maxItems")
        )
        if not schema.get(low, 0) <= len(value) <= schema.get(high, len(value)):
            return [f"{path}: length {len(value)} outside {schema.get(low, 0)}..{schema.get(high)}"]
    problems: list[str] = []
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        problems += [
            f"{path}.{name}: missing" for name in schema.get("required", ()) if name not in value
        ]
        for name, item in value.items():
            if name in properties:
                problems += schema_problems(item, properties[name], f"{path}.{name}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{path}.{name}: unexpected")
    if isinstance(value, list) and "items" in schema:
        for position, item in enumerate(value):
            problems += schema_problems(item, schema["items"], f"{path}[{position}]")
    return problems


def check_payload(event: Event, schemas: Schemas) -> None:
    """Raises ValueError unless the event is in `schemas` and its payload fits its schema."""
    schema = schemas.get((schema_name(event.type), event.version))
    if schema is None:
        raise ValueError(f"No schema for {event.type!r} version {event.version}")
    problems = schema_problems(event.payload, schema, "payload")
    if problems:
        raise ValueError(f"{event.type} v{event.version}: {'; '.join(problems)}")


def new_event(schemas: Schemas, event_type: str, payload: dict[str, Any]) -> Event:
    """A new event (version 1), checked against its context's `schemas`."""
    event = Event.create(event_type, payload)
    check_payload(event, schemas)
    return event
