"""1:N search of a face against every verified customer's face (faiss).

Up to FLAT_MAX faces the search is exact (IndexFlatL2). Above, an inverted-file index (IVF-Flat) keeps a
query to `nprobe` of `nlist` cells: the cost follows nprobe * n / nlist, not n. 1M 128-d faces take 512 MB;
past ~10M per shard use IVF-PQ or more shards (`search` over several indexes merges by distance).
Ids are the customers' (strings); faiss holds dense int64 positions.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIM = 128
FLAT_MAX = 50_000
DEFAULT_NPROBE = 32
DEFAULT_MAX_DISTANCE = 0.6  # dlib's operating point; calibrate per deployment
# faiss's loader logs every CPU-specific build it tries and misses; only its failures concern an operator
logging.getLogger("faiss.loader").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Hit:
    customer_id: str
    distance: float


@dataclass
class FaceIndex:
    index: Any  # faiss.Index
    ids: list[str] = field(default_factory=list)
    nprobe: int = DEFAULT_NPROBE

    @classmethod
    def build(cls, ids: list[str], vectors: NDArray[np.float32], nlist: int | None = None, seed: int = 7) -> FaceIndex:
        """Exact for small galleries; IVF (trained on a sample of the gallery) for large ones."""
        import faiss

        x = np.ascontiguousarray(vectors, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != DIM or len(ids) != x.shape[0]:
            raise ValueError(f"expected {len(ids)} vectors of {DIM} values, got shape {x.shape}")
        if x.shape[0] <= FLAT_MAX and nlist is None:
            index: faiss.Index = faiss.IndexFlatL2(DIM)
        else:
            nlist = nlist or max(64, int(4 * math.sqrt(x.shape[0])))
            quantiser = faiss.IndexFlatL2(DIM)
            index = faiss.IndexIVFFlat(quantiser, DIM, nlist)
            rng = np.random.default_rng(seed)
            sample = x[rng.choice(x.shape[0], size=min(x.shape[0], 40 * nlist), replace=False)]
            index.train(sample)
        index.add(x)
        return cls(index=index, ids=list(ids))

    def add(self, ids: list[str], vectors: NDArray[np.float32]) -> None:
        x = np.ascontiguousarray(vectors, dtype=np.float32).reshape(-1, DIM)
        self.index.add(x)
        self.ids.extend(ids)

    def search(self, vector: NDArray[np.float32], k: int = 5, max_distance: float = DEFAULT_MAX_DISTANCE) -> list[Hit]:
        """The k nearest stored faces within max_distance (L2), nearest first."""
        if hasattr(self.index, "nprobe"):
            self.index.nprobe = self.nprobe
        q = np.ascontiguousarray(vector, dtype=np.float32).reshape(1, DIM)
        sq, pos = self.index.search(q, k)
        hits = []
        for d2, p in zip(sq[0], pos[0], strict=True):
            if p < 0:
                continue
            d = math.sqrt(max(0.0, float(d2)))
            if d <= max_distance:
                hits.append(Hit(self.ids[p], round(d, 4)))
        return hits

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self.index, str(path))
        path.with_suffix(".ids").write_text("\n".join(self.ids) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> FaceIndex:
        import faiss

        ids = path.with_suffix(".ids").read_text(encoding="utf-8").splitlines()
        return cls(index=faiss.read_index(str(path)), ids=ids)
