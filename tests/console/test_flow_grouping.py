"""A fund-flow graph with many leaf addresses stays readable: the small ones fold into one node per hub."""

from __future__ import annotations

from warden.console.flow_grouping import group_leaves


def _graph(leaves: int) -> dict[str, object]:
    nodes = [{"id": "customer:c1", "label": "c1", "kind": "subject", "risk": None}]
    edges = []
    for i in range(leaves):
        nodes.append({"id": f"address:a{i}", "label": f"a{i}", "kind": "address", "risk": None})
        edges.append(
            {"source": f"address:a{i}", "target": "customer:c1", "amount_usd": float(i + 1), "count": 1,
             "first": f"2026-01-{i % 28 + 1:02d}T00:00:00Z", "last": f"2026-01-{i % 28 + 1:02d}T00:00:00Z"}
        )  # fmt: skip
    return {"nodes": nodes, "edges": edges}


def test_a_hundred_leaves_fold_into_the_largest_eight_and_one_group() -> None:
    grouped = group_leaves(_graph(100))
    nodes = {n["id"]: n for n in grouped["nodes"]}
    assert len(nodes) == 1 + 8 + 1
    assert nodes["group:customer:c1"]["label"] == "92 more addresses"
    kept = sorted(int(i.split(":a")[1]) for i in nodes if i.startswith("address:"))
    assert kept == list(range(92, 100))  # the largest amounts stay drawn
    (group_edge,) = [e for e in grouped["edges"] if e["source"] == "group:customer:c1"]
    assert group_edge["count"] == 92 and group_edge["amount_usd"] == sum(range(1, 93))
    assert sum(e["amount_usd"] for e in grouped["edges"]) == sum(range(1, 101))  # no money lost


def test_a_small_graph_is_left_as_it_is() -> None:
    graph = _graph(5)
    assert group_leaves(graph) is graph
