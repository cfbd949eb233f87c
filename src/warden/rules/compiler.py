"""Parse a condition with `ast` into the typed AST, checking names, kinds and arities. Never eval/exec.

Accepted: literals, field and feature names, comparisons (chained too), and/or/not, + - * /, unary minus,
`x in [literals]`, `x in list("name")`, `is None` / `is not None`, and the calls in `functions.FUNCTIONS`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from warden.chain.addresses import canonical_address
from warden.rules.errors import ExpressionError
from warden.rules.fields import FIELDS, Kind
from warden.rules.functions import FUNCTIONS
from warden.rules.nodes import Arith, BoolOp, Call, Compare, Const, Field, InList, IsNone, Neg, Node, Not

_CMP = {ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_OP_TEXT = {**_CMP, ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
_ARITH = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


def compile_condition(text: str, lists: Mapping[str, frozenset[str]]) -> Node:
    """The typed AST of one condition; ExpressionError (line/column within `text`) on the first problem."""
    # Wrapping in parentheses lets a YAML block condition span lines; the opening line shifts lines by one.
    source = f"(\n{text}\n)"
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        lines = text.splitlines() or [""]
        line = min(max((exc.lineno or 2) - 1, 1), len(lines))
        # An error found at the closing parenthesis we added belongs at the end of the condition.
        column = max((exc.offset or 1) - 1, 0) if (exc.lineno or 2) - 1 <= len(lines) else len(lines[-1])
        raise ExpressionError(f"syntax error: {exc.msg}", line, column) from None
    node = _Compiler(source, lists).expr(tree.body)
    if node.kind != "bool":
        raise ExpressionError(f"a condition must be true/false, this is a {node.kind}", 1, 0)
    return node


class _Compiler:
    def __init__(self, source: str, lists: Mapping[str, frozenset[str]]) -> None:
        self.source = source
        self.lists = lists

    def fail(self, message: str, at: ast.AST) -> ExpressionError:
        line = max(getattr(at, "lineno", 2) - 1, 1)
        return ExpressionError(message, line, getattr(at, "col_offset", 0))

    def text(self, at: ast.expr) -> str:
        return " ".join((ast.get_source_segment(self.source, at) or ast.unparse(at)).split())

    def expr(self, at: ast.expr) -> Node:
        if isinstance(at, ast.Constant):
            return self.constant(at)
        if isinstance(at, ast.Name):
            return self.field(at.id, at)
        if isinstance(at, ast.BoolOp):
            operands = tuple(self.boolean(v) for v in at.values)
            return BoolOp("bool", self.text(at), "and" if isinstance(at.op, ast.And) else "or", operands)
        if isinstance(at, ast.UnaryOp):
            return self.unary(at)
        if isinstance(at, ast.BinOp):
            return self.binop(at)
        if isinstance(at, ast.Compare):
            return self.compare(at)
        if isinstance(at, ast.Call):
            return self.call(at)
        raise self.fail(f"unsupported expression {type(at).__name__}: {self.text(at)}", at)

    def constant(self, at: ast.Constant) -> Node:
        value = at.value
        if isinstance(value, bool):
            return Const("bool", self.text(at), value)
        if isinstance(value, int | float):
            return Const("num", self.text(at), float(value))
        if isinstance(value, str):
            return Const("str", self.text(at), value)
        if value is None:
            raise self.fail("None is only allowed in `x is None` / `x is not None`", at)
        raise self.fail(f"unsupported literal {value!r}", at)

    def field(self, name: str, at: ast.AST) -> Node:
        spec = FIELDS.get(name)
        if spec is None:
            raise self.fail(f"unknown field or feature {name!r}", at)
        return Field(spec.kind, name, name)

    def boolean(self, at: ast.expr) -> Node:
        node = self.expr(at)
        if node.kind != "bool":
            raise self.fail(f"expected true/false, got {node.kind}: {node.text}", at)
        return node

    def number(self, at: ast.expr) -> Node:
        node = self.expr(at)
        if node.kind != "num":
            raise self.fail(f"expected a number, got {node.kind}: {node.text}", at)
        return node

    def unary(self, at: ast.UnaryOp) -> Node:
        if isinstance(at.op, ast.Not):
            return Not("bool", self.text(at), self.boolean(at.operand))
        if isinstance(at.op, ast.USub):
            operand = self.number(at.operand)
            if isinstance(operand, Const) and isinstance(operand.value, float):
                return Const("num", self.text(at), -operand.value)
            return Neg("num", self.text(at), operand)
        if isinstance(at.op, ast.UAdd):
            return self.number(at.operand)
        raise self.fail(f"unsupported operator in {self.text(at)}", at)

    def binop(self, at: ast.BinOp) -> Node:
        op = _ARITH.get(type(at.op))
        if op is None:
            raise self.fail(f"unsupported operator in {self.text(at)}; use + - * /", at)
        return Arith("num", self.text(at), op, self.number(at.left), self.number(at.right))

    def compare(self, at: ast.Compare) -> Node:
        parts: list[Node] = []
        left_ast = at.left
        for op, right_ast in zip(at.ops, at.comparators, strict=True):
            parts.append(self.compare_one(at, op, left_ast, right_ast))
            left_ast = right_ast
        if len(parts) == 1:
            return parts[0]
        return BoolOp("bool", self.text(at), "and", tuple(parts))  # a < b < c means a < b and b < c

    def compare_one(self, at: ast.Compare, op: ast.cmpop, left_ast: ast.expr, right_ast: ast.expr) -> Node:
        text = (
            self.text(at) if len(at.ops) == 1 else f"{self.text(left_ast)} {_OP_TEXT[type(op)]} {self.text(right_ast)}"
        )
        if isinstance(op, ast.Is | ast.IsNot):
            if not (isinstance(right_ast, ast.Constant) and right_ast.value is None):
                raise self.fail("`is` only compares with None; use == for values", right_ast)
            return IsNone("bool", text, self.expr(left_ast), isinstance(op, ast.IsNot))
        if isinstance(op, ast.In | ast.NotIn):
            return self.membership(text, left_ast, right_ast, isinstance(op, ast.NotIn))
        left, right = self.expr(left_ast), self.expr(right_ast)
        symbol = _CMP[type(op)]
        if left.kind != right.kind:
            raise self.fail(f"cannot compare {left.kind} with {right.kind}: {text}", at)
        if left.kind == "list":
            raise self.fail(f"lists cannot be compared: {text}", at)
        return Compare("bool", text, symbol, left, right)

    def membership(self, text: str, left_ast: ast.expr, right_ast: ast.expr, negate: bool) -> Node:
        value = self.expr(left_ast)
        if value.kind not in ("num", "str"):
            raise self.fail(f"`in` needs a number or string on the left, got {value.kind}", left_ast)
        if isinstance(right_ast, ast.Call) and isinstance(right_ast.func, ast.Name) and right_ast.func.id == "list":
            name = self.list_name(right_ast)
            if value.kind != "str":
                raise self.fail(f"named list {name!r} holds strings; the left side is a {value.kind}", left_ast)
            named = self.lists[name]
            return InList("bool", text, value, named, negate, name, any(_is_evm(i) for i in named))
        if isinstance(right_ast, ast.List | ast.Tuple | ast.Set):
            items: set[float | str] = set()
            for element in right_ast.elts:
                item = self.expr(element)
                if not isinstance(item, Const) or isinstance(item.value, bool):
                    raise self.fail("list items must be number or string literals", element)
                if item.kind != value.kind:
                    raise self.fail(f"list item {item.text} is a {item.kind}; the left side is a {value.kind}", element)
                items.add(item.value)
            return InList("bool", text, value, frozenset(items), negate, None, False)
        raise self.fail('`in` needs a literal list [..] or list("name")', right_ast)

    def list_name(self, at: ast.Call) -> str:
        if len(at.args) != 1 or at.keywords or not isinstance(at.args[0], ast.Constant):
            raise self.fail('list() takes one name: list("sanctioned_addresses")', at)
        name = at.args[0].value
        if not isinstance(name, str) or name not in self.lists:
            known = ", ".join(sorted(self.lists)) or "none"
            raise self.fail(f"unknown named list {name!r} (known: {known})", at.args[0])
        return name

    def call(self, at: ast.Call) -> Node:
        if not isinstance(at.func, ast.Name):
            raise self.fail(f"only plain function calls are allowed: {self.text(at)}", at)
        name = at.func.id
        if at.keywords:
            raise self.fail(f"{name}() takes no keyword arguments", at)
        if name == "list":
            raise self.fail('list("name") is only allowed after `in`', at)
        if name == "feature":
            if len(at.args) != 1 or not isinstance(at.args[0], ast.Constant) or not isinstance(at.args[0].value, str):
                raise self.fail('feature() takes one name: feature("is_new_device")', at)
            return self.field(at.args[0].value, at.args[0])
        spec = FUNCTIONS.get(name)
        if spec is None:
            known = ", ".join(sorted([*FUNCTIONS, "list", "feature"]))
            raise self.fail(f"unknown function {name!r} (known: {known})", at)
        count = len(at.args)
        if (spec.variadic and count < len(spec.params)) or (not spec.variadic and count != len(spec.params)):
            wanted = f"at least {len(spec.params)}" if spec.variadic else str(len(spec.params))
            raise self.fail(f"{name}() takes {wanted} argument(s), got {count}", at)
        args = tuple(self.expr(a) for a in at.args)
        for index, (arg, arg_ast) in enumerate(zip(args, at.args, strict=True)):
            allowed = spec.params[min(index, len(spec.params) - 1)]
            if arg.kind not in allowed:
                want = " or ".join(sorted(allowed))
                raise self.fail(f"{name}() argument {index + 1} must be {want}, got {arg.kind}", arg_ast)
        returns: Kind = spec.returns or args[0].kind
        if spec.returns is None and any(a.kind != returns for a in args):
            raise self.fail(f"{name}() arguments must all be of one kind", at)
        return Call(returns, self.text(at), name, args)


def _is_evm(item: str) -> bool:
    return len(item) == 42 and item.startswith("0x")


def normalize_list(items: object) -> frozenset[str]:
    """A named list as the evaluators use it: strings, EVM addresses in lower case."""
    return frozenset(canonical_address(str(item).strip()) for item in items)  # type: ignore[attr-defined]
