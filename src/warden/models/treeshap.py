"""LightGBM's path-dependent TreeSHAP (pred_contrib) for one row, in numba, from per-leaf tables.

`build_tree_shap(booster)` flattens the booster's trees once (from `dump_model()`); the returned `TreeShap`
explains a float64 row several times faster than LightGBM's single-row C API computes pred_contrib.

The values are LightGBM's (src/io/tree.cpp `PredictContrib`/`TreeSHAP`/`ExpectedValue`, include/LightGBM/
tree.h `NumericalDecision`), computed another way. At a leaf, TreeSHAP's path holds the leaf's distinct split
features F (D of them) with a zero fraction z_i (the product of the cover ratios, count(child) / count(node),
of the splits on i along the path: independent of the row) and a one fraction (1 if the row takes the path's
side at every split on i, else 0: the row's "hot" set H). The leaf then adds, with Shapley weights
w(k) = k! (D-k-1)! / D! and A(H) = v * prod_{j in F\\H} z_j * sum_{S <= H} w(|S|) prod_{j in H\\S} z_j:
  -A(H) to each feature not in H, and (1 - z_i) / z_i * A(H \\ {i}) to each i in H,
which is what `UnwoundPathSum` evaluates incrementally, with divisions in a dependent chain (LightGBM's own
cost, ~40 µs a row for the fraud model). So each leaf gets, at build time, its D contributions for each of its
2^D hot sets; a row costs one decision per node (which gives each leaf's hot set) and one addition per leaf
and path feature, all without data-dependent branches. The sums equal LightGBM's up to rounding (a few 1e-15
for the fraud model), not bit for bit.

Reproduced from LightGBM:
- a value with |v| <= 1e-35 (kZeroThreshold) reads as 0.0, as LightGBM's dense-row reader drops it;
- NaN becomes 0.0 unless the split's missing type is NaN; missing type Zero (|v| <= 1e-35) or NaN (NaN)
  goes to the default side, otherwise `v <= threshold` goes left;
- a threshold dumped as +-1e300 is infinite (the last bin's bound; +inf goes left of it);
- covers are the training data counts (internal_count, leaf_count);
- the last output element is the expected value (bias) summed over trees, in LightGBM's order.

The builder returns None, and the caller keeps using LightGBM, for what this does not reproduce: categorical
splits (`==`), linear trees, multiclass (several trees per iteration), random-forest averaging, an empty
child (zero cover), a dump it does not recognise, or tables over `TABLE_BUDGET` values (deep trees: a leaf
with D distinct features needs D * 2^D).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numba
import numpy as np
from numpy.typing import NDArray

TABLE_BUDGET = 1 << 22  # float64s over all leaf tables (32 MiB); beyond it LightGBM explains
_AVOID_INF = 1e300
_ZERO = float(np.float32(1e-35))  # LightGBM's kZeroThreshold (a float, compared as a double)
_MISSING = {"None": 0, "Zero": 1, "NaN": 2}  # LightGBM's MissingType
_ROOT = 8  # node flag: a tree's root (every feature still hot)
_ZERO_LEFT, _NAN_LEFT = 2, 4  # node flags: where a zero / NaN value goes; bit 0 is `value <= threshold`
_FEATURE_BITS, _SLOT_BITS = 20, 5  # a slot packs (leaf << 25) | (slot << 20) | feature

# node columns: split feature, left child, right child, flags, the bit of the feature's slot on the path.
# Nodes are numbered in pre-order over all trees; a child is a node's number, or a leaf's number after them.
_FEATURE, _LEFT, _RIGHT, _FLAGS, _BIT = 0, 1, 2, 3, 4
# leaf columns: D (distinct features on its path), start of its table (2^D rows of D contributions)
_DEPTH, _TABLE = 0, 1


@numba.njit(cache=True, nogil=True)
def _explain(
    row: NDArray[np.float64],
    nodes: NDArray[np.int64],
    thresholds: NDArray[np.float64],
    leaves: NDArray[np.int64],
    slots: NDArray[np.int64],
    tables: NDArray[np.float64],
    bias: float,
) -> NDArray[np.float64]:
    """SHAP values of `row` per feature, then the bias (a fresh array of len(row) + 1)."""
    n_features = row.shape[0]
    out = np.zeros(n_features + 1)
    # NumericalDecision, by value class: 0 a number, 1 zero (|v| <= kZeroThreshold), 2 NaN. Zero and NaN go
    # where the node's flags say (the default side for missing type Zero / NaN, else 0.0 <= threshold).
    kind = np.empty(n_features, np.int64)
    for f in range(n_features):
        value = row[f]
        kind[f] = 2 if np.isnan(value) else (1 if -_ZERO <= value <= _ZERO else 0)
    # hot sets as bit masks over path slots, pushed down from each node to its children (pre-order)
    n_nodes = nodes.shape[0]
    hot_sets = np.empty(n_nodes + leaves.shape[0], np.int64)
    for n in range(n_nodes):
        flags = nodes[n, _FLAGS]
        hot = -1 if flags & _ROOT else hot_sets[n]
        feature = nodes[n, _FEATURE]
        go_left = ((flags | (row[feature] <= thresholds[n])) >> kind[feature]) & 1
        cold = hot & ~nodes[n, _BIT]
        hot_sets[nodes[n, _LEFT]] = hot if go_left else cold
        hot_sets[nodes[n, _RIGHT]] = cold if go_left else hot
    # each leaf: where its row of contributions for its hot set starts
    for leaf in range(leaves.shape[0]):
        depth = leaves[leaf, _DEPTH]
        hot = hot_sets[n_nodes + leaf] & ((1 << depth) - 1)
        hot_sets[n_nodes + leaf] = leaves[leaf, _TABLE] + hot * depth
    # one flat loop over every (leaf, slot): no data-dependent branch or trip count
    for s in range(slots.shape[0]):
        packed = slots[s]
        slot = (packed >> _FEATURE_BITS) & ((1 << _SLOT_BITS) - 1)
        out[packed & ((1 << _FEATURE_BITS) - 1)] += tables[
            hot_sets[n_nodes + (packed >> (_FEATURE_BITS + _SLOT_BITS))] + slot
        ]
    out[n_features] = bias
    return out


@numba.njit(cache=True, nogil=True)
def _leaf_table(zero: NDArray[np.float64], weights: NDArray[np.float64], value: float) -> NDArray[np.float64]:
    """The leaf's contribution per slot for every hot set H (a bit mask over its D slots): row H, column i is
    -A(H) for a cold slot i and (1 - z_i) / z_i * A(H without i) for a hot one (see the module docstring)."""
    depth = zero.shape[0]
    a = np.empty(1 << depth)
    poly = np.empty(depth + 1)  # prod_{j in H} (z_j + x): the coefficient of x^k sums over |S| = k
    for hot in range(1 << depth):
        poly[0] = 1.0
        size = 0
        cold = 1.0
        for j in range(depth):
            if hot >> j & 1:
                poly[size + 1] = poly[size]
                for k in range(size, 0, -1):
                    poly[k] = zero[j] * poly[k] + poly[k - 1]
                poly[0] = zero[j] * poly[0]
                size += 1
            else:
                cold *= zero[j]
        total = 0.0
        for k in range(min(size, depth - 1) + 1):  # all hot (size == D): no cold slot reads it
            total += weights[k] * poly[k]
        a[hot] = value * cold * total
    table = np.empty((1 << depth, depth))
    for hot in range(1 << depth):
        for i in range(depth):
            bit = 1 << i
            table[hot, i] = (1.0 - zero[i]) / zero[i] * a[hot ^ bit] if hot & bit else -a[hot]
    return table.ravel()


@dataclass(frozen=True, slots=True)
class TreeShap:
    """A booster's trees as flat arrays; `explain(row)` is LightGBM's pred_contrib for one row."""

    n_features: int
    nodes: NDArray[np.int64]
    thresholds: NDArray[np.float64]
    leaves: NDArray[np.int64]
    slots: NDArray[np.int64]
    tables: NDArray[np.float64]
    bias: float

    def explain(self, row: NDArray[np.float64]) -> NDArray[np.float64]:
        """SHAP values (log-odds) per feature followed by the bias, a fresh array. `row`: float64, contiguous."""
        return _explain(row, self.nodes, self.thresholds, self.leaves, self.slots, self.tables, self.bias)


class _Unsupported(Exception):
    pass


def _count(node: dict[str, Any]) -> float:
    return float(node["leaf_count"] if "leaf_index" in node else node["internal_count"])


def _is_leaf(node: dict[str, Any]) -> bool:
    if "split_index" in node:
        return False
    if "leaf_const" in node or "leaf_coeff" in node:
        raise _Unsupported("linear tree")
    return True


def _expected_value(structure: dict[str, Any]) -> float:
    """LightGBM's ExpectedValue: over leaves in leaf-index order, leaf_count / internal_count[0] * value."""
    found: dict[int, tuple[float, float]] = {}
    pending = [structure]
    while pending:
        node = pending.pop()
        if _is_leaf(node):
            found[int(node["leaf_index"])] = (float(node["leaf_count"]), float(node["leaf_value"]))
        else:
            pending += [node["left_child"], node["right_child"]]
    if sorted(found) != list(range(len(found))):
        raise _Unsupported("leaf indices")
    total = _count(structure)
    expected = 0.0
    for i in range(len(found)):
        count, value = found[i]
        expected += (count / total) * value
    return expected


