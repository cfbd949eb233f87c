"""The vectorised evaluator: each typed AST compiles to a Polars expression, for backtests over millions of
events. Null semantics are Polars' own (three-valued logic), which the row evaluator copies.

Functions that compare an address with a list of addresses need an explode and a group-by, which an
expression cannot do; they become helper columns computed on the frame before the expressions run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from warden.chain.addresses import canonical_address_expr
from warden.rules.addresses import POISONING_MIN_CHARS, max_ends_match_frame
from warden.rules.fields import FIELDS, Kind
from warden.rules.functions import FRAME_FUNCTIONS, FUNCTIONS
from warden.rules.nodes import Arith, BoolOp, Call, Compare, Const, Field, InList, IsNone, Neg, Node, Not, walk

DTYPES: dict[Kind, pl.DataType] = {
    "num": pl.Float64(),
    "str": pl.String(),
    "bool": pl.Boolean(),
    "list": pl.List(pl.String()),
}

HelperFn = Callable[[pl.DataFrame], pl.Series]


@dataclass
class VectorCompiler:
    """Compiles nodes to expressions; `helpers` are the frame-level columns those expressions read."""

    helpers: list[tuple[str, HelperFn]] = field(default_factory=list)
    applies: pl.Expr | None = None  # the current rule's event-type filter; helpers skip other rows
    # Siblings of every `and` above the node being compiled: where one is false, that `and` is false whatever
    # the node gives, so helpers may skip those rows without changing any result.
    guards: list[pl.Expr] = field(default_factory=list)

    def compile(self, node: Node) -> pl.Expr:
        if isinstance(node, Const):
            return pl.lit(node.value, dtype=DTYPES[node.kind])
        if isinstance(node, Field):
            return pl.col(node.name)
        if isinstance(node, Compare):
            left, right = self.compile(node.left), self.compile(node.right)
            return _compare(node.op, left, right)
        if isinstance(node, BoolOp):
            exprs = self._and_operands(node.operands) if node.op == "and" else [self.compile(o) for o in node.operands]
            combined = exprs[0]
            for expr in exprs[1:]:
                combined = (combined & expr) if node.op == "and" else (combined | expr)
            return combined
        if isinstance(node, Not):
            return ~self.compile(node.operand)
        if isinstance(node, InList):
            value = self.compile(node.value)
            if node.normalise:
                value = canonical_address_expr(value)
            items = pl.Series(sorted(node.items, key=str), dtype=DTYPES[node.value.kind])
            found = value.is_in(items.implode())
            return ~found if node.negate else found
        if isinstance(node, Arith):
            left, right = self.compile(node.left), self.compile(node.right)
            if node.op == "/":
                return pl.when(right == 0).then(pl.lit(None, dtype=pl.Float64)).otherwise(left / right)
            return {"+": left + right, "-": left - right, "*": left * right}[node.op]
        if isinstance(node, Neg):
            return -self.compile(node.operand)
        if isinstance(node, IsNone):
            inner = self.compile(node.operand)
            return inner.is_not_null() if node.negate else inner.is_null()
        if isinstance(node, Call):
            return self._call(node)
        raise TypeError(f"unknown node {type(node).__name__}")

    def _and_operands(self, operands: tuple[Node, ...]) -> list[pl.Expr]:
        plain = [self.compile(o) if not _needs_helper(o) else None for o in operands]
        exprs = []
        for index, operand in enumerate(operands):
            compiled = plain[index]
            if compiled is None:
                siblings = [e for i, e in enumerate(plain) if i != index and e is not None]
                self.guards.extend(siblings)
                compiled = self.compile(operand)
                del self.guards[len(self.guards) - len(siblings) :]
            exprs.append(compiled)
        return exprs

    def _mask(self) -> pl.Expr | None:
        parts = ([self.applies] if self.applies is not None else []) + [g.fill_null(True) for g in self.guards]
        if not parts:
            return None
        mask = parts[0]
        for part in parts[1:]:
            mask = mask & part
        return mask

    def _call(self, node: Call) -> pl.Expr:
        args = [self.compile(a) for a in node.args]
        if node.func in FRAME_FUNCTIONS:
            name = f"__helper_{len(self.helpers)}"
            address, known = args
            applies = self._mask()

            def helper(frame: pl.DataFrame) -> pl.Series:
                return max_ends_match_frame(frame, address, known, applies)

            self.helpers.append((name, helper))
            if node.func == "shares_ends_with_known_address":
                return pl.col(name) >= POISONING_MIN_CHARS
            return pl.col(name)
        if node.func == "len":
            measured = args[0].list.len() if node.args[0].kind == "list" else args[0].str.len_chars()
            return measured.cast(pl.Float64)
        vector = FUNCTIONS[node.func].vector
        if vector is None:  # pragma: no cover - every function has one or is a frame function
            raise TypeError(f"{node.func} has no vectorised form")
        return vector(*args)


def _needs_helper(node: Node) -> bool:
    return any(isinstance(n, Call) and n.func in FRAME_FUNCTIONS for n in walk(node))


def _compare(op: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
    if op == "==":
        return left == right
    if op == "!=":
        return left != right
    if op == "<":
        return left < right
    if op == "<=":
        return left <= right
    if op == ">":
        return left > right
    return left >= right


def prepare_frame(frame: pl.DataFrame, names: set[str]) -> pl.DataFrame:
    """Give every field the rules read its rule kind's dtype; absent fields become null columns."""
    exprs: list[pl.Expr] = []
    for name in sorted(names):
        dtype = DTYPES[FIELDS[name].kind]
        if name not in frame.columns:
            exprs.append(_derived(frame, name, dtype))
            continue
        column = pl.col(name)
        if frame.schema[name] != dtype:
            column = column.cast(dtype, strict=False)
        if dtype == pl.Float64():
            column = column.fill_nan(None)  # NaN is null to the rules, as in the row evaluator
        exprs.append(column.alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _derived(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    if name == "hour_utc" and "occurred_at" in frame.columns:
        occurred = frame.schema["occurred_at"]
        if isinstance(occurred, pl.Datetime):
            return pl.col("occurred_at").dt.hour().cast(pl.Float64).alias(name)
        return pl.col("occurred_at").cast(pl.String).str.slice(11, 2).cast(pl.Float64, strict=False).alias(name)
    return pl.lit(None, dtype=dtype).alias(name)
