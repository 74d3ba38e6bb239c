"""From a protocol file to a checked :class:`Protocol`, with every error located.

The pipeline: read the YAML safely (:mod:`.yamlsource`), resolve ``extends:`` and
``include:`` into one document, copy each ``for_each`` step per level of its factor
(:mod:`.arms`), validate the document into the frozen model (all shape and
unit errors at once, each pointed at its ``FILE:LINE:COL``), then check what only the whole
protocol can show (unknown materials, ``after:`` ids, cycles, duplicates).  The resolved
document is what a run stores, with its SHA-256, so editing the YAML later never changes a
past run.
"""

from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from elab.domain.protocol.arms import expand_arms
from elab.domain.protocol.checks import check_protocol, check_references
from elab.domain.protocol.model import Parameter, Protocol
from elab.domain.protocol.param_text import with_parameter_text
from elab.domain.protocol.yamlsource import LocDict, LocList, load_yaml, locate, read_text
from elab.errors import Location, ProtocolError, ProtocolErrors, QuantityError, did_you_mean
from elab.units import QRange, check_kind, parse_quantity

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

_MAX_READS = 32  # files one protocol may pull in through extends and include
_MAX_EXTENDS_DEPTH = 8


@dataclass(frozen=True)
class ProtocolDocument:
    """A protocol file with its ``extends``/``include`` resolved: what a run stores."""

    path: str
    tree: LocDict

    @property
    def content(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self.tree)
        return plain

    @property
    def sha256(self) -> str:
        return content_sha256(self.content)


def content_sha256(content: Mapping[str, Any]) -> str:
    """SHA-256 of a protocol's resolved content in canonical JSON."""
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


# ----------------------------------------------------------------------------- reading


def load_document(path: str | Path, library: Sequence[Path] = ()) -> ProtocolDocument:
    """Read a protocol file, resolve what it extends or includes and expand its arms."""
    path = Path(path)
    tree = _read(path)
    tree = _resolve_reuse(tree, path, library, chain=(path.resolve(),), budget=[_MAX_READS])
    expanded = expand_arms(tree, str(path))
    return ProtocolDocument(str(path), expanded if isinstance(expanded, LocDict) else tree)


def _read(path: Path) -> LocDict:
    return load_yaml(read_text(path), str(path))


def _find_parent(name: str, child: Path, library: Sequence[Path], where: Location) -> Path | None:
    """The file ``name`` names, in the including file's folder or the library, never outside.

    Absolute paths and ``..`` are refused before anything is read, and a link that leads
    out of those folders is refused after it is resolved: an include must not read
    /etc/passwd into a run record.
    """
    if Path(name).is_absolute() or ".." in Path(name).parts or "\\" in name or "/" in name:
        raise ProtocolErrors([ProtocolError(
            f"{name!r}: extends and include name a protocol in this file's folder or the "
            "library, not an absolute path or one with '..' or a folder", where)])
    roots = [child.parent.resolve(), *(d.resolve() for d in library)]
    candidates = [child.parent / name, child.parent / f"{name}.yaml", child.parent / f"{name}.yml"]
    for directory in library:
        candidates += [directory / f"{name}.yaml", directory / f"{name}.yml"]
    for candidate in candidates:
        if not candidate.is_file():
            continue
        real = candidate.resolve()
        if not any(real.is_relative_to(root) for root in roots):
            raise ProtocolErrors([ProtocolError(
                f"{name!r} leads outside the protocol folders (to {real})", where)])
        return candidate
    return None


def _resolve_reuse(
    tree: LocDict, path: Path, library: Sequence[Path], chain: tuple[Path, ...],
    budget: list[int],
) -> LocDict:
    parent_name = tree.get("extends")
    includes = tree.get("include") or []
    if parent_name is None and not includes:
        return tree
    if len(chain) > _MAX_EXTENDS_DEPTH:
        raise ProtocolErrors(
            [ProtocolError("extends/include nested too deep", tree.key_location("extends"))]
        )
    if parent_name is not None:
        parent = _load_related(
            str(parent_name), tree.value_location("extends"), path, library, chain, budget
        )
        tree = _merge_extends(parent, tree)
    if isinstance(includes, list):
        for index, item in enumerate(includes):
            if not isinstance(item, dict) or "protocol" not in item:
                continue
            where = (
                includes.item_location(index) if isinstance(includes, LocList) else tree.location
            )
            other = _load_related(str(item["protocol"]), where, path, library, chain, budget)
            tree = _merge_include(tree, other, item)
    return tree


