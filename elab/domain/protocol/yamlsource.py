"""Reading protocol YAML safely, keeping where every value was written.

Protocol files come from people and from other labs, so the loader refuses what YAML can
do beyond plain data: tags that would construct objects, anchors and aliases (the way to a
billion-laughs bomb), duplicate keys and huge files.  What it returns is plain ``dict`` and
``list`` subclasses that remember the file, line and column of every key and value, so that
a validation error found later can still point at ``FILE:LINE:COL``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from elab.errors import Location, ProtocolError

__all__ = ["MAX_BYTES", "LocDict", "LocList", "load_yaml", "locate", "read_text"]

MAX_BYTES = 1_000_000
_MAX_DEPTH = 64
_MAX_NODES = 200_000
_STANDARD_TAGS = {
    None,
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}


class LocDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys and values were written."""

    location: Location
    key_locations: dict[str, Location]
    value_locations: dict[str, Location]

    def key_location(self, key: str) -> Location:
        return self.key_locations.get(key, self.location)

    def value_location(self, key: str) -> Location:
        return self.value_locations.get(key, self.key_location(key))


class LocList(list[Any]):
    """A sequence that remembers where it and each of its items were written."""

    location: Location
    item_locations: list[Location]

    def item_location(self, index: int) -> Location:
        if 0 <= index < len(self.item_locations):
            return self.item_locations[index]
        return self.location


def _tag_of(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    if tag is None:
        return None
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) or value is None else str(value)


class _Converter:
    """Turns ruamel's round-trip tree into LocDict/LocList, refusing what is not plain data."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.errors: list[ProtocolError] = []
        self.seen: set[int] = set()
        self.count = 0

    def loc(self, line: int, col: int) -> Location:
        return Location(self.file, line + 1, col + 1)

    def convert(self, node: Any, where: Location, depth: int = 0) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar

        self.count += 1
        if self.count > _MAX_NODES:
            raise ProtocolError(f"more than {_MAX_NODES} values in one file", where)
        if depth > _MAX_DEPTH:
            raise ProtocolError(f"nested deeper than {_MAX_DEPTH} levels", where)
        tag = _tag_of(node)
        if isinstance(node, TaggedScalar) or tag not in _STANDARD_TAGS:
            self.errors.append(ProtocolError(f"YAML tag {tag!r} is not allowed here", where))
            return None
        if isinstance(node, CommentedMap | CommentedSeq):
            if id(node) in self.seen:
                self.errors.append(ProtocolError("YAML aliases (*name) are not allowed", where))
                return None
            self.seen.add(id(node))
            if getattr(node, "anchor", None) is not None and node.anchor.value is not None:
                self.errors.append(ProtocolError("YAML anchors (&name) are not allowed", where))
        if isinstance(node, CommentedMap):
            return self.mapping(node, where, depth)
        if isinstance(node, CommentedSeq):
            return self.sequence(node, where, depth)
        if isinstance(node, float) and not math.isfinite(node):
            self.errors.append(ProtocolError(f"{node} is not a finite number", where))
            return None
        if isinstance(node, bool | int | float | str) or node is None:
            return str(node) if isinstance(node, str) else node
        # Dates, timestamps and other implicit types are kept as the text the person wrote.
        return str(node)

    def mapping(self, node: Any, where: Location, depth: int) -> LocDict:
        out = LocDict()
        out.location = self.loc(node.lc.line, node.lc.col) if node.lc.line is not None else where
        out.key_locations = {}
        out.value_locations = {}
        if getattr(node, "merge", None):
            # ``<<:`` merge keys copy another mapping in; like aliases, they hide what the
            # protocol says, and the merged keys have no place in this file.
            self.errors.append(ProtocolError("YAML merge keys (<<:) are not allowed", out.location))
        for original in node:
            place = node.lc.key(original)
            if place is None:
                # A key with no place of its own (merged in, or from an !!omap): refused above
                # or by its tag; it has no location to point at.
                continue
            kline, kcol = place
            key_loc = self.loc(kline, kcol)
            key = original
            if not isinstance(original, str):
                self.errors.append(ProtocolError(f"key {original!r} must be a word", key_loc))
                key = str(original)
            try:
                vline, vcol = node.lc.value(original)
            except (KeyError, TypeError):
                vline, vcol = kline, kcol
            value_loc = self.loc(vline, vcol)
            out.key_locations[key] = key_loc
            out.value_locations[key] = value_loc
            out[key] = self.convert(node[original], value_loc, depth + 1)
        return out

    def sequence(self, node: Any, where: Location, depth: int) -> LocList:
        out = LocList()
        out.location = self.loc(node.lc.line, node.lc.col) if node.lc.line is not None else where
        out.item_locations = []
        for index, item in enumerate(node):
            line, col = node.lc.item(index)
            item_loc = self.loc(line, col)
            out.item_locations.append(item_loc)
            out.append(self.convert(item, item_loc, depth + 1))
        return out


def load_yaml(text: str, file: str) -> LocDict:
    """Parse protocol YAML into a located tree; every problem is a located ProtocolError.

    Raises :class:`~elab.errors.ProtocolErrors` listing everything found.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    from elab.errors import ProtocolErrors

    top = Location(file, 1, 1)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ProtocolErrors([ProtocolError(f"file is larger than {MAX_BYTES} bytes", top)])
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        node = yaml.load(text)
    except DuplicateKeyError as exc:
        raise ProtocolErrors([_marked(exc, file, "duplicate key")]) from None
    except MarkedYAMLError as exc:
        raise ProtocolErrors([_marked(exc, file, "YAML syntax error")]) from None
    except ReaderError as exc:
        raise ProtocolErrors([_unreadable(exc, text, file)]) from None
    except (YAMLError, RecursionError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ProtocolErrors([ProtocolError(f"YAML error: {exc}", top)]) from None
    converter = _Converter(file)
    tree = converter.convert(node, top)
    if converter.errors:  # ten aliases on one line are one mistake there: one line
        raise ProtocolErrors(list({str(e): e for e in converter.errors}.values()))
    if not isinstance(tree, LocDict):
        raise ProtocolErrors([ProtocolError("a protocol file must be a mapping of keys", top)])
    return tree


def _marked(exc: Any, file: str, what: str) -> ProtocolError:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "").strip()
    if what == "duplicate key":
        detail = str(exc).splitlines()
        found = next((line.strip() for line in detail if "found duplicate key" in line), "")
        problem = found.replace("found ", "") or problem
        return ProtocolError(problem or "duplicate key", _mark_location(mark, file))
    return ProtocolError(f"{what}: {problem}", _mark_location(mark, file))


