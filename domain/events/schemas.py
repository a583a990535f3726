"""The pieces every context builds its event schemas from."""

from enum import StrEnum
from typing import Any

JsonSchema = dict[str, Any]
# A context's events: (schema name, version) -> the schema of the payload.
Schemas = dict[tuple[str, int], JsonSchema]

# Ids are UUIDs and times ISO 8601 with their offset, both as strings.
ID: JsonSchema = {"type": "string", "format": "uuid"}
TIME: JsonSchema = {"type": "string", "format": "date-time"}
OPTIONAL_ID: JsonSchema = {"type": ["string", "null"], "format": "uuid"}
OPTIONAL_TIME: JsonSchema = {"type": ["string", "null"], "format": "date-time"}


def object_of(**properties: JsonSchema) -> JsonSchema:
    """An object with exactly these properties, all required."""
    return {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


def enum_of(values: type[StrEnum]) -> JsonSchema:
    return {"type": "string", "enum": [v.value for v in values]}
