"""Execute the notebooks and render them as HTML pages beside the report, with no network use.

The notebooks are jupytext percent-format scripts (``notebooks/*.py``). Each is executed in a
fresh kernel (nbclient) against the study's processed data and converted with nbconvert's
``basic`` template, which gives the cells only: no require.js, MathJax or fonts from a CDN.
The page around them is ours, with its styles inline, so it opens offline like the report.

Notebooks show analyses before disclosure control (they are for exploring the data), so they
are executed only for synthetic studies; for a real study each page says so instead, and the
analyst runs the notebooks in the secure environment.
"""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path

from caresurvey.config import Config
from caresurvey.errors import CaresurveyError
from caresurvey.outputs import atomic_write_text

__all__ = ["notebook_scripts", "render_notebook", "render_notebooks", "NOT_RENDERED_FOR_REAL_DATA"]

log = logging.getLogger(__name__)

NOT_RENDERED_FOR_REAL_DATA = (
    "The notebooks show tables before disclosure control, so they are not executed into reports/ for a real "
    "study: open them in Jupyter in the secure environment."
)

#: Seconds one cell may run before the notebook is stopped with an error.
CELL_TIMEOUT = 600

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}: caresurvey notebook</title>
<style>
  body {{ font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; max-width: 62rem; margin: 0 auto;
         padding: 1rem 1.5rem 4rem; color: #1d1d1d; line-height: 1.45; }}
  .banner {{ background: #fff4ce; border: 1px solid #e0c36a; padding: .6rem 1rem; margin: 1rem 0; }}
  .jp-InputArea pre, .input_area pre {{ background: #f6f6f6; padding: .6rem; overflow-x: auto; }}
  pre {{ font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .85rem; white-space: pre-wrap; }}
  .jp-InputPrompt, .jp-OutputPrompt, .prompt {{ display: none; }}
  table {{ border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }}
  th, td {{ border: 1px solid #c8c8c8; padding: .2rem .45rem; text-align: right; }}
  img {{ max-width: 100%; height: auto; }}
  .jp-Cell, .cell {{ margin: .8rem 0; }}
</style>
</head>
<body>
<p><a href="../report.html">Back to the report</a></p>
<div class="banner" role="note">Notebook <code>notebooks/{source}</code>, executed against the study's processed data
when the report was built. {banner}</div>
<main>
{body}
</main>
</body>
</html>
"""


def notebook_scripts(config: Config) -> list[Path]:
    """The notebooks a study's report executes and links, in their numbered order: the project's
    (``notebooks/`` in the working folder, where make runs them for every study), else those
    beside the configuration."""
    for folder in (Path.cwd() / "notebooks", config.root / "notebooks"):
        if folder.is_dir():
            return sorted(folder.glob("*.py"))
    return []


def render_notebook(script: Path, out_dir: Path, config: Config) -> Path:
    """Execute one notebook and write ``out_dir/<name>.html``; an error in a cell is an error here,
    naming the notebook, not a page with a traceback in it."""
    if not config.synthetic:
        page = _PAGE.format(title=html.escape(script.stem), source=html.escape(script.name), banner="",
                            body=f"<p>{html.escape(NOT_RENDERED_FOR_REAL_DATA)}</p>")
        return atomic_write_text(out_dir / f"{script.stem}.html", page)
    import jupytext
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter

    notebook = jupytext.read(script)
    previous = os.environ.get("CARESURVEY_CONFIG")
    os.environ["CARESURVEY_CONFIG"] = str(config.path)  # the kernel inherits the environment
    try:
        # Once its cells have run, the kernel holds nothing to save (every output is in the
        # notebook, every file written by then): stopping it at once saves most of a second.
        NotebookClient(notebook, timeout=CELL_TIMEOUT, kernel_name="python3", shutdown_kernel="immediate",
                       resources={"metadata": {"path": str(script.parent)}}).execute()
    except CellExecutionError as error:
        raise CaresurveyError(f"{script}: a cell failed when the notebook was executed:\n{error}") from None
    finally:
        if previous is None:
            os.environ.pop("CARESURVEY_CONFIG", None)
        else:
            os.environ["CARESURVEY_CONFIG"] = previous
    body, _ = HTMLExporter(template_name="basic", exclude_input_prompt=True, exclude_output_prompt=True,
                           embed_images=True).from_notebook_node(notebook)
    banner = ("Synthetic study: the data were generated and describe no real child or professional."
              if config.synthetic else "")
    page = _PAGE.format(title=html.escape(script.stem), source=html.escape(script.name), banner=banner, body=body)
    return atomic_write_text(out_dir / f"{script.stem}.html", page)


def render_notebooks(config: Config, scripts: list[Path] | None = None, out_dir: Path | None = None) -> list[Path]:
    """Render each notebook (all of the project's by default) into ``reports/notebooks/``."""
    scripts = scripts if scripts is not None else notebook_scripts(config)
    out_dir = out_dir or config.reports_dir / "notebooks"
    written = []
    for position, script in enumerate(scripts, start=1):
        log.info("[%d/%d] executing %s", position, len(scripts), script)
        written.append(render_notebook(script, out_dir, config))
    return written
