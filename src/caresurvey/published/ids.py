"""Which published tables the package holds: their ids and files (the standard library only, so
a configuration can name them before anything else is installed)."""

from __future__ import annotations

import tomllib
from importlib import resources

__all__ = ["TABLES_PACKAGE", "table_ids", "table_file", "tables_of"]

TABLES_PACKAGE = "caresurvey.published"


def table_ids() -> list[str]:
    """Identifiers of the tables shipped with the package, sorted."""
    folder = resources.files(TABLES_PACKAGE) / "tables"
    return sorted(entry.name.removesuffix(".toml") for entry in folder.iterdir() if entry.name.endswith(".toml"))


def table_file(table_id: str):
    """The packaged TOML file of a table (an importlib ``Traversable``; it may not exist)."""
    return resources.files(TABLES_PACKAGE) / "tables" / f"{table_id}.toml"


def tables_of(sources: tuple[str, ...]) -> tuple[str, ...]:
    """Identifiers of the packaged tables published in the given source documents (their seed
    file names), sorted."""
    return tuple(table_id for table_id in table_ids()
                 if tomllib.loads(table_file(table_id).read_text(encoding="utf-8"))["source"] in sources)