def _unreadable(exc: Any, text: str, file: str) -> ProtocolError:
    """A character YAML refuses (a NUL byte, a control character), at its line and column."""
    position = exc.position if isinstance(exc.position, int) else 0
    line = text.count("\n", 0, position) + 1
    col = position - (text.rfind("\n", 0, position) + 1) + 1
    character = exc.character if isinstance(exc.character, int) else 0
    return ProtocolError(f"character U+{character:04X} is not allowed in a protocol file "
                         "(YAML allows no control character but tab, newline and carriage return)",
                         Location(file, line, col))


def _mark_location(mark: Any, file: str) -> Location:
    if mark is None:
        return Location(file, 1, 1)
    return Location(file, mark.line + 1, mark.column + 1)


def read_text(path: Path) -> str:
    """A protocol file's text: a regular file, never read past MAX_BYTES (see elab.files)."""
    from elab.errors import InputError, ProtocolErrors
    from elab.files import read_bytes

    where = Location(str(path), 0, 0)
    try:
        data = read_bytes(path, MAX_BYTES, what="protocol file")
    except InputError as exc:
        reason = str(exc).removeprefix(f"{path}: ")
        raise ProtocolErrors([ProtocolError(reason, where)]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ProtocolErrors([ProtocolError("file is not UTF-8 text", where)]) from None


def locate(tree: Any, path: Sequence[str | int], *, key: bool = False) -> Location | None:
    """The place in the file of the value at ``path``, or of its last key when ``key``.

    Path elements that are not in the tree (pydantic adds union tags) are skipped, so the
    answer is the deepest place that exists.
    """
    node = tree
    best: Location | None = getattr(tree, "location", None)
    for element in path:
        if isinstance(node, LocDict) and isinstance(element, str) and element in node:
            best = node.key_location(element) if key else node.value_location(element)
            node = node[element]
        elif isinstance(node, LocList) and isinstance(element, int) and 0 <= element < len(node):
            best = node.item_location(element)
            node = node[element]
        else:
            continue
    return best
