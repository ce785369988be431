"""Notebooks are jupytext percent-format scripts that import from caresurvey and run top to bottom."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((PROJECT / "notebooks").glob("*.py"))


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_and_runs(notebook, ingested_study):
    source = notebook.read_text(encoding="utf-8")
    assert "# %%" in source and "format_name: percent" in source
    tree = ast.parse(source)
    assert not [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
    environment = {**os.environ, "CARESURVEY_CONFIG": str(ingested_study)}
    result = subprocess.run([sys.executable, str(notebook)], capture_output=True, text=True, timeout=300,
                            cwd=notebook.parent, env=environment)
    assert result.returncode == 0, result.stderr
