"""Port dataclasses to rows and back, field to column by name: a repository states only what
differs (an enum stored as its value, a list stored as JSON, a column of another name)."""

from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from adapters.sql.tables import Base

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Entity = TypeVar("Entity", bound="DataclassInstance")
Row = TypeVar("Row", bound=Base)


def column_values(entity: object, *names: str, **converted: Any) -> dict[str, Any]:
    """The fields `names` of `entity`, each for the column of its name, and `converted`."""
    return {name: getattr(entity, name) for name in names} | converted


def to_row(table: type[Row], entity: "DataclassInstance", **converted: Any) -> Row:
    """A row of `table` whose columns take the entity's fields of the same names, but for
    those in `converted`; a column the entity has no field for keeps its default."""
    names = {field.name for field in fields(entity)} - converted.keys()
    columns = table.__mapper__.column_attrs.keys()
    return table(**{name: getattr(entity, name) for name in columns if name in names}, **converted)


def from_row(entity: type[Entity], row: Base, **converted: Any) -> Entity:
    """An `entity` whose fields are read from the row's columns of the same names, but for
    those in `converted`."""
    names = [field.name for field in fields(entity) if field.name not in converted]
    return entity(**{name: getattr(row, name) for name in names}, **converted)
