"""Small server-side SVG charts (no JavaScript, no CDN)."""

from __future__ import annotations

from html import escape
from typing import Any

from warden.console.formatting import readable_number

PALETTE = ["#2155d6", "#16a34a", "#dc2626", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563"]


def stacked_bars(rows: list[dict[str, Any]], series: list[str], width: int = 960, height: int = 240) -> str:
    """Stacked bars, one per row (`rows[i]["day"]` on the x axis), with a legend."""
    if not rows:
        return '<p class="muted">No events yet.</p>'
    left, bottom, top = 48, 28, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    peak = max(sum(int(r.get(s, 0)) for s in series) for r in rows) or 1
    bar_w = plot_w / len(rows)
    parts = [f'<svg viewBox="0 0 {width} {height + 24}" width="100%" role="img" aria-label="events by day and type">']
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e4e7ec"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{int(value):,}</text>')
    for i, row in enumerate(rows):
        x = left + i * bar_w
        y = top + plot_h
        for j, name in enumerate(series):
            n = int(row.get(name, 0))
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            title = escape(f"{row['day']} {name}: {n:,}")
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(bar_w - 2, 1):.1f}" height="{h:.1f}" '
                f'fill="{PALETTE[j % len(PALETTE)]}"><title>{title}</title></rect>'
            )
        if len(rows) <= 16 or i % max(len(rows) // 8, 1) == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 10}" text-anchor="middle">{row["day"][5:]}</text>'
            )
    x = left
    for j, name in enumerate(series):
        parts.append(f'<rect x="{x}" y="{height + 8}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{height + 17}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def contribution_bars(contributions: list[dict[str, Any]], width: int = 640) -> str:
    """Horizontal bars of model contributions: red pushes towards fraud, green away from it."""
    if not contributions:
        return ""
    row_h, label_w = 22, 260
    peak = max(abs(float(c.get("contribution", 0))) for c in contributions) or 1.0
    half = (width - label_w) / 2
    height = row_h * len(contributions) + 8
    parts = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="model contributions">']
    parts.append(f'<line x1="{label_w + half}" x2="{label_w + half}" y1="0" y2="{height}" stroke="#98a2b3"/>')
    for i, c in enumerate(contributions):
        value = float(c.get("contribution", 0))
        w = half * abs(value) / peak
        x = label_w + half if value >= 0 else label_w + half - w
        y = 4 + i * row_h
        color = "#dc2626" if value >= 0 else "#16a34a"
        label = escape(f"{c.get('feature')} = {readable_number(c.get('value'))}")
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{label}</text>')
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="{max(w, 1):.1f}" height="{row_h - 6}" fill="{color}">'
            f"<title>{value:+.4f}</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
