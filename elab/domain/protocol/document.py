"""A protocol file read into one resolved document: ``extends:``, ``include:`` and arms.

Read the YAML safely (:mod:`.yamlsource`), resolve ``extends:`` and ``include:`` into one
document (never reading outside the protocol folders), and copy each ``for_each`` step per
level of its factor (:mod:`.arms`).  The resolved document is what a run stores, with its
SHA-256, so editing the YAML later never changes a past run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from elab.domain.protocol.arms import expand_arms
from elab.domain.protocol.yamlsource import LocDict, LocList, load_yaml, read_text
from elab.errors import Location, ProtocolError, ProtocolErrors, did_you_mean

__all__ = ["ProtocolDocument", "content_sha256", "load_document"]

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
