"""Keeping a fund-flow graph readable: when a node has many leaf addresses (addresses or external sources that
touch nothing else), all but the largest `KEEP` of them are drawn as one node, "N more addresses", whose edges
carry their summed amounts and counts. The graph keeps the console's flow-graph contract."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

KEEP = 8  # leaves per node drawn one by one


def group_leaves(graph: dict[str, Any], keep: int = KEEP) -> dict[str, Any]:
    nodes = {n["id"]: n for n in graph.get("nodes", [])}
    edges = list(graph.get("edges", []))
    touching: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for edge in edges:
        touching[edge["source"]].append(edge)
        touching[edge["target"]].append(edge)
    leaves_of: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for node_id, node in nodes.items():
        ends = {e["source"] for e in touching[node_id]} | {e["target"] for e in touching[node_id]}
        others = ends - {node_id}
        if node["kind"] in ("address", "external") and len(others) == 1:
            weight = sum(float(e.get("amount_usd") or 0) for e in touching[node_id])
            leaves_of[next(iter(others))].append((weight, node_id))
    folded: dict[str, str] = {}
    for hub, leaves in leaves_of.items():
        if len(leaves) <= keep:
            continue
        leaves.sort(reverse=True)
        group = f"group:{hub}"
        rest = [node_id for _, node_id in leaves[keep:]]
        nodes[group] = {"id": group, "label": f"{len(rest)} more addresses", "kind": "address", "risk": None}
        folded.update((node_id, group) for node_id in rest)
    if not folded:
        return graph
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in edges:
        source, target = folded.get(edge["source"], edge["source"]), folded.get(edge["target"], edge["target"])
        key = (source, target)
        if key not in merged:
            merged[key] = {**edge, "source": source, "target": target}
            continue
        into = merged[key]
        into["amount_usd"] = float(into.get("amount_usd") or 0) + float(edge.get("amount_usd") or 0)
        into["count"] = int(into.get("count") or 0) + int(edge.get("count") or 0)
        into["first"] = min(into.get("first") or edge.get("first"), edge.get("first") or into.get("first"))
        into["last"] = max(into.get("last") or edge.get("last"), edge.get("last") or into.get("last"))
    return {**graph, "nodes": [n for i, n in nodes.items() if i not in folded], "edges": list(merged.values())}
