"""The typed AST of a condition. Every node knows its kind and its source text (for explanations)."""

from __future__ import annotations

from dataclasses import dataclass

from warden.rules.fields import Kind


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    kind: Kind
    text: str

    def children(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, slots=True, eq=False)
class Const(Node):
    value: float | str | bool


@dataclass(frozen=True, slots=True, eq=False)
class Field(Node):
    name: str


@dataclass(frozen=True, slots=True, eq=False)
class Compare(Node):
    op: str  # one of == != < <= > >=
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class InList(Node):
    value: Node
    items: frozenset[float | str]
    negate: bool
    list_name: str | None
    normalise: bool  # the named list holds EVM addresses: look up the value in lower case

    def children(self) -> tuple[Node, ...]:
        return (self.value,)


@dataclass(frozen=True, slots=True, eq=False)
class BoolOp(Node):
    op: str  # "and" | "or"
    operands: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.operands


@dataclass(frozen=True, slots=True, eq=False)
class Not(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Arith(Node):
    op: str  # + - * /
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True, eq=False)
class Neg(Node):
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class IsNone(Node):
    operand: Node
    negate: bool  # `is not None`

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True, eq=False)
class Call(Node):
    func: str
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args


def walk(node: Node) -> list[Node]:
    """Every node of the tree, parents before children."""
    out = [node]
    for child in node.children():
        out.extend(walk(child))
    return out
