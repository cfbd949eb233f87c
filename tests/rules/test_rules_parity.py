"""Property: the row evaluator and the vectorised evaluator give the same hits on random events, random
feature values (nulls included) and random conditions."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warden.rules import Ruleset, load_ruleset, starter_pack_path
from warden.rules.fields import FIELDS
from warden.rules.row import RowCompiler

from .helpers import both, one_rule

TORNADO = "0x8589427373D6D84E98730D7795D8f6f8731FDA16"
KNOWN = "0xA1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
ADDRESSES = [
    TORNADO,
    TORNADO.lower(),
    KNOWN,
    "0xa1b2c3000000000000000000000000000aa45678",
    "0xa1bf" + "0" * 32 + "0978",
    "bc1qa1b2c3xyz45678",
    "",
    "a",
    "ab0x",
]
NUM_FIELDS = ["amount_usd", "address_age_hours", "customer_withdrawal_count_24h", "withdrawal_share_of_deposits_24h"]
STR_FIELDS = ["to_address", "country", "memo"]
BOOL_FIELDS = ["is_new_address", "is_new_device"]

numbers = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 10.0, 9999.99, 10000.0]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.integers(min_value=-50, max_value=50),
)
texts = st.one_of(st.none(), st.sampled_from([*ADDRESSES, "KP", "DE", "ir"]), st.text(alphabet="aAbB0x9 ", max_size=6))
flags = st.one_of(st.none(), st.booleans())
address_lists = st.one_of(st.none(), st.lists(st.one_of(st.sampled_from(ADDRESSES), st.none()), max_size=4))


def _value(name: str) -> st.SearchStrategy[Any]:
    kind = FIELDS[name].kind
    return {"num": numbers, "str": texts, "bool": flags, "list": address_lists}[kind]


@lru_cache(maxsize=1)
def starter() -> Ruleset:
    return load_ruleset(starter_pack_path())


@st.composite
def starter_events(draw: st.DrawFn) -> dict[str, Any]:
    ruleset = starter()
    event: dict[str, Any] = {"type": draw(st.sampled_from(sorted({t for r in ruleset.rules for t in r.event_types})))}
    for name in sorted(ruleset.fields - {"type"}):
        event[name] = draw(_value(name))
    return event


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(starter_events(), min_size=1, max_size=25))
def test_starter_pack_row_and_vector_agree(events: list[dict[str, Any]]) -> None:
    row_hits, vector_hits = both(starter(), events)
    assert row_hits == vector_hits


def _num_expr(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(NUM_FIELDS), st.sampled_from(["0", "1", "2.5", "10000", "-3"]))
    if depth == 0:
        return leaves
    sub = _num_expr(depth - 1)
    strs = _str_expr(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda a, op, b: f"({a} {op} {b})", sub, st.sampled_from(["+", "-", "*", "/"]), sub),
        st.builds(lambda a: f"abs({a})", sub),
        st.builds(lambda a: f"-{a}", sub),
        st.builds(lambda a, b: f"coalesce({a}, {b})", sub, sub),
        st.builds(lambda a: f"len({a})", strs),
        st.just("len(known_addresses)"),
        st.builds(lambda a, b: f"prefix_suffix_match({a}, {b})", strs, strs),
        st.builds(lambda a: f"max_ends_match({a}, known_addresses)", strs),
    )


def _str_expr(depth: int) -> st.SearchStrategy[str]:
    leaves = st.one_of(st.sampled_from(STR_FIELDS), st.sampled_from(['"KP"', '"a"', '""', f'"{KNOWN}"']))
    if depth == 0:
        return leaves
    sub = _str_expr(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda a: f"lower({a})", sub),
        st.builds(lambda a: f"upper({a})", sub),
        st.builds(lambda a, b: f"coalesce({a}, {b})", sub, sub),
    )


def _bool_expr(depth: int) -> st.SearchStrategy[str]:
    nums, strs = _num_expr(min(depth, 2)), _str_expr(min(depth, 2))
    cmp = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    leaves = st.one_of(
        st.sampled_from(BOOL_FIELDS),
        st.builds(lambda a, op, b: f"{a} {op} {b}", nums, cmp, nums),
        st.builds(lambda a, op, b: f"{a} {op} {b}", strs, cmp, strs),
        st.builds(lambda a, b, c: f"{a} < {b} <= {c}", nums, nums, nums),
        st.builds(
            lambda a, n: f"{a} is {n}None",
            st.sampled_from(NUM_FIELDS + STR_FIELDS + BOOL_FIELDS),
            st.sampled_from(["", "not "]),
        ),
        st.builds(lambda a, n: f"{a} {n}in [1, 2.5, 0]", nums, st.sampled_from(["", "not "])),
        st.builds(lambda a, n: f'{a} {n}in ["KP", "a", ""]', strs, st.sampled_from(["", "not "])),
        st.builds(lambda a, n: f'{a} {n}in list("bad")', strs, st.sampled_from(["", "not "])),
        st.builds(
            lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(["startswith", "endswith", "contains"]), strs, strs
        ),
        st.builds(lambda a: f"shares_ends_with_known_address({a}, known_addresses)", strs),
    )
    if depth == 0:
        return leaves
    sub = _bool_expr(depth - 1)
    return st.one_of(
        leaves,
        st.builds(lambda a: f"not ({a})", sub),
        st.builds(lambda a, op, b: f"({a}) {op} ({b})", sub, st.sampled_from(["and", "or"]), sub),
        st.builds(lambda a, b, c: f"({a}) and ({b}) and ({c})", sub, sub, sub),
    )


@st.composite
def plain_events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "withdrawal"}
    for name in NUM_FIELDS + STR_FIELDS + BOOL_FIELDS + ["known_addresses"]:
        event[name] = draw(_value(name))
    return event


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bool_expr(3), st.lists(plain_events(), min_size=1, max_size=12))
def test_random_conditions_row_and_vector_agree(condition: str, events: list[dict[str, Any]]) -> None:
    ruleset = one_rule(condition.replace("'", '"'), bad=[TORNADO, "KP", "a"])
    row_hits, vector_hits = both(ruleset, events)
    assert row_hits == vector_hits, condition


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_bool_expr(3), st.lists(plain_events(), min_size=1, max_size=12))
def test_fused_comparisons_give_the_plain_closures_values(condition: str, events: list[dict[str, Any]]) -> None:
    """The row evaluator reads a number field and compares it with a constant in one closure; the plain
    closures (`RowCompiler(fused=False)`) give the same value, null included, and the same explanation."""
    node = one_rule(condition.replace("'", '"'), bad=[TORNADO, "KP", "a"]).rules[0].condition
    fused, plain = RowCompiler(), RowCompiler(fused=False)
    fused_fn, plain_fn = fused.compile(node), plain.compile(node)
    for event in events:
        env = {**event, "amount_usd": event["amount_usd"] if event["amount_usd"] != 1.0 else "1.0"}  # a string too
        assert fused_fn(env) is plain_fn(env), condition
        assert fused.explain(node, env) == plain.explain(node, env), condition


def test_fused_comparisons_on_the_starter_pack() -> None:
    ruleset = starter()
    fused, plain = RowCompiler(), RowCompiler(fused=False)
    values = [None, float("nan"), 0, 3, 5.0, 9500.0, 24.0, "12000", "x", True]
    for rule in ruleset.rules:
        fused_fn, plain_fn = fused.compile(rule.condition), plain.compile(rule.condition)
        for i in range(len(values)):
            numbers = sorted(name for name in rule.fields if FIELDS[name].kind == "num")
            env: dict[str, Any] = {name: values[(i + n) % len(values)] for n, name in enumerate(numbers)}
            env["type"] = sorted(rule.event_types)[0]
            assert fused_fn(env) is plain_fn(env), (rule.id, env)