def _load_related(
    name: str, where: Location, path: Path, library: Sequence[Path], chain: tuple[Path, ...],
    budget: list[int],
) -> LocDict:
    budget[0] -= 1
    if budget[0] < 0:
        raise ProtocolErrors([ProtocolError(
            f"extends/include read more than {_MAX_READS} files; a protocol this large is "
            "refused", where)])
    found = _find_parent(name, path, library, where)
    if found is None:
        known = sorted({p.stem for d in library for p in d.glob("*.yaml")})
        hint = did_you_mean(name, known)
        raise ProtocolErrors(
            [
                ProtocolError(
                    f"cannot find protocol {name!r}" + (f" (did you mean {hint}?)" if hint else ""),
                    where,
                )
            ]
        )
    resolved = found.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.stem for p in (*chain, resolved))
        raise ProtocolErrors([ProtocolError(f"extends/include cycle: {cycle}", where)])
    other = _read(found)
    return _resolve_reuse(other, found, library, (*chain, resolved), budget)


def _copy_dict(source: LocDict) -> LocDict:
    out = LocDict(source)
    out.location = source.location
    out.key_locations = dict(source.key_locations)
    out.value_locations = dict(source.value_locations)
    return out


def _copy_list(source: LocList | list[Any], where: Location) -> LocList:
    out = LocList(source)
    out.location = getattr(source, "location", where)
    out.item_locations = list(getattr(source, "item_locations", [where] * len(source)))
    return out


def _merge_extends(parent: LocDict, child: LocDict) -> LocDict:
    merged = _copy_dict(parent)
    for key, value in child.items():
        if key == "extends":
            continue
        if key in ("parameters", "materials", "equipment", "variants") and isinstance(
            parent.get(key), dict
        ):
            both = _copy_dict(parent[key])
            if isinstance(value, LocDict):
                for k, v in value.items():
                    both[k] = v
                    both.key_locations[k] = value.key_location(k)
                    both.value_locations[k] = value.value_location(k)
            merged[key] = both
        elif key == "steps" and isinstance(parent.get("steps"), list) and isinstance(value, list):
            merged[key] = _merge_steps(parent["steps"], value, child.value_location("steps"))
        else:
            merged[key] = value
        merged.key_locations[key] = child.key_location(key)
        merged.value_locations[key] = child.value_location(key)
    return merged


def _merge_steps(
    parent_steps: LocList | list[Any], child_steps: LocList | list[Any], where: Location
) -> LocList:
    steps = _copy_list(parent_steps, where)
    for index, step in enumerate(child_steps):
        item_loc = child_steps.item_location(index) if isinstance(child_steps, LocList) else where
        if not isinstance(step, dict):
            steps.append(step)
            steps.item_locations.append(item_loc)
            continue
        ids = [s.get("id") if isinstance(s, dict) else None for s in steps]
        if step.get("replace") and step.get("id") in ids:
            position = ids.index(step["id"])
            steps[position] = step
            steps.item_locations[position] = item_loc
        elif step.get("before") in ids:
            position = ids.index(step["before"])
            steps.insert(position, step)
            steps.item_locations.insert(position, item_loc)
        else:
            steps.append(step)
            steps.item_locations.append(item_loc)
    return steps


