"""Figures of the analysis tables: each takes the table an analysis returns and gives a :class:`Figure`.

Shares are drawn with their Wilson 95% intervals; every figure carries alt text that states
its numbers, for the report. A value withheld by disclosure control (missing in the table) is
drawn as no bar and labelled ``c``, never as zero. Labels that print counts carry an SVG id
starting ``count`` (matplotlib's ``gid``), so that a test can read every count a figure shows.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from caresurvey.report.figures import _STYLE, Figure, _render

__all__ = [
    "status_chart",
    "shares_chart",
    "review_timeliness_chart",
    "cumulative_incidence_chart",
    "code_frequency_chart",
    "analysis_figures",
    "funnel_chart",
]

_BLUE, _ORANGE = "#3b6ea5", "#d9822b"
WITHHELD = "c"


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


def _count(value) -> str:
    """A count as a label: the whole number, or ``c`` where it was withheld."""
    return f"{int(value)}" if _known(value) else WITHHELD


def _share_label(percent, count, denominator) -> str:
    shown = f"{percent:.0f}%" if _known(percent) else WITHHELD
    return f"{shown} ({_count(count)}/{_count(denominator)})"


def status_chart(frame: pd.DataFrame, title: str, name: str) -> Figure:
    """Bars of children by legal status (Chart 1 of the UEA presentation, from the data)."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 3.2))
        counts = pd.to_numeric(frame["n"], errors="coerce")
        ax.bar(frame["status"], counts.fillna(0), color=_BLUE)
        for x, count in enumerate(counts):
            ax.text(x, (count if _known(count) else 0) + 0.5, _count(count), ha="center", fontsize=8,
                    gid=f"count-{x}")
        ax.set_ylabel("Children")
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(axis="x", labelrotation=20)
        png, svg = _render(fig)
    alt = f"{title}: " + "; ".join(f"{s} {_count(c)}" for s, c in zip(frame["status"], counts))
    return Figure(name=name, png=png, svg=svg, alt=alt)


def shares_chart(frame: pd.DataFrame, label_columns: list[str], title: str, name: str, note: str = "") -> Figure:
    """Horizontal bars of percentages with Wilson 95% intervals, one bar per row of ``frame``."""
    labels = [" | ".join(str(row[c]) for c in label_columns) for _, row in frame.iterrows()]
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.3 * len(frame)))
        y = np.arange(len(frame))[::-1]
        percent = pd.to_numeric(frame["percent"], errors="coerce").to_numpy(dtype=float)
        low = pd.to_numeric(frame["ci_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(frame["ci_high"], errors="coerce").to_numpy(dtype=float)
        errors = np.nan_to_num(np.vstack([percent - low, high - percent]))
        errors = np.clip(errors, 0, None)  # a Wilson bound at 0% can fall a rounding error past the estimate
        ax.barh(y, np.nan_to_num(percent), color=_BLUE, xerr=errors, ecolor="#555555", capsize=2)
        for k, (yy, p, count, n) in enumerate(zip(y, percent, frame["n"], frame["denominator"])):
            ax.text(101, yy, _share_label(p, count, n), va="center", fontsize=7, gid=f"count-{k}")
        ax.set_yticks(y, labels)
        ax.set_xlim(0, 118)
        ax.set_xlabel("Percentage of those who answered, with 95% Wilson interval")
        ax.set_title(title, fontsize=10, loc="left")
        if note:
            ax.annotate(note, xy=(0, 0), xycoords="axes fraction", xytext=(0, -30), textcoords="offset points",
                        fontsize=7, va="top")
        png, svg = _render(fig)
    alt = f"{title}: " + "; ".join(f"{label} {_share_label(p, k, n)}" for label, p, k, n in
                                   zip(labels, percent, frame["n"], frame["denominator"]))
    return Figure(name=name, png=png, svg=svg, alt=alt)


def review_timeliness_chart(frame: pd.DataFrame) -> Figure:
    """Share of reviews held on time by LA, all reviews, with intervals."""
    rows = frame[frame["review"] == "all"].rename(columns={"on_time": "n", "due": "denominator"})
    return shares_chart(rows, ["la"], "Reviews held on time (regulation 33)", "review_timeliness")


def cumulative_incidence_chart(frame: pd.DataFrame) -> Figure:
    """Cumulative incidence of each way of leaving care, against months since first looked after."""
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(6.5, 3.4))
        for outcome, part in frame.groupby("outcome", sort=False):
            ax.step(part["months"], 100 * part["cumulative_incidence"], where="post", label=outcome)
        ax.set_xlabel("Months since first becoming looked after")
        ax.set_ylabel("Cumulative incidence (%)")
        ax.set_title("Time to permanence (competing risks, Aalen-Johansen)", fontsize=10, loc="left")
        ax.legend(fontsize=7, frameon=False)
        png, svg = _render(fig)
    last = frame.dropna(subset=["cumulative_incidence"]).sort_values("months").groupby("outcome").last()
    alt = "Cumulative incidence by the last month shown: " + "; ".join(
        f"{o} {100 * r.cumulative_incidence:.0f}% at {r.months:g} months" for o, r in last.iterrows())
    return Figure(name="time_to_permanence", png=png, svg=svg, alt=alt)


def code_frequency_chart(frame: pd.DataFrame) -> Figure:
    """Heat map of the share of interviews mentioning each code, by role."""
    # a code never applied in a role may have no row: 0%; a row whose share was withheld stays missing, marked c
    marked = frame.assign(_row=1.0)
    table = marked.pivot(index="code", columns="role", values="percent")
    present = marked.pivot(index="code", columns="role", values="_row").reindex_like(table).notna()
    shown = table.where(present, 0.0)
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.6 + 0.22 * len(table)))
        image = ax.imshow(shown.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0, vmax=100)
        for (row, column) in zip(*np.nonzero(shown.isna().to_numpy())):
            ax.text(column, row, WITHHELD, ha="center", va="center", fontsize=6)
        ax.set_xticks(range(len(table.columns)), table.columns, rotation=30, ha="right", fontsize=7)
        ax.set_yticks(range(len(table.index)), table.index, fontsize=7)
        fig.colorbar(image, ax=ax, label="% of the role's interviews")
        ax.set_title("Interview codes by respondent role", fontsize=10, loc="left")
        png, svg = _render(fig)
    top = frame.dropna(subset=["percent"]).sort_values("percent", ascending=False).head(5)
    alt = "Most frequent codes: " + "; ".join(f"{r.code} in {r.percent:.0f}% of {r.role} interviews" for r in top.itertuples())
    return Figure(name="interview_codes", png=png, svg=svg, alt=alt)


