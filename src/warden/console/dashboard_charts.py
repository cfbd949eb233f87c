"""Server-side SVG charts of the dashboard and rule-quality pages: stacked horizontal bars (queues by age,
reviewers by disposition), daily columns, and rate bars (precision per rule). No JavaScript."""

from __future__ import annotations

from html import escape

EMPTY = '<p class="muted">{}</p>'
# Series colours without red, which the dashboard keeps for true positives and breaches.
SERIES = ["#2155d6", "#16a34a", "#9333ea", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#ea580c"]


def _svg(width: int, height: int, label: str) -> str:
    # Drawn at most at its natural size, so text keeps the size of the page's text on wide screens.
    return (
        f'<svg viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" role="img" '
        f'aria-label="{escape(label)}">'
    )


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


def _legend(series: list[str], colours: list[str], y: float, x0: float) -> list[str]:
    parts, x = [], x0
    for name, colour in zip(series, colours, strict=True):
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14:.0f}" y="{y + 9:.0f}">{escape(name)}</text>')
        x += 30 + 7 * len(name)
    return parts


def stacked_hbars(
    rows: list[tuple[str, dict[str, int]]],
    series: list[str],
    *,
    label: str,
    colours: list[str] | None = None,
    empty: str = "Nothing to show.",
    width: int = 720,
) -> str:
    """One horizontal bar per row, split by `series`, the total at its end; a legend below."""
    if not rows or not any(sum(values.values()) for _, values in rows):
        return EMPTY.format(escape(empty))
    colours = colours or [SERIES[i % len(SERIES)] for i in range(len(series))]
    row_h, label_w, right = 24, 150, 60
    plot_w = width - label_w - right
    peak = max(sum(values.get(s, 0) for s in series) for _, values in rows) or 1
    height = row_h * len(rows) + 30
    parts = [_svg(width, height, label)]
    for i, (name, values) in enumerate(rows):
        y = 4 + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{escape(_fit(name, 22))}</text>')
        x = float(label_w)
        for s, colour in zip(series, colours, strict=True):
            n = values.get(s, 0)
            if not n:
                continue
            w = plot_w * n / peak
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}">'
                f"<title>{escape(f'{name}, {s}: {n:,}')}</title></rect>"
            )
            x += w
        total = sum(values.get(s, 0) for s in series)
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{total:,}</text>')
    parts.extend(_legend(series, colours, height - 18, label_w))
    parts.append("</svg>")
    return "".join(parts)


def daily_columns(
    days: list[str],
    counts: dict[str, dict[str, int]],
    *,
    label: str,
    empty: str = "Nothing to show.",
    width: int = 720,
    height: int = 180,
) -> str:
    """Stacked columns per day: `counts[series][day]` (e.g. cases closed per reviewer per day)."""
    series = sorted(counts)
    if not days or not any(sum(c.values()) for c in counts.values()):
        return EMPTY.format(escape(empty))
    colours = [SERIES[i % len(SERIES)] for i in range(len(series))]
    left, bottom, top = 36, 22, 8
    plot_w, plot_h = width - left - 8, height - bottom - top
    peak = max(sum(counts[s].get(d, 0) for s in series) for d in days) or 1
    col_w = plot_w / len(days)
    parts = [_svg(width, height + 22, label)]
    for tick in (0, peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:,}</text>')
    for i, day in enumerate(days):
        x, y = left + i * col_w, float(top + plot_h)
        for s, colour in zip(series, colours, strict=True):
            n = counts[s].get(day, 0)
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(col_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(f"{day} {s}: {n:,}")}</title></rect>'
            )
        if len(days) <= 10 or i % max(len(days) // 8, 1) == 0:
            parts.append(f'<text x="{x + col_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{day[5:]}</text>')
    parts.extend(_legend(series, colours, height + 6, left))
    parts.append("</svg>")
    return "".join(parts)


def rate_bars(
    rows: list[tuple[str, float, str]],
    *,
    label: str,
    empty: str = "Nothing to show.",
    width: int = 720,
) -> str:
    """Bars of a rate in [0, 1] per row (name, rate, note shown after the bar), coloured red to green."""
    if not rows:
        return EMPTY.format(escape(empty))
    row_h, label_w, right = 24, 300, 130
    plot_w = width - label_w - right
    height = row_h * len(rows) + 8
    parts = [_svg(width, height, label)]
    parts.append(f'<line x1="{label_w + plot_w}" x2="{label_w + plot_w}" y1="0" y2="{height}" stroke="#e4e7ec"/>')
    for i, (name, rate, note) in enumerate(rows):
        y = 4 + i * row_h
        colour = "#16a34a" if rate >= 0.5 else "#ea580c" if rate >= 0.2 else "#dc2626"
        w = max(plot_w * min(max(rate, 0.0), 1.0), 1.0)
        parts.append(f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end">{escape(_fit(name, 46))}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 8}" fill="{colour}">'
            f"<title>{escape(f'{name}: {rate:.0%} ({note})')}</title></rect>"
        )
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 13}">{rate:.0%} · {escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)
