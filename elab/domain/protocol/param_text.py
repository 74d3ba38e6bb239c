"""``$name`` of a parameter inside the words people read: titles, texts, notes.

A field that is a whole ``$name`` (``duration: $treatment_time``) takes the value at
validation (:mod:`.fields`); a ``$name`` inside a sentence ("Reverse-transcribe $rna_input
of each RNA") is replaced here with the value the run uses, so ``elab show``, the run
screen and the record read as the bench does it, and ``--param`` changes the words with the
numbers.  Only declared parameters are replaced; any other ``$`` is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

from elab.units import QRange, format_range

__all__ = ["TEXT_FIELDS", "substitute_names", "substitute_parameters", "with_parameter_text"]

#: The fields that hold sentences for people (not ids, not quantities).
TEXT_FIELDS = frozenset({"title", "text", "note", "notes", "summary", "description"})
_REF = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")
M = TypeVar("M", bound=BaseModel)


def substitute_names(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``$name`` (or ``${name}``) in ``values`` replaced; others kept."""
    if "$" not in text:
        return text
    return _REF.sub(lambda m: values.get(m[1], m[0]), text)


def substitute_parameters(text: str, values: Mapping[str, QRange]) -> str:
    """``text`` with every ``$name`` of a parameter replaced by its value as written back."""
    if "$" not in text:
        return text
    return substitute_names(text, {name: format_range(q) for name, q in values.items()})


def with_parameter_text(model: M, values: Mapping[str, QRange]) -> M:
    """A copy of ``model`` whose sentences (at any depth) carry the parameters' values."""
    if not values:
        return model
    return _walk(model, values)  # type: ignore[no-any-return]


def _walk(node: Any, values: Mapping[str, QRange], field: str | None = None) -> Any:
    if isinstance(node, str):
        return substitute_parameters(node, values) if field in TEXT_FIELDS else node
    if isinstance(node, BaseModel):
        update = {}
        for name in type(node).model_fields:
            value = getattr(node, name)
            new = _walk(value, values, name)
            if new is not value:
                update[name] = new
        return node.model_copy(update=update) if update else node
    if isinstance(node, list):
        items = [_walk(v, values, field) for v in node]
        return items if any(a is not b for a, b in zip(items, node, strict=True)) else node
    if isinstance(node, dict):
        mapped = {k: _walk(v, values, field) for k, v in node.items()}
        return mapped if any(mapped[k] is not node[k] for k in node) else node
    return node
