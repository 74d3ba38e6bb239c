"""Arms: a design factor that drives the step graph (``for_each: time``).

A time course is not one step "3-48 h": each time point is its own branch, with its own
timer, its own harvest and its own place in the plan.  A step that says ``for_each: F``
(``F`` a factor of the design) is copied once per level of ``F``; every ``$F`` in the copy
(its duration, title, text...) becomes the level.  The rule for the edges is local:

- a copy follows the copy *of the same level* of a predecessor that is an arm of the same
  factor (``exposure.24h`` after ``treat.24h``), and every other predecessor itself;
- a step that is not an arm, after an arm step, follows every copy of it: the join.

A per-sample use in a copy reaches only the samples of its level: the other levels, and the
controls named for another level (``DMSO at 24 h``), are added to its ``exclude``.

So ``treat -> exposure -> lyse`` with ``for_each: time`` on ``exposure`` and ``lyse`` gives
one branch per time point after the shared ``treat``.  Copies are named ``STEP.LEVEL``
(``exposure.3h``: the level lower-cased, spaces dropped, ``µ`` as ``u``), a valid step id,
stable as long as the levels are.

The design's ``stagger`` says what is staggered when the arms take their length from the
factor (a duration ``$F``, the *timed* step): ``harvest`` (all arms treated at once and
harvested at their own times: the timed step begins each arm and a later step of the arm
harvests it) or ``treatment`` (arms treated at their own times and harvested together: the
timed step ends each arm and an earlier step of the arm treats it).  Since a sample goes
straight on after an incubation, that shape is what the scheduler plans.

This runs on the resolved document, before validation, so the copies are validated and
checked like any written step and their errors point at the lines they were copied from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from elab.domain.protocol.counting import counts_samples
from elab.domain.protocol.yamlsource import LocDict, LocList
from elab.errors import Location, ProtocolError, ProtocolErrors, QuantityError, did_you_mean
from elab.units import check_kind, parse_quantity

if TYPE_CHECKING:
    from elab.domain.protocol.model import Protocol

__all__ = ["MAX_ARMS", "arm_id", "arms_line", "expand_arms", "level_slug", "written_id"]

MAX_ARMS = 100  # levels one for_each may expand to
_DURATION_KEYS = {"duration", "hands_on", "each", "interval", "for", "window", "within",
                  "cycle", "on", "off"}
_STAGGERS = ("harvest", "treatment")


def level_slug(level: str) -> str:
    """A level as it appears in a step id: ``3 h`` -> ``3h``, ``0.1 µM`` -> ``0.1um``."""
    text = level.strip().lower().replace("µ", "u").replace("μ", "u").replace("%", "pct")
    text = re.sub(r"\s+", "", text)
    text = re.sub(r"[^a-z0-9_.-]+", "-", text).strip("-._")
    return text or "level"


def arm_id(step_id: str, level: str) -> str:
    """The id of the copy of ``step_id`` for one level: ``exposure.3h``."""
    return f"{step_id}.{level_slug(level)}"


def _level_texts(factor: Mapping[str, Any]) -> list[str]:
    """A factor's levels as text; a bare number takes the factor's unit (``3`` -> ``3 h``)."""
    unit = factor.get("unit")
    levels = factor.get("levels")
    out = []
    for level in levels if isinstance(levels, list) else []:
        bare = isinstance(level, int | float) and not isinstance(level, bool)
        out.append(f"{level} {unit}" if unit and bare else str(level))
    return out


def _where(node: Any, key: str | int, file: str) -> Location:
    if isinstance(node, LocDict) and isinstance(key, str):
        return node.value_location(key)
    if isinstance(node, LocList) and isinstance(key, int):
        return node.item_location(key)
    return getattr(node, "location", Location(file, 1, 1))


def _ref_name(ref: Any) -> str | None:
    if isinstance(ref, str):
        return ref
    if isinstance(ref, Mapping) and isinstance(ref.get("step"), str):
        return str(ref["step"])
    return None


def _copy(node: Any, change: Any) -> Any:
    """A deep copy of a located node with ``change`` applied to every string in it."""
    if isinstance(node, dict):
        out = LocDict((k, _copy(v, change)) for k, v in node.items())
        out.location = getattr(node, "location", Location("", 1, 1))
        out.key_locations = dict(getattr(node, "key_locations", {}))
        out.value_locations = dict(getattr(node, "value_locations", {}))
        return out
    if isinstance(node, list):
        items = LocList(_copy(v, change) for v in node)
        items.location = getattr(node, "location", Location("", 1, 1))
        items.item_locations = list(getattr(node, "item_locations", []))
        return items
    return change(node) if isinstance(node, str) else node


def _mentions(node: Any, pattern: re.Pattern[str], path: tuple[Any, ...] = ()) -> list[
        tuple[tuple[Any, ...], Any, str | int]]:
    """Every (path, container, key) whose string value mentions ``pattern``."""
    found: list[tuple[tuple[Any, ...], Any, str | int]] = []
    items: list[tuple[Any, Any]] = (list(node.items()) if isinstance(node, dict)
                                    else list(enumerate(node)) if isinstance(node, list) else [])
    for key, value in items:
        if isinstance(value, str) and pattern.search(value):
            found.append(((*path, key), node, key))
        elif isinstance(value, dict | list):
            found += _mentions(value, pattern, (*path, key))
    return found


def _names_level(name: str, levels: list[str]) -> bool:
    """Whether a control's name names one of ``levels`` (``DMSO at 24 h`` names ``24 h``)."""
    return any(re.search(rf"(?<![\w.]){re.escape(lv)}(?![\w.])", name) for lv in levels)


