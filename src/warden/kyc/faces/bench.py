"""`warden bench kyc-faces`: face match per image on one core, and 1:N search over a large gallery,
each against a reference measured in the same run on the same machine.

- Face match: detect + align + embed one selfie-sized JPEG, pinned to one CPU core; the reference is
  decoding the same JPEG (the floor any face pipeline pays).
- 1:N: an IVF index over `size` synthetic 128-d embeddings (identity centres spread like dlib's: different
  people ~1.0 apart; queries are re-enrolments ~0.35 from their stored face); the reference is exact
  search (IndexFlatL2) over the same gallery, which also gives the IVF's recall@1.
`callable_for_kyc_bench` is what a combined `warden bench kyc` can call.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from warden.kyc.faces.embed import decode, embed_bytes
from warden.kyc.faces.index import DEFAULT_NPROBE, DIM, FaceIndex
from warden.kyc.faces.models import load_models

SAMPLE_FACE = Path(__file__).parent / "data" / "astronaut_face.jpg"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(values: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(_pct(values, 0.5) * 1000, 3),
        "p99_ms": round(_pct(values, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
    }


def pin_one_core() -> tuple[int | None, set[int] | None]:
    """Pin this process to one CPU so 'per image on one core' means that: (the core, the CPUs to restore)."""
    try:
        before = set(os.sched_getaffinity(0))
        core = min(before)
        os.sched_setaffinity(0, {core})
        return core, before
    except (AttributeError, OSError):
        return None, None


def selfie_jpeg(side: int = 640) -> bytes:
    """The shipped public-domain sample face, scaled to a selfie-sized frame and re-encoded."""
    img = Image.open(SAMPLE_FACE).convert("RGB")
    canvas = Image.new("RGB", (side, round(side * 0.75)), (90, 90, 90))
    face = img.resize((round(side * 0.45), round(side * 0.45 * img.height / img.width)))
    canvas.paste(face, ((canvas.width - face.width) // 2, (canvas.height - face.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=90)
    return out.getvalue()


def bench_match(repeats: int = 20) -> dict[str, Any]:
    models = load_models()
    data = selfie_jpeg()
    embed_bytes(data, models)  # warm-up: first call allocates the network's buffers
    embed, ref = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        decode(data)
        ref.append(time.perf_counter() - t)
        t = time.perf_counter()
        face = embed_bytes(data, models)
        embed.append(time.perf_counter() - t)
    if face.vector is None:
        raise RuntimeError("the sample face was not found; the models or the sample are broken")
    return {
        "image": "640x480 JPEG, public-domain sample face (scikit-image astronaut)",
        "per_image": _ms(embed),
        "reference_jpeg_decode": _ms(ref),
        "ratio_to_reference": round(statistics.median(embed) / statistics.median(ref), 1),
        "target_ms": 200,
        "meets_target": _pct(embed, 0.5) * 1000 <= 200,
        "model_version": models.version,
    }


def synthetic_gallery(size: int, seed: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((size, DIM), dtype=np.float32) * np.float32(1.0 / 16)).astype(np.float32)


def bench_search(
    size: int = 1_000_000, queries: int = 300, exact_queries: int = 30, nprobe: int = DEFAULT_NPROBE
) -> dict[str, Any]:
    import faiss

    faiss.omp_set_num_threads(1)
    gallery = synthetic_gallery(size)
    ids = [f"cu_{i}" for i in range(size)]
    t = time.perf_counter()
    index = FaceIndex.build(ids, gallery, nlist=max(64, int(np.sqrt(size))))
    build_s = time.perf_counter() - t
    index.nprobe = nprobe
    exact = FaceIndex(index=faiss.IndexFlatL2(DIM), ids=ids)
    exact.index.add(gallery)
    rng = np.random.default_rng(5)
    targets = rng.choice(size, size=queries, replace=False)
    noise = rng.standard_normal((queries, DIM), dtype=np.float32) * np.float32(0.35 / np.sqrt(DIM))
    q = gallery[targets] + noise
    times, found = [], 0
    for row, target in zip(q, targets, strict=True):
        t = time.perf_counter()
        hits = index.search(row, k=5, max_distance=0.6)
        times.append(time.perf_counter() - t)
        found += bool(hits) and hits[0].customer_id == ids[target]
    exact_times, exact_found = [], 0
    for row, target in zip(q[:exact_queries], targets[:exact_queries], strict=True):
        t = time.perf_counter()
        hits = exact.search(row, k=5, max_distance=0.6)
        exact_times.append(time.perf_counter() - t)
        exact_found += bool(hits) and hits[0].customer_id == ids[target]
    return {
        "gallery": size,
        "index": f"IVF-Flat nlist={index.index.nlist} nprobe={nprobe}",
        "build_s": round(build_s, 1),
        "queries": queries,
        "search": _ms(times),
        "recall_at_1": round(found / queries, 4),
        "reference_exact_flat": {
            **_ms(exact_times),
            "queries": exact_queries,
            "recall_at_1": round(exact_found / exact_queries, 4),
        },
        "speedup_p50": round(_pct(exact_times, 0.5) / _pct(times, 0.5), 1),
        "target_p99_ms": 50,
        "meets_target": _pct(times, 0.99) * 1000 <= 50,
        "threads": 1,
    }


def run_bench(size: int = 1_000_000, queries: int = 300, repeats: int = 20) -> dict[str, Any]:
    core, before = pin_one_core()
    try:
        return {
            "bench": "kyc-faces",
            "pinned_core": core,
            "face_match": bench_match(repeats),
            "search_1_to_n": bench_search(size, queries),
            "note": "the gallery is synthetic (no licensed set of a million faces exists here); timings only",
        }
    finally:
        if before:
            os.sched_setaffinity(0, before)


callable_for_kyc_bench = run_bench
