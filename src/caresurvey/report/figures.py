"""Figures of the published tables, written as PNG and SVG with alt text.

Files are deterministic: SVG ids come from a fixed salt and neither format carries a
creation date, so an unchanged figure is byte-identical from run to run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen on servers or in CI
import matplotlib.pyplot as plt  # noqa: E402

from caresurvey.outputs import atomic_write_bytes  # noqa: E402
from caresurvey.published.catalogue import PublishedTable  # noqa: E402
from caresurvey.published.rounding import PrintedPercent  # noqa: E402

__all__ = ["Figure", "published_percent_figure", "write_figure"]

_STYLE = {
    "svg.hashsalt": "caresurvey",
    "svg.fonttype": "none",  # text stays text: searchable, read by screen readers, and smaller
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Figure:
    """A rendered figure: its name, PNG and SVG bytes, and alt text for the report."""

    name: str
    png: bytes
    svg: bytes
    alt: str

    def _repr_png_(self) -> tuple[bytes, dict]:
        """Jupyter shows a figure that ends a cell, with its alt text (no IPython import needed)."""
        return self.png, {"alt": self.alt}


def _render(fig: plt.Figure) -> tuple[bytes, bytes]:
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return png.getvalue(), svg.getvalue()


def published_percent_figure(table: PublishedTable) -> Figure:
    """Horizontal bars of a table's printed percentages, one per cell, grouped as printed.

    Approximate values ("about 79%") are drawn hatched and marked with a tilde.
    """
    cells = [cell for cell in table.cells if cell.percent is not None]
    if not cells:
        raise ValueError(f"table {table.id!r} has no printed percentages to draw")
    labels, values, approximate = [], [], []
    for cell in cells:
        parts = [cell.group, cell.item] + ([cell.category] if cell.category else [])
        labels.append(" | ".join(dict.fromkeys(parts)))
        values.append(float(PrintedPercent.parse(cell.percent).value))
        approximate.append(cell.qualifier is not None)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.32 * len(cells)))
        positions = range(len(cells))[::-1]
        bars = ax.barh(list(positions), values, color="#3b6ea5")
        for bar, approx, value in zip(bars, approximate, values):
            if approx:
                bar.set_hatch("//")
                bar.set_facecolor("#9fb9d6")
            ax.text(value + 1, bar.get_y() + bar.get_height() / 2,
                    f"{'~' if approx else ''}{value:g}%", va="center", fontsize=8)
        ax.set_yticks(list(positions), labels)
        ax.set_xlim(0, 110)
        ax.set_xlabel("Percentage as printed")
        ax.set_title(table.title, fontsize=10, loc="left", wrap=True)
        ax.annotate(f"Source: {table.source}, {table.location}", xy=(0, 0), xycoords="axes fraction",
                    xytext=(0, -34), textcoords="offset points", fontsize=7, ha="left", va="top")
        png, svg = _render(fig)
    alt = f"Bar chart of the printed percentages of '{table.title}': " + "; ".join(
        f"{label} {cell.percent}" for label, cell in zip(labels, cells)
    )
    return Figure(name=f"published_{table.id}", png=png, svg=svg, alt=alt)


def write_figure(figure: Figure, folder: Path) -> list[Path]:
    """Write ``NAME.png`` and ``NAME.svg`` into ``folder``."""
    return [
        atomic_write_bytes(folder / f"{figure.name}.png", figure.png),
        atomic_write_bytes(folder / f"{figure.name}.svg", figure.svg),
    ]