def build_tree_shap(booster: lgb.Booster, table_budget: int = TABLE_BUDGET) -> TreeShap | None:
    """The booster flattened for `_explain`, or None if it uses something not reproduced here exactly."""
    model = booster.dump_model(num_iteration=-1)  # every tree, as the single-row C API predicts with
    if model.get("num_class", 1) != 1 or model.get("num_tree_per_iteration", 1) != 1:
        return None  # multiclass: one output block per class
    if model.get("average_output", False):
        return None  # random forest: outputs averaged over trees
    n_features = int(model["max_feature_idx"]) + 1
    if n_features >= 1 << _FEATURE_BITS:
        return None
    nodes: list[list[int]] = []
    thresholds: list[float] = []
    leaves: list[tuple[int, int]] = []
    slots: list[int] = []
    tables: list[NDArray[np.float64]] = []
    table_size = 0
    weights: dict[int, NDArray[np.float64]] = {}

    def add_leaf(node: dict[str, Any], path: dict[int, tuple[int, float]]) -> int:
        # path: feature -> (slot, zero fraction), slots numbered in order of the first split on the feature
        nonlocal table_size
        depth = len(path)
        if depth >= 1 << _SLOT_BITS or table_size + (depth << depth) > table_budget:
            raise _Unsupported("tables over budget")
        zero = np.empty(depth)
        leaf = len(leaves)
        for feature, (slot, fraction) in path.items():
            zero[slot] = fraction
            slots.append((leaf << (_FEATURE_BITS + _SLOT_BITS)) | (slot << _FEATURE_BITS) | feature)
        if depth not in weights:  # Shapley weights k! (D-k-1)! / D!
            weights[depth] = np.array(
                [math.factorial(k) * math.factorial(depth - k - 1) / math.factorial(depth) for k in range(depth)]
            )
        leaves.append((depth, table_size))
        tables.append(_leaf_table(zero, weights[depth], float(node["leaf_value"])))
        table_size += depth << depth
        return ~leaf

    def walk(node: dict[str, Any], path: dict[int, tuple[int, float]], root: bool) -> int:
        if _is_leaf(node):
            return add_leaf(node, path)
        missing = _MISSING.get(node.get("missing_type", ""))
        if node.get("decision_type") != "<=" or missing is None:
            raise _Unsupported("categorical split")
        feature = int(node["split_feature"])
        if not 0 <= feature < n_features:
            raise _Unsupported("feature index")
        threshold = float(node["threshold"])
        if abs(threshold) >= _AVOID_INF:  # the dump writes an infinite threshold as +-1e300 (AvoidInf)
            threshold = math.copysign(math.inf, threshold)
        default_left = bool(node["default_left"])
        zero_left = default_left if missing == _MISSING["Zero"] else threshold >= 0.0  # NaN reads as 0.0 ...
        nan_left = default_left if missing == _MISSING["NaN"] else zero_left  # ... unless missing type NaN
        index = len(nodes)
        slot, fraction = path.get(feature, (len(path), 1.0))
        flags = _ZERO_LEFT * zero_left | _NAN_LEFT * nan_left | _ROOT * root
        nodes.append([feature, 0, 0, flags, 1 << slot])
        thresholds.append(threshold)
        count = _count(node)
        children = []
        for child in (node["left_child"], node["right_child"]):
            cover = _count(child) / count  # LightGBM's hot/cold zero fraction, the same double quotient
            if not cover > 0.0:
                raise _Unsupported("empty child")
            children.append(walk(child, {**path, feature: (slot, fraction * cover)}, False))
        nodes[index][_LEFT], nodes[index][_RIGHT] = children
        return index

    bias = 0.0  # PredictContrib adds each tree's ExpectedValue in tree order
    try:
        for tree in model["tree_info"]:
            if tree.get("num_cat", 0):
                raise _Unsupported("categorical split")
            structure = tree["tree_structure"]
            if _is_leaf(structure):  # a single leaf: its value is all bias
                bias += float(structure["leaf_value"])
                continue
            walk(structure, {}, True)
            bias += _expected_value(structure)
    except (_Unsupported, KeyError, TypeError, ValueError):
        return None
    node_array = np.array(nodes, dtype=np.int64).reshape(-1, 5)
    for column in (_LEFT, _RIGHT):  # leaves (~leaf while walking) come after the nodes
        children = node_array[:, column]
        children[children < 0] = len(nodes) + ~children[children < 0]
    return TreeShap(
        n_features=n_features,
        nodes=node_array,
        thresholds=np.array(thresholds, dtype=np.float64),
        leaves=np.array(leaves, dtype=np.int64).reshape(-1, 2),
        slots=np.array(slots, dtype=np.int64),
        tables=np.concatenate(tables) if tables else np.zeros(0),
        bias=bias,
    )