class _Arms:
    """One expansion: the written steps, their resolved predecessors, the copies."""

    def __init__(self, tree: Mapping[str, Any], file: str) -> None:
        self.tree = tree
        self.file = file
        self.errors: list[ProtocolError] = []
        design = tree.get("design")
        self.design: Mapping[str, Any] = design if isinstance(design, Mapping) else {}
        factors = self.design.get("factors")
        self.factors = {str(f["name"]): _level_texts(f) for f in
                        (factors if isinstance(factors, list) else [])
                        if isinstance(f, Mapping) and "name" in f}
        controls = self.design.get("controls")
        self.controls = [str(c["name"]) for c in (controls if isinstance(controls, list) else [])
                         if isinstance(c, Mapping) and "name" in c]
        params = tree.get("parameters")
        self.params = set(params) if isinstance(params, Mapping) else set()
        raw = tree.get("steps")
        self.steps_node: list[Any] = raw if isinstance(raw, list) else []
        self.steps = [s for s in self.steps_node if isinstance(s, Mapping) and "id" in s]
        self.by_id = {str(s["id"]): s for s in self.steps}
        self.arm_of: dict[str, str] = {}  # written step id -> its factor
        self.preds: dict[str, list[Any]] = {}  # step id -> after refs (implicit made explicit)

    def error(self, message: str, node: Any, key: str | int) -> None:
        self.errors.append(ProtocolError(message, _where(node, key, self.file)))

    def factors_of_steps(self) -> None:
        for step in self.steps:
            name = step.get("for_each")
            if name is None and step.get("arm") is not None:
                self.error("arm: is the level of a copy the loader makes; write for_each: "
                           "FACTOR instead", step, "arm")
            if name is None or step.get("arm") is not None:
                continue
            if not isinstance(name, str) or name not in self.factors:
                known = self.factors
                hint = did_you_mean(str(name), known)
                why = (f" (did you mean {hint}?)" if hint else
                       f" (the design's factors: {', '.join(known)})" if known else
                       " (the protocol has no design factors)")
                self.error(f"for_each: unknown design factor {name!r}{why}", step, "for_each")
                continue
            levels = self.factors[name]
            slugs = [level_slug(level) for level in levels]
            if len(set(slugs)) != len(slugs):
                self.error(f"for_each: {name}: levels {levels} do not give distinct step ids",
                           step, "for_each")
            elif len(levels) > MAX_ARMS:
                self.error(f"for_each: {name} has {len(levels)} levels; at most {MAX_ARMS}",
                           step, "for_each")
            else:
                self.arm_of[str(step["id"])] = name

    def resolve_preds(self) -> None:
        """Each step's ``after`` list, the implicit "previous step" written out where arms meet."""
        previous: Mapping[str, Any] | None = None
        for step in self.steps:
            sid = str(step["id"])
            after = step.get("after")
            if isinstance(after, list):
                self.preds[sid] = list(after)
            elif after is None and previous is not None:
                self.preds[sid] = [str(previous["id"])]
                meets = sid in self.arm_of or str(previous["id"]) in self.arm_of
                if meets and previous.get("variant") is not None:
                    self.error(f"step {sid!r}: the step before it belongs to a variant, so "
                               "where its arms meet depends on the variant; give it an after:",
                               step, "id")
            else:
                self.preds[sid] = []
            previous = step

    def stray_references(self) -> None:
        """``$F`` of a factor in a step that is not an arm of it: a forgotten ``for_each``."""
        for step in self.steps:
            own = self.arm_of.get(str(step["id"]))
            for name in self.factors:
                if name == own or name in self.params:
                    continue
                pattern = re.compile(rf"\${re.escape(name)}(?![A-Za-z0-9_])")
                for _, node, key in _mentions(step, pattern):
                    self.error(f"${name} is a design factor: step {step['id']!r} needs "
                               f"for_each: {name} to take its levels", node, key)

    def timed(self, step: Mapping[str, Any]) -> bool:
        """Whether the arm takes a duration from its factor, checking every level is one."""
        name = self.arm_of[str(step["id"])]
        pattern = re.compile(rf"^\s*\${re.escape(name)}\s*$")
        found = False
        for path, node, key in _mentions(step, pattern):
            if str(path[-1]) not in _DURATION_KEYS:
                continue
            found = True
            for level in self.factors[name]:
                try:
                    check_kind(parse_quantity(level), "time")
                except (QuantityError, ValueError):
                    self.error(f"for_each: {name}: level {level!r} is not a duration, but "
                               f"step {step['id']!r} takes its {path[-1]} from ${name}",
                               node, key)
        return found

    def stagger(self) -> None:
        """The timed steps against the design's ``stagger`` (see the module docstring)."""
        succs: dict[str, list[str]] = {}
        for sid, refs in self.preds.items():
            for ref in refs:
                succs.setdefault(str(_ref_name(ref)), []).append(sid)
        stagger = self.design.get("stagger")
        for sid, factor in self.arm_of.items():
            step = self.by_id[sid]
            if not self.timed(step):
                continue
            before = [str(_ref_name(r)) for r in self.preds[sid]]
            after = succs.get(sid, [])
            in_arm = [n for n in before if self.arm_of.get(n) == factor]
            out_arm = [n for n in after if self.arm_of.get(n) == factor]
            if stagger not in _STAGGERS:
                if stagger is None:
                    self.error(f"step {sid!r} times each arm by ${factor}: the design must say "
                               "stagger: harvest (arms treated at once, each harvested at its "
                               "time) or stagger: treatment (treated at their times, harvested "
                               "together)", step, "for_each")
                continue
            if stagger == "harvest":
                self._shape(step, factor, in_arm, bool(after) and not out_arm, "harvest")
            else:
                self._shape(step, factor, out_arm, bool(before) and not in_arm, "treatment")

    def _shape(self, step: Mapping[str, Any], factor: str, wrong: list[str], open_end: bool,
               stagger: str) -> None:
        """Harvest: no arm step before the timed one, an arm step after it (its harvest);
        treatment: the mirror image."""
        sid = str(step["id"])
        side, other, does = (("before", "after", "treats all arms at once")
                             if stagger == "harvest"
                             else ("after", "before", "harvests all arms together"))
        if wrong:
            self.error(f"stagger: {stagger} {does}, but {wrong[0]!r} {side} {sid!r} is "
                       f"for_each: {factor}; drop its for_each", step, "for_each")
        if open_end:
            what = "harvested" if stagger == "harvest" else "treated"
            self.error(f"stagger: {stagger}: each arm is {what} at its own time, so the step "
                       f"{other} {sid!r} needs for_each: {factor} too", step, "for_each")

    def _after(self, refs: list[Any], factor: str | None, level: str | None) -> LocList:
        """``refs`` with arm steps replaced by their copy at ``level`` or by all copies."""
        out = LocList()
        out.location = getattr(refs, "location", Location(self.file, 1, 1))
        out.item_locations = []
        for index, ref in enumerate(refs):
            name = _ref_name(ref)
            where = _where(refs, index, self.file)
            other = self.arm_of.get(str(name))
            if other is None:
                copies = [ref]
            else:
                chosen = ([level] if other == factor and level is not None
                          else self.factors[other])
                copies = [self._retarget(ref, arm_id(str(name), lv)) for lv in chosen]
            out.extend(copies)
            out.item_locations.extend([where] * len(copies))
        return out

    @staticmethod
    def _retarget(ref: Any, target: str) -> Any:
        if isinstance(ref, dict):
            moved = _copy(ref, lambda s: s)
            moved["step"] = target
            return moved
        return target

    def copies(self, step: Mapping[str, Any]) -> list[Any]:
        """The step as written (edges to arms rewritten), or one copy per level."""
        sid = str(step["id"])
        factor = self.arm_of.get(sid)
        touches = any(str(_ref_name(r)) in self.arm_of for r in self.preds.get(sid, []))
        if factor is None:
            if not touches:
                return [step]
            joined = _copy(step, lambda s: s)
            joined["after"] = self._after(self.preds[sid], None, None)
            return [joined]
        return [self._arm(step, factor, level) for level in self.factors[factor]]

    def _arm(self, step: Mapping[str, Any], factor: str, level: str) -> LocDict:
        sid = str(step["id"])
        exact = re.compile(rf"^\s*\${re.escape(factor)}\s*$")
        inline = re.compile(rf"\${re.escape(factor)}(?![A-Za-z0-9_])")

        def put(text: str) -> str:
            return level if exact.match(text) else inline.sub(level, text)

        arm: LocDict = _copy(step, put)
        arm["id"] = arm_id(sid, level)
        arm["arm"] = level
        title = step.get("title")
        if isinstance(title, str) and not inline.search(title):
            arm["title"] = f"{title} ({factor} {level})"
        arm["after"] = self._after(self.preds[sid], factor, level)
        if "after" not in arm.key_locations:
            arm.key_locations["after"] = _where(step, "id", self.file)
        others = [lv for lv in self.factors[factor] if lv != level]
        others += [c for c in self.controls if _names_level(c, others) and not _names_level(
            c, [level])]
        for use in arm.get("uses") or []:
            if isinstance(use, LocDict) and counts_samples(str(use.get("per", "run"))):
                kept = use.get("exclude")
                use["exclude"] = [*(kept if isinstance(kept, list) else []), *others]
        return arm


