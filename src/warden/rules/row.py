"""The row evaluator: each typed AST compiles to nested closures over one event's values.

Null follows SQL/Polars semantics so the row and the vectorised evaluator agree: comparisons, arithmetic,
functions and `in` with a null give null, and/or/not use three-valued logic, and a rule hits only when its
condition is true. Division by zero gives null. Explanations re-evaluate each sub-expression, only for hits.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from warden.chain.addresses import canonical_address
from warden.rules.functions import FUNCTIONS
from warden.rules.nodes import Arith, BoolOp, Call, Compare, Const, Field, InList, IsNone, Neg, Node, Not

Env = Mapping[str, Any]
RowFn = Callable[[Env], Any]

_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": operator.add, "-": operator.sub, "*": operator.mul}


def to_number(value: Any) -> float | None:
    """Event amounts arrive as decimal strings or Decimals, features as ints or floats; NaN counts as null."""
    if value is None:
        return None
    if type(value) is float:
        return None if math.isnan(value) else value
    try:
        number = float(value) if not isinstance(value, str) else float(Decimal(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return None if math.isnan(number) else number


def _hour_utc(env: Env) -> float | None:
    value = env.get("hour_utc")
    if value is not None:
        return to_number(value)
    occurred = env.get("occurred_at")
    if isinstance(occurred, datetime):
        return float(occurred.hour)  # events are UTC once validated
    if isinstance(occurred, str) and len(occurred) >= 13:
        return to_number(occurred[11:13])
    return None


class RowCompiler:
    """Compiles nodes to closures and keeps each node's closure, so explanations can show every value."""

    def __init__(self, fused: bool = True) -> None:
        self.compiled: dict[int, RowFn] = {}
        # `number_field <op> constant` read and compared in one closure; fused=False is the plain path that
        # tests compare it with (tests/rules/test_rules_parity.py)
        self.fused = fused

    def compile(self, node: Node) -> RowFn:
        fn = self._build(node)
        self.compiled[id(node)] = fn
        return fn

    def explain(self, node: Node, env: Env) -> dict[str, Any]:
        """The value of every sub-expression down to the leaves: why a rule hit."""
        out: dict[str, Any] = {"expr": node.text, "value": self.compiled[id(node)](env)}
        children = node.children()
        if children:
            out["args"] = [self.explain(child, env) for child in children]
        return out

    def _build(self, node: Node) -> RowFn:
        if isinstance(node, Const):
            value = node.value
            return lambda env: value
        if isinstance(node, Field):
            return _field(node)
        if isinstance(node, Compare):
            left, right = self.compile(node.left), self.compile(node.right)
            if isinstance(node.right, Const) and node.right.value is not None:
                number = node.left
                if self.fused and isinstance(number, Field) and number.kind == "num" and number.name != "hour_utc":
                    return _compare_number_field(node.op, number.name, node.right.value)
                return _compare_const(node.op, left, node.right.value)  # `field < 7`: most conditions
            return _compare(node.op, left, right)
        if isinstance(node, BoolOp):
            fns = [self.compile(o) for o in node.operands]
            return _and(fns) if node.op == "and" else _or(fns)
        if isinstance(node, Not):
            inner = self.compile(node.operand)

            def not_(env: Env) -> bool | None:
                v = inner(env)
                return None if v is None else not v

            return not_
        if isinstance(node, InList):
            return _in_list(node, self.compile(node.value))
        if isinstance(node, Arith):
            return _arith(node.op, self.compile(node.left), self.compile(node.right))
        if isinstance(node, Neg):
            inner_neg = self.compile(node.operand)
            return lambda env: None if (v := inner_neg(env)) is None else -v
        if isinstance(node, IsNone):
            inner_none = self.compile(node.operand)
            if node.negate:
                return lambda env: inner_none(env) is not None
            return lambda env: inner_none(env) is None
        if isinstance(node, Call):
            return _call(node, [self.compile(a) for a in node.args])
        raise TypeError(f"unknown node {type(node).__name__}")


def _field(node: Field) -> RowFn:
    name = node.name
    if name == "hour_utc":
        return _hour_utc
    if node.kind == "num":

        def num(env: Env) -> float | None:
            v = env.get(name)
            if type(v) is float and v == v:  # the common cases first: a float that is not NaN, a count
                return v
            if type(v) is int:
                return float(v)
            return to_number(v)

        return num
    return lambda env: env.get(name)


def _compare_number_field(op: str, name: str, const: Any) -> RowFn:
    """`_compare_const` of a number field (`_field`'s `num`) in one closure: one call fewer per comparison, and
    comparisons of a feature with a constant are most of the conditions."""
    cmp = _CMP[op]

    def compare_field(env: Env) -> bool | None:
        v = env.get(name)
        if type(v) is float and v == v:  # as `num`: a float that is not NaN, a count, else to_number
            return cmp(v, const)
        if type(v) is int:
            return cmp(float(v), const)
        number = to_number(v)
        return None if number is None else cmp(number, const)

    return compare_field


def _compare(op: str, left: RowFn, right: RowFn) -> RowFn:
    cmp = _CMP[op]

    def compare(env: Env) -> bool | None:
        a = left(env)
        if a is None:
            return None
        b = right(env)
        if b is None:
            return None
        return cmp(a, b)

    return compare


def _compare_const(op: str, left: RowFn, const: Any) -> RowFn:
    """`_compare` against a constant that is not null: one call fewer for each comparison."""
    cmp = _CMP[op]

    def compare(env: Env) -> bool | None:
        a = left(env)
        return None if a is None else cmp(a, const)

    return compare


def _and(fns: list[RowFn]) -> RowFn:
    def and_(env: Env) -> bool | None:
        unknown = False
        for fn in fns:
            v = fn(env)
            if v is False:
                return False
            if v is None:
                unknown = True
        return None if unknown else True

    return and_


def _or(fns: list[RowFn]) -> RowFn:
    def or_(env: Env) -> bool | None:
        unknown = False
        for fn in fns:
            v = fn(env)
            if v is True:
                return True
            if v is None:
                unknown = True
        return None if unknown else False

    return or_


def _in_list(node: InList, value: RowFn) -> RowFn:
    items, negate = node.items, node.negate
    normalise = node.normalise

    def in_list(env: Env) -> bool | None:
        v = value(env)
        if v is None:
            return None
        found = (canonical_address(v) if normalise else v) in items
        return not found if negate else found

    return in_list


def _arith(op: str, left: RowFn, right: RowFn) -> RowFn:
    if op == "/":

        def divide(env: Env) -> float | None:
            a, b = left(env), right(env)
            if a is None or b is None or b == 0:
                return None
            return a / b

        return divide
    fn = _ARITH[op]

    def arith(env: Env) -> float | None:
        a, b = left(env), right(env)
        if a is None or b is None:
            return None
        return fn(a, b)

    return arith


def _call(node: Call, args: list[RowFn]) -> RowFn:
    impl = FUNCTIONS[node.func].row
    if len(args) == 1:
        only = args[0]
        return lambda env: impl(only(env))
    if len(args) == 2:
        first, second = args
        return lambda env: impl(first(env), second(env))
    return lambda env: impl(*(a(env) for a in args))
