"""Arithmetic on named quantities, for values a protocol derives from recorded ones.

A protocol may say ``loading_volume = protein_per_lane / protein_conc``: the loading volume
of each lysate follows from the BCA reading and the amount per lane.  Protocol files come
from other people, so the expression is never handed to ``eval``: Python's own parser
(:mod:`ast`) reads it, and only a whitelist of nodes is accepted (numbers, names,
``+ - * /``, unary minus and parentheses).  Attribute access, calls, subscripts, powers,
comparisons and everything else are refused with the place they start, before anything is
evaluated.  Evaluation walks the checked tree with pint quantities, so units follow the
arithmetic and adding a mass to a volume is a :class:`DimensionError`.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from elab.errors import DimensionError, ExpressionError

__all__ = ["Expression", "evaluate", "parse_expression", "units_text"]

MAX_LENGTH = 200
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_ALLOWED = "only numbers, names, + - * / and parentheses are allowed"
_WHAT = {
    ast.Attribute: "attribute access",
    ast.Call: "a call",
    ast.Subscript: "a subscript",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator",
    ast.IfExp: "a conditional",
    ast.NamedExpr: "an assignment",
    ast.Starred: "a starred expression",
}


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, the names it reads and the tree to evaluate."""

    text: str
    names: tuple[str, ...]
    tree: ast.expr = field(repr=False, compare=False)


def parse_expression(text: object) -> Expression:
    """``text`` checked against the whitelist; :class:`ExpressionError` says where it fails."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression is text, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is longer than {MAX_LENGTH} characters",
                              MAX_LENGTH)
    for index, char in enumerate(text):
        if not (char.isascii() and char.isprintable()):
            raise ExpressionError(
                f"character {char!r} is not allowed: an expression is one line of ASCII "
                "(names, numbers, + - * / and parentheses)", index)
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if not stripped:
        raise ExpressionError("the expression is empty")
    try:
        module = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        offset = lead + max((exc.offset or 1) - 1, 0)
        raise ExpressionError(f"not an expression ({exc.msg})", offset) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("not an expression") from None
    names: list[str] = []
    _check(module.body, stripped, lead, names)
    return Expression(text, tuple(dict.fromkeys(names)), module.body)


def _check(node: ast.AST, source: str, lead: int, names: list[str]) -> None:
    offset = lead + getattr(node, "col_offset", 0)
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPS:
            shown = {ast.Pow: "**", ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@"}.get(
                type(node.op), type(node.op).__name__)
            raise ExpressionError(f"operator {shown!r} is not allowed: {_ALLOWED}",
                                  lead + node.left.end_col_offset if node.left.end_col_offset
                                  is not None else offset)
        _check(node.left, source, lead, names)
        _check(node.right, source, lead, names)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError(f"{_segment(source, node)!r}: {_ALLOWED}", offset)
        _check(node.operand, source, lead, names)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"{_segment(source, node)!r} is not a number: {_ALLOWED}",
                                  offset)
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ExpressionError(f"{_segment(source, node)!r} is too large", offset)
    elif isinstance(node, ast.Name):
        if not _NAME.match(node.id):
            raise ExpressionError(f"{node.id!r} is not a plain name (ASCII letters, digits, _)",
                                  offset)
        names.append(node.id)
    else:
        what = _WHAT.get(type(node), f"{type(node).__name__.lower()}")
        raise ExpressionError(f"{_segment(source, node)!r}: {what} is not allowed; {_ALLOWED}",
                              offset)


def _segment(source: str, node: ast.AST) -> str:
    return ast.get_source_segment(source, node) or type(node).__name__


def units_text(value: Any) -> str:
    """A quantity's units as people write them (``µg / mL``); plain numbers are ``1``."""
    if not hasattr(type(value), "units"):  # a class attribute: never ask the value itself
        return "1"
    units = value.units
    text = format(units, "~P") or "1"
    return re.sub(r"(?<![A-Za-z])([pnµumcd]?)l(?![A-Za-z])", r"\1L", text)


def evaluate(expression: Expression, values: Mapping[str, Any]) -> Any:
    """The expression's value with ``values`` (pint quantities or numbers) for its names.

    Raises :class:`ExpressionError` for a missing name, a division by zero or a result that
    is not a finite number, and :class:`DimensionError` for adding unlike quantities.
    """
    result = _eval(expression.tree, values, expression.text.strip())
    magnitude = result.magnitude if hasattr(type(result), "magnitude") else result
    try:
        finite = math.isfinite(float(magnitude))
    except (TypeError, ValueError, OverflowError):
        finite = False
    if not finite:
        raise ExpressionError(f"{expression.text.strip()!r} does not give a finite number")
    return result


def _eval(node: ast.expr, values: Mapping[str, Any], source: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        try:
            return float(node.value)
        except OverflowError:
            raise ExpressionError(f"{_segment(source, node)!r} is too large",
                                  node.col_offset) from None
    if isinstance(node, ast.Name):
        if node.id not in values:
            raise ExpressionError(f"no value for {node.id!r}", node.col_offset)
        return values[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values, source)
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, values, source)
        right = _eval(node.right, values, source)
        return _binary(node, left, right, source)
    raise ExpressionError(f"{_segment(source, node)!r}: {_ALLOWED}", node.col_offset)


def _binary(node: ast.BinOp, left: Any, right: Any, source: str) -> Any:
    op = type(node.op)
    try:
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        return left / right
    except ZeroDivisionError:
        raise ExpressionError(f"division by zero in {_segment(source, node)!r}",
                              node.col_offset) from None
    except TypeError:  # pint's DimensionalityError is one: unlike quantities added
        verb = {ast.Add: "add", ast.Sub: "subtract"}.get(op, "combine")
        raise DimensionError(
            f"cannot {verb} {units_text(left)} and {units_text(right)} in "
            f"{_segment(source, node)!r}") from None
    except OverflowError:
        raise ExpressionError(f"{_segment(source, node)!r} overflows",
                              node.col_offset) from None