def expand_arms(tree: Mapping[str, Any], file: str) -> Mapping[str, Any]:
    """The document with every ``for_each`` step copied per level of its factor.

    Returns ``tree`` itself when no step has ``for_each`` (or every one is already a copy),
    so expanding twice is expanding once.  Raises ProtocolErrors, each located.
    """
    arms = _Arms(tree, file)
    arms.factors_of_steps()
    if not arms.arm_of and not arms.errors:
        arms.stray_references()
        if arms.errors:
            raise ProtocolErrors(arms.errors)
        return tree
    arms.resolve_preds()
    arms.stray_references()
    arms.stagger()
    if arms.errors:
        raise ProtocolErrors(arms.errors)
    steps = LocList()
    steps.location = getattr(arms.steps_node, "location", Location(file, 1, 1))
    steps.item_locations = []
    for index, step in enumerate(arms.steps_node):
        where = _where(arms.steps_node, index, file)
        made = arms.copies(step) if isinstance(step, Mapping) and "id" in step else [step]
        steps.extend(made)
        steps.item_locations.extend([where] * len(made))
    out = LocDict(tree)
    out.location = getattr(tree, "location", Location(file, 1, 1))
    out.key_locations = dict(getattr(tree, "key_locations", {}))
    out.value_locations = dict(getattr(tree, "value_locations", {}))
    out["steps"] = steps
    return out


def written_id(step_id: str, arm: str | None) -> str:
    """The id a copy was made from (``exposure.3h`` at ``3 h`` -> ``exposure``): what a
    reference such as ``dosing: step:`` names."""
    return step_id.removesuffix("." + level_slug(arm)) if arm is not None else step_id


def arms_line(protocol: Protocol) -> str | None:
    """``time (3 h, 24 h, 48 h), stagger: harvest; steps exposure, lyse`` or None."""
    levels: dict[str, dict[str, None]] = {}
    steps: dict[str, dict[str, None]] = {}
    for step in protocol.steps:
        if step.for_each is None or step.arm is None:
            continue
        levels.setdefault(step.for_each, {})[step.arm] = None
        steps.setdefault(step.for_each, {})[written_id(step.id, step.arm)] = None
    if not levels:
        return None
    stagger = protocol.design.stagger if protocol.design else None
    parts = [f"{factor} ({', '.join(found)})" + (f", stagger: {stagger}" if stagger else "")
             + f"; steps {', '.join(steps[factor])}" for factor, found in levels.items()]
    return " | ".join(parts)
