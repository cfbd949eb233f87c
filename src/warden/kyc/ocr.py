"""Text in document photos, from one of two offline OCR engines behind one small interface.

- `rapidocr` (PyPI, Apache-2.0): its wheel ships the PP-OCR detection and recognition ONNX models and runs on
  `onnxruntime`; installed with Warden's dependencies, so it is the default.
- Debian's `tesseract-ocr` (an apt package, not something a Python-only install has): used only when the
  `tesseract` binary is on PATH; `available()` says so, and tests skip without it.

Both return text lines with their boxes in the photo's pixels. Which to use was chosen by measurement
(docs/kyc.md: MRZ read rate and time per document on the rendered set).
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: tuple[float, float, float, float]  # left, top, right, bottom in photo pixels

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]


class OcrUnavailable(RuntimeError):
    """The engine is not installed here."""


class TextReader(Protocol):
    name: str
    version: str

    def read(self, image: Image.Image, *, mrz_only: bool = False) -> list[TextLine]: ...


MRZ_ASPECT = 9.0  # an MRZ line is at least 30 characters wide and one high


class RapidOcrReader:
    """PP-OCR through rapidocr, one thread: detection on the whole photo, recognition only on the lines wanted.

    `per_line` (the default) recognises each line alone at its own width. rapidocr's own way (`per_line=False`,
    the plain version) batches six lines, each padded to the widest of its batch and to at least 320 px; on one
    thread batching saves nothing and the padding is a third of the work. The texts are the same
    (tests/kyc/test_fast_paths.py)."""

    name = "rapidocr"

    def __init__(self, threads: int = 1, *, per_line: bool = True) -> None:
        try:
            import rapidocr
            from rapidocr import RapidOCR
        except ImportError as exc:  # pragma: no cover - a dependency of warden
            raise OcrUnavailable("rapidocr is not installed: pip install rapidocr onnxruntime") from exc
        self.version = f"rapidocr-{getattr(rapidocr, '__version__', '3')}-ppocr"
        self._engine = RapidOCR(
            params={
                "Global.log_level": "error",
                "Global.use_cls": False,
                "Det.limit_type": "max",
                "Det.limit_side_len": 800,
                "EngineConfig.onnxruntime.intra_op_num_threads": threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": threads,
                # onnxruntime's memory arena: buffers kept between runs instead of allocated per layer
                "EngineConfig.onnxruntime.enable_cpu_mem_arena": True,
            }
        )
        self.per_line = per_line
        self._lock = threading.Lock()  # the onnx sessions are shared; one image at a time

    def read(self, image: Image.Image, *, mrz_only: bool = False) -> list[TextLine]:
        arr = np.asarray(image.convert("RGB"))[:, :, ::-1].copy()  # rapidocr works in BGR
        eng = self._engine
        with self._lock:
            img, record = eng.preprocess_img(arr)
            try:
                crops, det = eng.detect_and_crop(img, record)
            except Exception:  # rapidocr raises when it finds no text at all
                return []
            ratio_w = record["preprocess"]["ratio_w"]
            ratio_h = record["preprocess"]["ratio_h"]
            pad_top = record.get("padding_1", {}).get("top", 0)
            boxes, shapes = [], []
            for quad in det.boxes if det.boxes is not None else []:
                xs, ys = quad[:, 0], quad[:, 1] - pad_top
                boxes.append((xs.min() / ratio_w, ys.min() / ratio_h, xs.max() / ratio_w, ys.max() / ratio_h))
                # the line's own length and thickness: a tilted line's upright box is much taller than it
                shapes.append((float(np.linalg.norm(quad[1] - quad[0])), float(np.linalg.norm(quad[2] - quad[1]))))
            keep = _wanted(shapes, mrz_only)
            if not keep:
                return []
            if self.per_line:
                texts = [self._recognise_line(crops[i]) for i in keep]
            else:
                rec = eng.recognize_txt([crops[i] for i in keep])
                texts = list(zip(rec.txts or (), rec.scores, strict=False))
        return [
            TextLine(str(t), float(s), tuple(float(v) for v in boxes[i]))  # type: ignore[arg-type]
            for i, (t, s) in zip(keep, texts, strict=False)
        ]

    def _recognise_line(self, crop: np.ndarray) -> tuple[str, float]:
        """One line through the recognition model at its own width (rapidocr's resize and CTC decoding)."""
        rec = self._engine._load_rec_model()
        height = rec.rec_image_shape[1]
        h, w = crop.shape[:2]
        # rapidocr resizes a line to ceil(height * w / h) columns and pads it to `height * max_wh_ratio`:
        # asking for exactly that width (the 0.5 survives int()) resizes as the batch does and pads nothing
        width = max(math.ceil(height * w / max(h, 1)), height)
        ratio = (width + 0.5) / height
        batch = rec.resize_norm_img(crop, ratio)[np.newaxis].astype(np.float32)
        lines, _ = rec.postprocess_op(rec.session(batch), False, wh_ratio_list=[w / max(h, 1)], max_wh_ratio=ratio)
        text, score = lines[0]
        return str(text), float(score)


def _wanted(shapes: list[tuple[float, float]], mrz_only: bool) -> list[int]:
    """Which detected lines (length, thickness) to recognise: MRZ-shaped ones, and unless `mrz_only` the
    value-sized visual-zone lines (small captions such as 'Date of birth' cost time and carry nothing)."""
    if not shapes:
        return []
    widths = np.array([s[0] for s in shapes])
    heights = np.array([s[1] for s in shapes])
    aspect = widths / np.maximum(heights, 1)
    mrz = [i for i in range(len(shapes)) if aspect[i] >= MRZ_ASPECT]
    if mrz_only:
        return mrz
    threshold = 0.75 * float(np.percentile(heights, 75))
    return sorted(set(mrz) | {i for i in range(len(shapes)) if heights[i] >= threshold})


class TesseractReader:
    """Debian's tesseract through its command line (no Python binding needed): page segmentation mode 6,
    one thread. Boxes come from its TSV output."""

    name = "tesseract"

    def __init__(self, binary: str | None = None) -> None:
        self.binary = binary or shutil.which("tesseract")
        if not self.binary:
            raise OcrUnavailable("tesseract is not installed (Debian: apt-get install tesseract-ocr)")
        out = subprocess.run([self.binary, "--version"], capture_output=True, text=True, timeout=30)
        first = (out.stdout or out.stderr).splitlines()[:1]
        self.version = first[0].strip().replace(" ", "-") if first else "tesseract"

    def read(self, image: Image.Image, *, mrz_only: bool = False) -> list[TextLine]:
        buf = io.BytesIO()
        image.convert("L").save(buf, "PNG")
        args = [self.binary or "tesseract", "stdin", "stdout", "--psm", "6", "tsv"]
        if mrz_only:
            args[-1:-1] = ["-c", "tessedit_char_whitelist=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"]
        run = subprocess.run(args, input=buf.getvalue(), capture_output=True, timeout=60, env={"OMP_THREAD_LIMIT": "1"})
        return _tsv_lines(run.stdout.decode("utf-8", "replace"))


def _tsv_lines(tsv: str) -> list[TextLine]:
    lines: dict[tuple[str, str, str], list[tuple[str, float, int, int, int, int]]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        key = (cols[2], cols[3], cols[4])
        left, top, w, h = (int(c) for c in cols[6:10])
        lines.setdefault(key, []).append((cols[11], float(cols[10]) / 100, left, top, w, h))
    out = []
    for words in lines.values():
        text = " ".join(w[0] for w in words)
        out.append(
            TextLine(
                text,
                float(np.mean([w[1] for w in words])),
                (
                    float(min(w[2] for w in words)),
                    float(min(w[3] for w in words)),
                    float(max(w[2] + w[4] for w in words)),
                    float(max(w[3] + w[5] for w in words)),
                ),
            )
        )
    return out


_READERS: dict[str, TextReader] = {}
_READERS_LOCK = threading.Lock()


def reader(name: str = "rapidocr") -> TextReader:
    """A shared reader by name ('rapidocr' or 'tesseract'); raises `OcrUnavailable` when it is not installed."""
    with _READERS_LOCK:
        if name not in _READERS:
            if name == "rapidocr":
                _READERS[name] = RapidOcrReader()
            elif name == "tesseract":
                _READERS[name] = TesseractReader()
            else:
                raise ValueError(f"unknown OCR engine {name!r}: rapidocr or tesseract")
        return _READERS[name]


def available(name: str) -> bool:
    try:
        reader(name)
    except OcrUnavailable:
        return False
    return True
