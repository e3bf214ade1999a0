"""The one way a model value becomes JSON: `to_json`, and `Shaped` for a type with a shape of its own."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


# --- JSON ------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A model value as JSON-ready data: the one way any of them becomes JSON.

    A type that gives its readers a shape of its own (other key names, a
    derived field, fields left out) says so in `as_json`; any other frozen
    type is its fields. Enums are their values, days and times ISO 8601, paths strings.
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "as_json"):
        return value.as_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    raise TypeError(f"no JSON form for {type(value).__name__}")


class Shaped:
    """A frozen type whose JSON is the keys `JSON_KEYS` names, in that order ("key=attribute" where the
    attribute has another name); without them, its fields."""

    JSON_KEYS: ClassVar[tuple[str, ...]] = ()

    def as_json(self) -> dict:
        keys = self.JSON_KEYS or tuple(f.name for f in fields(cast("DataclassInstance", self)))
        return {key: to_json(getattr(self, name or key)) for key, _, name in (k.partition("=") for k in keys)}
