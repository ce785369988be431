"""A table of counts from a local sample, laid out as a published table is, to compare with it
(``caresurvey compare-published``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from caresurvey.errors import InputError
from caresurvey.ingest.tabular import ROW, match_columns, read_csv_table
from caresurvey.ingest.values import parse_whole_number

__all__ = ["read_local_table"]


def read_local_table(path: Path) -> pd.DataFrame:
    """A local table in the published layout: ``group, item[, category], n, denominator``.

    ``n`` is the local count and ``denominator`` the local number answering (``count`` is
    accepted for ``n``).
    """
    table = read_csv_table(Path(path))
    cols = match_columns(
        table,
        {"group": ("group",), "item": ("item",), "category": ("category",), "n": ("n", "count"),
         "denominator": ("denominator",)},
        ("group", "item", "n", "denominator"),
        what="a local table in the published layout (group, item, category, n, denominator)",
    )
    rows = []
    for record in table.data.to_dict("records"):
        values = {}
        for key in ("n", "denominator"):
            try:
                values[key] = parse_whole_number(record[cols[key]])
            except ValueError as error:
                raise InputError(table.file, "whole-number", str(error), row=int(record[ROW]), column=cols[key],
                                 value=record[cols[key]]) from None
        if not 0 <= values["n"] <= values["denominator"] or values["denominator"] == 0:
            raise InputError(table.file, "count-range", "n must lie between 0 and the denominator, which must be positive",
                             row=int(record[ROW]), column=cols["n"], value=record[cols["n"]])
        rows.append({"group": record[cols["group"]], "item": record[cols["item"]],
                     "category": record[cols["category"]] if "category" in cols else "", **values})
    return pd.DataFrame(rows, columns=["group", "item", "category", "n", "denominator"])
