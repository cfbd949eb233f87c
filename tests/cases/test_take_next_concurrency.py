"""Parallel reviewers, each on its own connection, never get the same case (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from warden.audit.log import verify_chain
from warden.cases.alerts import add_alert
from warden.cases.assignment import take_next
from warden.cases.repository import list_cases
from warden.store.db import Store

CASES = 24
REVIEWERS = 4


def test_parallel_take_next_hands_out_each_case_once(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    with store.engine.begin() as conn:
        for n in range(CASES):
            add_alert(conn, new_alert(n, customer=f"cust-{n}", score=(n % 10) / 10))
    names = [f"rev{i}" for i in range(REVIEWERS)]
    for name in names:
        make_user(name, capacity=CASES)
    start = threading.Barrier(REVIEWERS)
    taken: dict[str, list[str]] = {name: [] for name in names}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        start.wait()  # everyone asks at the same moment
        try:
            while (case_id := take_next(store.engine, name)) is not None:
                taken[name].append(case_id)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    handed_out = [case_id for ids in taken.values() for case_id in ids]
    assert len(handed_out) == len(set(handed_out)) == CASES  # every case once, none twice
    assert sum(1 for ids in taken.values() if ids) >= 2  # the race really had several takers
    with store.engine.connect() as conn:
        by_case = {c["case_id"]: c["assignee"] for c in list_cases(conn, limit=CASES)}
        assert verify_chain(conn).ok
    assert all(by_case[case_id] == name for name, ids in taken.items() for case_id in ids)


def test_two_reviewers_at_the_same_moment_get_different_cases(
    store: Store, make_user: Callable[..., Any], new_alert: Callable[..., Any]
) -> None:
    with store.engine.begin() as conn:
        for n in range(2):
            add_alert(conn, new_alert(n, customer=f"cust-{n}"))
    make_user("ana")
    make_user("bob")
    start = threading.Barrier(2)
    got: dict[str, str | None] = {}

    def work(name: str) -> None:
        start.wait()
        got[name] = take_next(store.engine, name)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("ana", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert got["ana"] is not None and got["bob"] is not None and got["ana"] != got["bob"]
