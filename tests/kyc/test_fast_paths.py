"""The document check's fast paths against their plain versions (project standard: a fast path lives beside the
plain one and a test compares them): the exact median filters against scipy's, the tamper signals computed
with shared noise levels and those filters against each signal on its own, and OCR line by line against
rapidocr's padded batches."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from warden.kyc import tamper
from warden.kyc.documents import dataset
from warden.kyc.fast_filters import median3, median_at, top_above_median
from warden.kyc.ocr import RapidOcrReader


@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (5, 7), (64, 97)])
def test_median3_is_scipys_median_bit_for_bit(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(sum(shape))
    ties = rng.integers(0, 6, shape).astype(np.float32)  # many equal values
    smooth = rng.normal(128, 40, shape).astype(np.float32)
    for a in (ties, smooth):
        assert np.array_equal(median3(a), ndimage.median_filter(a, size=3))


@pytest.mark.parametrize("size", [1, 3, 9])
@pytest.mark.parametrize("shape", [(1, 1), (3, 4), (20, 33)])
def test_median_at_is_scipys_median_where_asked(shape: tuple[int, int], size: int) -> None:
    rng = np.random.default_rng(size * 100 + shape[0])
    a = np.log1p(rng.integers(0, 9, shape)).astype(np.float64)
    ys, xs = np.nonzero(rng.random(shape) < 0.6)
    assert np.array_equal(median_at(a, size, ys, xs), ndimage.median_filter(a, size=size)[ys, xs])


def test_fast_filters_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        median3(np.zeros((2, 2, 2), np.float32))
    with pytest.raises(ValueError, match="odd"):
        median_at(np.zeros((4, 4)), 4, np.array([0]), np.array([0]))
    with pytest.raises(ValueError, match="outside"):
        median_at(np.zeros((4, 4)), 3, np.array([4]), np.array([0]))


def _pages() -> list[bytes]:
    # genuine pages of both kinds and the attacks the median-based signals are there for
    pages = [p for i in (0, 1) for p in dataset.genuine(7, i).pages.values()]
    for species in ("portrait_swap", "screen_recapture", "printed_copy", "copy_move"):
        pages += list(dataset.attack(7, 0, species).pages.values())[:1]
    return pages


def test_tamper_signals_fast_equal_plain() -> None:
    for data in _pages():
        _, fast = tamper.tamper_signals(data, fast=True)
        _, plain = tamper.tamper_signals(data, fast=False)
        assert [s.as_dict() for s in fast] == [s.as_dict() for s in plain]


def test_ocr_line_by_line_reads_what_the_batches_read() -> None:
    per_line, batched = RapidOcrReader(per_line=True), RapidOcrReader(per_line=False)
    read = 0
    for data in _pages()[:4]:
        img = Image.open(io.BytesIO(data)).convert("RGB")
        a, b = per_line.read(img), batched.read(img)
        assert [(ln.text, ln.box) for ln in a] == [(ln.text, ln.box) for ln in b]
        # the mean character confidence moves a little with the padding; nothing in the check reads it
        assert [ln.score for ln in a] == pytest.approx([ln.score for ln in b], abs=0.05)
        read += len(a)
    assert read >= 20  # the pages were read, not skipped


@pytest.mark.parametrize("shape", [(6, 5), (40, 37), (128, 128)])
def test_top_above_median_keeps_the_same_peaks(shape: tuple[int, int]) -> None:
    rng = np.random.default_rng(shape[1])
    a = np.log1p(np.abs(rng.normal(0, 50, shape)))
    a[rng.random(shape) < 0.01] += 6  # a few isolated peaks, as a screen's grid makes
    ys, xs = np.nonzero(rng.random(shape) < 0.7)
    plain = np.sort((a - ndimage.median_filter(a, size=9))[ys, xs])
    for count in (1, 20, 10_000):
        assert np.array_equal(top_above_median(a, 9, ys, xs, count), plain[-count:])
