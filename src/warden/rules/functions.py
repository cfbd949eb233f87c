"""Functions a condition may call. Each has a typed signature, a row implementation and a Polars one.

Every function returns null when an argument is null, except `coalesce`, which exists to replace nulls.
`list("name")` (named lists, only after `in`) and `feature("name")` are syntax handled by the compiler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from warden.rules.addresses import (
    POISONING_MIN_CHARS,
    max_ends_match,
    prefix_suffix_match,
    prefix_suffix_match_expr,
)
from warden.rules.fields import Kind


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    name: str
    params: tuple[frozenset[Kind], ...]  # allowed kinds per argument
    returns: Kind | None  # None: the kind of the first argument (coalesce)
    row: Callable[..., Any]
    vector: Callable[..., pl.Expr] | None  # None: computed on the frame (needs a list explode)
    variadic: bool = False
    doc: str = ""


def _strict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Null in, null out."""

    def call(*args: Any) -> Any:
        for arg in args:
            if arg is None:
                return None
        return fn(*args)

    return call


def _coalesce(*args: Any) -> Any:
    for arg in args:
        if arg is not None:
            return arg
    return None


def _shares_ends(address: str | None, known: list[str] | None) -> bool | None:
    best = max_ends_match(address, known)
    return None if best is None else best >= POISONING_MIN_CHARS


_STR = frozenset[Kind]({"str"})
_NUM = frozenset[Kind]({"num"})
_LIST = frozenset[Kind]({"list"})
_ANY = frozenset[Kind]({"num", "str", "bool", "list"})

FUNCTIONS: dict[str, FunctionSpec] = {
    spec.name: spec
    for spec in (
        FunctionSpec("lower", (_STR,), "str", _strict(str.lower), lambda s: s.str.to_lowercase(), doc="lower case"),
        FunctionSpec("upper", (_STR,), "str", _strict(str.upper), lambda s: s.str.to_uppercase(), doc="upper case"),
        FunctionSpec(
            "len",
            (frozenset[Kind]({"str", "list"}),),
            "num",
            _strict(lambda v: float(len(v))),
            None,  # the compiler picks str.len_chars or list.len by the argument's kind
            doc="characters of a string or items of a list",
        ),
        FunctionSpec(
            "startswith",
            (_STR, _STR),
            "bool",
            _strict(str.startswith),
            lambda s, p: s.str.starts_with(p),
            doc="startswith(s, prefix)",
        ),
        FunctionSpec(
            "endswith", (_STR, _STR), "bool", _strict(str.endswith), lambda s, p: s.str.ends_with(p), doc="endswith"
        ),
        FunctionSpec(
            "contains",
            (_STR, _STR),
            "bool",
            _strict(lambda s, p: p in s),
            lambda s, p: s.str.contains(p, literal=True),
            doc="contains(s, part): substring test",
        ),
        FunctionSpec("abs", (_NUM,), "num", _strict(abs), lambda n: n.abs(), doc="absolute value"),
        FunctionSpec(
            "coalesce",
            (_ANY, _ANY),
            None,
            _coalesce,
            lambda *args: pl.coalesce(args),
            variadic=True,
            doc="the first argument that is not null",
        ),
        FunctionSpec(
            "prefix_suffix_match",
            (_STR, _STR),
            "num",
            prefix_suffix_match,
            prefix_suffix_match_expr,
            doc="leading + trailing characters two addresses share (each side at most 10; EVM case-insensitive)",
        ),
        FunctionSpec(
            "max_ends_match",
            (_STR, _LIST),
            "num",
            max_ends_match,
            None,
            doc="best prefix_suffix_match between an address and any different address in a list (0 if none)",
        ),
        FunctionSpec(
            "shares_ends_with_known_address",
            (_STR, _LIST),
            "bool",
            _shares_ends,
            None,
            doc=f"max_ends_match(address, known) >= {POISONING_MIN_CHARS}: the address-poisoning look-alike test",
        ),
    )
}

FRAME_FUNCTIONS = frozenset({"max_ends_match", "shares_ends_with_known_address"})
