"""Optional graph neural network baseline for the account model (`warden eval aml --model gnn`).

Needs `torch==2.13.0` (CPU) and `torch_geometric`, which are not installed by default (`pip install
'warden[gnn]'`). The comparison is kept fair: the same 89 account features as node inputs (signed log1p,
standardised on the training folds), the same outer 5-fold split by account (seed 7), pooled metrics,
and a threshold chosen without the test fold (best F1 at precision >= 0.96 on a validation split of the
training folds, which also picks the epoch). Messages flow along transfers both ways with separate
weights (GraphSAGE on A and on A^T), two layers, trained full-batch. Test accounts stay in the graph
(their features and edges are known at scoring time) but their labels are never used.
"""

from __future__ import annotations

import importlib.util
import time
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score
from sklearn.model_selection import StratifiedKFold, train_test_split

from warden.monitoring.account_model import binary_metrics, pick_threshold
from warden.monitoring.aml_eval import SELECTION_PRECISION, LabelledGraph
from warden.monitoring.features import account_features

GNN_VERSION = "aml-account-sage-1"


def available() -> bool:
    """Whether the optional extra (torch, torch_geometric) is installed."""
    return all(importlib.util.find_spec(name) is not None for name in ("torch", "torch_geometric"))


def _model(inputs: int, hidden: int) -> Any:
    import torch
    from torch_geometric.nn import SAGEConv

    class BiSage(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.f1, self.b1 = SAGEConv(inputs, hidden), SAGEConv(inputs, hidden)
            self.f2, self.b2 = SAGEConv(2 * hidden, hidden), SAGEConv(2 * hidden, hidden)
            self.out = torch.nn.Linear(2 * hidden + inputs, 1)
            self.drop = torch.nn.Dropout(0.2)

        def forward(self, x: Any, forward_edges: Any, backward_edges: Any) -> Any:
            h = torch.relu(torch.cat([self.f1(x, forward_edges), self.b1(x, backward_edges)], dim=1))
            h = self.drop(h)
            h = torch.relu(torch.cat([self.f2(h, forward_edges), self.b2(h, backward_edges)], dim=1))
            return self.out(torch.cat([self.drop(h), x], dim=1)).squeeze(-1)

    return BiSage()


def _train_and_score(
    x: NDArray[np.float64],
    edges: NDArray[np.int64],
    y: NDArray[np.int8],
    train: NDArray[np.int64],
    valid: NDArray[np.int64],
    seed: int,
    epochs: int = 200,
    hidden: int = 64,
) -> tuple[NDArray[np.float64], float]:
    """Scores for every account from the epoch with the best validation PR-AUC, and the threshold it implies."""
    import torch

    torch.manual_seed(seed)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0) + 1e-9
    features = torch.tensor((x - mean) / std, dtype=torch.float32)
    forward_edges = torch.tensor(edges, dtype=torch.long)
    backward_edges = forward_edges.flip(0)
    labels = torch.tensor(y, dtype=torch.float32)
    model = _model(x.shape[1], hidden)
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=5e-4)
    positive_weight = torch.tensor(float((y[train] == 0).sum()) / max(int(y[train].sum()), 1))
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=positive_weight)
    train_t = torch.tensor(train)
    best_auc, best_scores = -1.0, np.zeros(len(y))
    for _ in range(epochs):
        model.train()
        optimiser.zero_grad()
        loss = loss_fn(model(features, forward_edges, backward_edges)[train_t], labels[train_t])
        loss.backward()
        optimiser.step()
        model.eval()
        with torch.no_grad():
            scores = torch.sigmoid(model(features, forward_edges, backward_edges)).numpy().astype(np.float64)
        auc = float(average_precision_score(y[valid], scores[valid]))
        if auc > best_auc:
            best_auc, best_scores = auc, scores
    return best_scores, pick_threshold(y[valid], best_scores[valid], SELECTION_PRECISION)


def evaluate_gnn(data: LabelledGraph, folds: int = 5, seed: int = 7) -> dict[str, Any]:
    """The GNN under the account model's outer protocol; the JSON `warden eval aml --model gnn` prints."""
    import torch

    started = time.perf_counter()
    torch.set_num_threads(2)
    n = len(data.labels)
    y = data.labels.astype(np.int8)
    frame = account_features(data.transactions, n)
    raw = frame.frame.select(frame.columns()).to_numpy()
    x = np.sign(raw) * np.log1p(np.abs(raw))
    pairs = data.transactions.select("src", "dst").unique()
    edges = pairs.to_numpy().T.astype(np.int64)
    edges = edges[:, edges[0] != edges[1]]
    scores = np.zeros(n)
    predicted = np.zeros(n, dtype=bool)
    thresholds = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train_all, test) in enumerate(splitter.split(x, y)):
        train, valid = train_test_split(train_all, test_size=0.2, stratify=y[train_all], random_state=seed + fold)
        fold_scores, threshold = _train_and_score(x, edges, y, train, valid, seed + fold)
        scores[test] = fold_scores[test]
        predicted[test] = fold_scores[test] >= threshold
        thresholds.append(round(threshold, 4))
    metrics = binary_metrics(y, predicted, scores)
    return {
        "dataset": data.name,
        "accounts": n,
        "positives": int(y.sum()),
        **{k: metrics[k] for k in ("precision", "recall", "f1", "pr_auc")},
        "confusion": {k: metrics[k] for k in ("tp", "fp", "fn")},
        "protocol": {
            "cv": f"{folds}-fold stratified by account (shuffled, seed {seed}), as the boosted model",
            "threshold": f"max F1 with precision >= {SELECTION_PRECISION} on a 20% validation split of the training folds",
            "fold_thresholds": thresholds,
        },
        "versions": {"model": GNN_VERSION, "torch": torch.__version__},
        "seconds": round(time.perf_counter() - started, 2),
    }