def funnel_chart(table: pd.DataFrame, title: str, name: str = "funnel") -> Figure:
    """A funnel plot: each unit's proportion against its denominator, 95% and 99.8% limits, outliers named."""
    plotted = table.dropna(subset=["proportion", "denominator"])
    with plt.rc_context(_STYLE):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        if len(plotted):
            from caresurvey.analysis.funnel import binomial_limits

            target = float(table["target"].iloc[0])
            sizes = np.unique(np.geomspace(max(1, plotted["denominator"].min() * 0.8), plotted["denominator"].max() * 1.1,
                                           200).astype(int))
            for level, tail, style in (("95%", 0.025, "--"), ("99.8%", 0.001, ":")):
                ax.plot(sizes, binomial_limits(sizes, target, tail), style, color="#555555", lw=1, label=f"{level} limits")
                ax.plot(sizes, binomial_limits(sizes, target, 1 - tail), style, color="#555555", lw=1)
            ax.axhline(target, color=_ORANGE, lw=1, label=f"target {target:.3f}")
            outside = plotted["flag998"] != "inside"
            ax.scatter(plotted["denominator"], plotted["proportion"], s=14, color=np.where(outside, _ORANGE, _BLUE))
            for row in plotted[outside].itertuples():
                ax.annotate(str(row.la_name), (row.denominator, row.proportion), fontsize=6, xytext=(3, 2),
                            textcoords="offset points")
            ax.set_xscale("log")
            ax.legend(fontsize=7, frameon=False)
        ax.set_xlabel("Denominator")
        ax.set_ylabel("Proportion")
        ax.set_title(title, fontsize=10, loc="left")
        missing = len(table) - len(plotted)
        if missing:
            ax.annotate(f"{missing} unit(s) with a suppressed value: listed in the table, not plotted",
                        xy=(0, 0), xycoords="axes fraction", xytext=(0, -34), textcoords="offset points", fontsize=7,
                        va="top")
        png, svg = _render(fig)
    counts = table["flag998"].value_counts().to_dict()
    alt = f"{title}: funnel plot of {len(plotted)} units; 99.8% limits: " + ", ".join(
        f"{k} {v}" for k, v in sorted(counts.items()))
    return Figure(name=name, png=png, svg=svg, alt=alt)


def analysis_figures(tables: dict[str, pd.DataFrame]) -> dict[str, Figure]:
    """The figures of the analysis tables that hold data."""
    figures: dict[str, Figure] = {}
    status = tables.get("legal_status_at_file_analysis")
    if status is not None and status["n"].sum():
        figures["chart1"] = status_chart(status, "Chart 1: children in each legal status at the time of file analysis",
                                         "legal_status_at_file_analysis")
    contact = tables.get("iro_cg_contact")
    if contact is not None and contact["denominator"].sum():
        ends = contact[contact["category"] != "Sometimes"]
        figures["contact"] = shares_chart(ends, ["item", "group", "category"],
                                          "IRO and guardian contact when a case is in proceedings", "iro_cg_contact")
    challenge = tables.get("formal_challenge")
    if challenge is not None and challenge["denominator"].sum():
        figures["challenge"] = shares_chart(challenge, ["mechanism", "group"], "Formal challenge mechanisms used by IROs",
                                            "formal_challenge")
    independence = tables.get("independence_attitudes")
    if independence is not None and independence["denominator"].sum():
        figures["independence"] = shares_chart(independence, ["group"],
                                               "In favour of separating IROs from local authorities",
                                               "independence_attitudes")
    timeliness = tables.get("review_timeliness")
    if timeliness is not None and len(timeliness):
        figures["timeliness"] = review_timeliness_chart(timeliness)
    permanence = tables.get("time_to_permanence")
    if permanence is not None and len(permanence):
        figures["permanence"] = cumulative_incidence_chart(permanence)
    codes = tables.get("interview_codes")
    if codes is not None and len(codes):
        figures["codes"] = code_frequency_chart(codes)
    national = tables.get("national_funnel")
    if national is not None and len(national):
        figures["national_funnel"] = funnel_chart(national, national_funnel_title(national), "national_funnel")
    return figures


def national_funnel_title(table: pd.DataFrame) -> str:
    """``Share on s.20 at 31 March 2015, every LA against England``, from a national funnel table."""
    from caresurvey.analysis.national import MEASURE_LABELS

    measure = str(table["measure"].iloc[0])
    return f"{MEASURE_LABELS.get(measure, measure)} {int(table['year'].iloc[0])}, every LA against England"
