"""Face-match error rates on an operator's own consented pairs: a CSV `image_a,image_b,same` (paths
relative to the CSV, same = 1 for one person, 0 for two), scored with the matcher and summarised as FNMR
at a fixed FMR with the pair counts. Nothing is downloaded; Warden ships no such pairs."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from warden.kyc.faces.calibrate import fnmr_at_fmr
from warden.kyc.faces.embed import BadImage, embed_bytes
from warden.kyc.faces.matcher import score
from warden.kyc.faces.models import load_models


class PairsError(ValueError):
    """A bad row, with its file and line."""


def read_pairs(path: Path) -> list[tuple[Path, Path, bool, int]]:
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {"image_a", "image_b", "same"} - set(reader.fieldnames or [])
        if missing:
            raise PairsError(f"{path}:1: header lacks {', '.join(sorted(missing))}")
        for row in reader:
            line = reader.line_num
            if row["same"] not in ("0", "1"):
                raise PairsError(f"{path}:{line}: same must be 0 or 1, found {row['same']!r}")
            a, b = path.parent / row["image_a"], path.parent / row["image_b"]
            for p in (a, b):
                if not p.is_file():
                    raise PairsError(f"{path}:{line}: no such image {p}")
            rows.append((a, b, row["same"] == "1", line))
    return rows


def evaluate_pairs(path: Path, fmr: float = 0.001) -> dict[str, Any]:
    models = load_models()
    cache: dict[Path, Any] = {}
    genuine: list[float] = []
    impostor: list[float] = []
    failures: list[str] = []
    for a, b, same, line in read_pairs(path):
        vectors = []
        for p in (a, b):
            if p not in cache:
                try:
                    cache[p] = embed_bytes(p.read_bytes(), models).vector
                except BadImage as exc:
                    cache[p] = None
                    failures.append(f"{path}:{line}: {p.name}: {exc}")
            vectors.append(cache[p])
        if vectors[0] is None or vectors[1] is None:
            failures.append(f"{path}:{line}: no face in {a.name if vectors[0] is None else b.name}")
            continue
        (genuine if same else impostor).append(score(vectors[0], vectors[1]))
    result = fnmr_at_fmr(genuine, impostor, fmr)
    result.update(failed_to_enrol=len(failures), failures=failures[:20], model_version=models.version)
    return result
