"""``datapackage.json``: a Frictionless Data Package describing ``data/processed/``.

Each table's Table Schema is made from its pandera schema, so the field list, descriptions,
required fields and code lists (as ``enum`` constraints) are the ones the data was checked
against. See https://specs.frictionlessdata.io/data-package/ and /table-schema/.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pandera.pandas as pa

from caresurvey.ingest.ledger import QUARANTINE_COLUMNS
from caresurvey.schemas import DESCRIPTIONS, processed_schema

__all__ = ["datapackage", "table_schema"]


def _type(column: pa.Column) -> str:
    dtype = str(column.dtype).lower()
    if "datetime" in dtype:
        return "date"
    if "int" in dtype:
        return "integer"
    if "float" in dtype:
        return "number"
    return "string"


def table_schema(schema: pa.DataFrameSchema) -> dict:
    """A Frictionless Table Schema for a pandera schema."""
    fields = []
    for name, column in schema.columns.items():
        field: dict = {"name": name, "type": _type(column)}
        if column.description:
            field["description"] = column.description
        constraints: dict = {"required": not column.nullable}
        for check in column.checks:
            statistics = check.statistics or {}
            if check.name == "isin":
                constraints["enum"] = list(statistics["allowed_values"])
            elif check.name == "str_matches":
                constraints["pattern"] = str(statistics["pattern"]).strip("^$")
            elif check.name == "greater_than_or_equal_to":
                constraints["minimum"] = statistics["min_value"]
            elif check.name == "in_range":
                constraints["minimum"], constraints["maximum"] = statistics["min_value"], statistics["max_value"]
        field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields}


def datapackage(frames: Mapping[str, pd.DataFrame], *, title: str) -> dict:
    """The package descriptor for the tables written (with their row counts) and the quarantine."""
    resources = []
    for table, frame in frames.items():
        schema = processed_schema(table, frame.columns)
        resources.append({
            "name": table,
            "path": f"{table}.parquet",
            "format": "parquet",
            "mediatype": "application/vnd.apache.parquet",
            "description": DESCRIPTIONS.get(table, f"SSDA903 {table.removeprefix('ssda903_')} table, minimised"),
            "rows": len(frame),
            "schema": table_schema(schema),
        })
    resources.append({
        "name": "quarantine",
        "path": "quarantine.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "description": "Every problem of every rejected row; row is 1-based as a spreadsheet shows it (header = 1)",
        "schema": {"fields": [{"name": c, "type": "integer" if c == "row" else "string"} for c in QUARANTINE_COLUMNS]},
    })
    return {
        "profile": "tabular-data-package",
        "name": "caresurvey-processed",
        "title": title,
        "resources": resources,
    }
