"""From a protocol file to a checked :class:`Protocol`, with every error located.

The pipeline: read the YAML safely (:mod:`.yamlsource`), resolve ``extends:`` and
``include:`` into one document, copy each ``for_each`` step per level of its factor
(:mod:`.arms`), validate the document into the frozen model (all shape and
unit errors at once, each pointed at its ``FILE:LINE:COL``), then check what only the whole
protocol can show (unknown materials, ``after:`` ids, cycles, duplicates).  The resolved
document is what a run stores, with its SHA-256, so editing the YAML later never changes a
past run.

Reading and resolving are in :mod:`.document`, the parameter values and their ``--param``
overrides in :mod:`.overrides`; this module validates the document and locates each error.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from elab.domain.protocol.arms import expand_arms
from elab.domain.protocol.checks import check_protocol, check_references
from elab.domain.protocol.document import ProtocolDocument, content_sha256, load_document
from elab.domain.protocol.model import Protocol
from elab.domain.protocol.overrides import parameter_value, parse_overrides
from elab.domain.protocol.param_text import with_parameter_text
from elab.domain.protocol.yamlsource import locate
from elab.errors import Location, ProtocolError, ProtocolErrors, did_you_mean

__all__ = [
    "ProtocolDocument",
    "content_sha256",
    "load_document",
    "load_protocol",
    "parameter_value",
    "parse_overrides",
    "protocol_from_content",
    "protocol_from_tree",
]


def protocol_from_tree(
    tree: Mapping[str, Any],
    file: str,
    params: Mapping[str, str] | None = None,
    *,
    authored: bool = True,
) -> Protocol:
    """Validate a resolved document into a Protocol; every error located, all at once.

    ``authored=False`` reads a run's stored copy: the checks of what only the file's author
    can fix are left out (:func:`.checks.check_protocol`), so a past run always reopens."""
    tree = expand_arms(tree, file)
    parameters = parse_overrides(tree, params or {})
    problems = check_references(tree, file)
    try:
        protocol = Protocol.model_validate(tree, context={"parameters": parameters})
    except ValidationError as exc:
        raise ProtocolErrors(_once([*_located(exc, tree, file), *problems])) from None
    protocol = with_parameter_text(protocol, parameters)
    problems += check_protocol(protocol, tree, file, authored=authored)
    if problems:
        raise ProtocolErrors(_once(problems))
    return protocol


def _once(errors: list[ProtocolError]) -> list[ProtocolError]:
    """Each error once: the arms copied from one step share its lines, and its mistakes."""
    return list({str(e): e for e in errors}.values())


def protocol_from_content(
    content: Mapping[str, Any], params: Mapping[str, str] | None = None, file: str = "<run>"
) -> Protocol:
    """A Protocol from the resolved content a run stored (no positions to point at)."""
    return protocol_from_tree(content, file, params, authored=False)


def load_protocol(
    path: str | Path,
    params: Mapping[str, str] | None = None,
    library: Sequence[Path] = (),
) -> Protocol:
    """Load, resolve and check a protocol file.  Raises ProtocolErrors listing every error."""
    document = load_document(path, library)
    return protocol_from_tree(document.tree, document.path, params)


def _located(exc: ValidationError, tree: Mapping[str, Any], file: str) -> list[ProtocolError]:
    errors = []
    for item in exc.errors(include_url=False):
        path = [p for p in item["loc"] if isinstance(p, str | int)]
        kind = item["type"]
        if kind == "extra_forbidden":
            where = locate(tree, path, key=True)
            key = str(path[-1]) if path else "?"
            allowed = _allowed_keys(path[:-1])
            hint = did_you_mean(key, allowed)
            message = f"unknown key {key!r}" + (f" (did you mean {hint}?)" if hint else "")
        elif kind == "missing":
            where = locate(tree, path[:-1])
            message = f"missing required key {path[-1]!r}"
        elif item.get("input", "") is None and kind.endswith("_type"):
            # an empty value (``key: ~``) where a union takes several types is one mistake,
            # not one line per type it could have been
            where = locate(tree, path)
            message = "empty value: write one here (a key left empty is null)"
        else:
            where = locate(tree, path)
            message = _message(item)
        errors.append(ProtocolError(message, where or Location(file, 1, 1)))
    return errors


def _message(item: Mapping[str, Any]) -> str:
    msg = str(item["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    if item["type"] == "string_pattern_mismatch":
        return f"{item['input']!r} is not a valid id (lower-case letters, digits, - _ .)"
    if item["type"] == "literal_error":
        return f"{item['input']!r}: {msg[0].lower() + msg[1:]}"
    return msg


def _allowed_keys(path: Sequence[str | int]) -> list[str]:
    """The keys the model accepts at ``path`` (for "did you mean")."""
    model: Any = Protocol
    for element in path:
        if isinstance(element, int):
            continue
        field = model.model_fields.get(element) if _is_model(model) else None
        if field is None:
            if _is_model(model):
                aliases = {f.alias: f for f in model.model_fields.values() if f.alias}
                field = aliases.get(element)
            if field is None:
                # a dict value (materials.X): stay on the dict's value model
                continue
        model = _inner_model(field.annotation)
    if not _is_model(model):
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _is_model(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _inner_model(annotation: Any) -> Any:
    if _is_model(annotation):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None