def _merge_include(tree: LocDict, other: LocDict, spec: Mapping[str, Any]) -> LocDict:
    """Add another protocol's steps (ids prefixed) and declarations to this one."""
    merged = _copy_dict(tree)
    prefix = spec.get("prefix") or str(other.get("id", "included"))
    for key in ("materials", "equipment", "parameters"):
        theirs = other.get(key)
        if isinstance(theirs, LocDict):
            mine = (
                _copy_dict(merged[key]) if isinstance(merged.get(key), LocDict) else _empty(theirs)
            )
            for k, v in theirs.items():
                if k not in mine:
                    mine[k] = v
                    mine.key_locations[k] = theirs.key_location(k)
                    mine.value_locations[k] = theirs.value_location(k)
            merged[key] = mine
    own = merged.get("steps")
    steps = _copy_list(own if isinstance(own, list) else [], tree.location)
    found = other.get("steps")
    theirs_steps: LocList = found if isinstance(found, LocList) else _copy_list([], other.location)
    renamed: dict[str, str] = {}
    for s in theirs_steps:
        if isinstance(s, dict) and "id" in s:
            renamed[str(s["id"])] = f"{prefix}.{s['id']}"
    anchor = spec.get("after")
    for index, s in enumerate(theirs_steps):
        if not isinstance(s, LocDict):
            continue
        copy = _copy_dict(s)
        copy["id"] = renamed.get(str(s.get("id")), s.get("id"))
        if isinstance(s.get("after"), list):
            copy["after"] = [renamed.get(a, a) if isinstance(a, str) else a for a in s["after"]]
        elif index == 0 and anchor:
            copy["after"] = [anchor]
        steps.append(copy)
        steps.item_locations.append(theirs_steps.item_location(index))
    merged["steps"] = steps
    return merged


def _empty(like: LocDict) -> LocDict:
    out = LocDict()
    out.location = like.location
    out.key_locations = {}
    out.value_locations = {}
    return out


# ----------------------------------------------------------------------------- validating


def parse_overrides(
    tree: Mapping[str, Any], overrides: Mapping[str, str], file: str = "--param"
) -> dict[str, QRange]:
    """The protocol's parameter values with ``--param`` overrides applied and checked."""
    raw = tree.get("parameters") or {}
    values: dict[str, QRange] = {}
    errors: list[ProtocolError] = []
    declared: dict[str, Parameter] = {}
    if isinstance(raw, dict):
        for name, spec in raw.items():
            try:
                declared[name] = Parameter.model_validate(spec)
                values[name] = declared[name].default
            except ValidationError:
                continue  # reported where the parameter is validated with the protocol
    for name, text in overrides.items():
        where = Location(file, 0, 0)
        if name not in declared:
            hint = did_you_mean(name, declared)
            errors.append(
                ProtocolError(
                    f"unknown parameter {name!r}" + (f" (did you mean {hint}?)" if hint else ""),
                    where,
                )
            )
            continue
        try:
            values[name] = parameter_value(declared[name], text)
        except QuantityError as exc:
            why = str(exc)
            sep = " " if why.startswith("is ") else ": "
            errors.append(ProtocolError(f"{name}={text}{sep}{why}", where))  # where: --param
    if errors:
        raise ProtocolErrors(errors)
    return values


def parameter_value(param: Parameter, text: str) -> QRange:
    """``text`` as a value of ``param``: same dimension as its default, inside its range.

    The run-start form checks each field with this as it is typed, so the form and
    ``--param`` refuse exactly the same values with the same words.
    """
    value = parse_quantity(text)
    check_kind(value, _kind_like(param.default))
    value = value.to(param.default.unit) if param.default.unit else value
    if param.range is not None and not _within(value, param.range):
        raise QuantityError(f"is outside the allowed range {param.range}")
    return QRange(value.low, value.high, value.unit, text.strip(), value.nominal)


def _kind_like(value: QRange) -> str:
    from elab.units import KINDS, _dimensionality

    dim = _dimensionality(value.unit)
    for kind, dims in KINDS.items():
        if dims == (dim,):
            return kind
    return "dimensionless" if not dim else next(k for k, d in KINDS.items() if dim in d)


def _within(value: QRange, allowed: QRange) -> bool:
    ends = [v for v in (value.low, value.high) if v is not None]
    return all(allowed.contains(v, value.unit) for v in ends)


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
