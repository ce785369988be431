"""Print the report to PDF with a headless Chromium from the system's packages.

Chromium renders the same self-contained HTML a reader opens, so the PDF matches it; it runs
offline, with every host name unresolvable (``--host-resolver-rules``) so that nothing could be
fetched even if the page asked. No TeX, no browser download: Debian's ``chromium`` package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from caresurvey.errors import CaresurveyError

__all__ = ["chromium", "chromium_flags", "print_pdf"]

_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Seconds Chromium may take to print the report.
PRINT_TIMEOUT = 180


def chromium() -> str | None:
    """The path of a Chromium or Chrome on this machine, or None."""
    return next((found for name in _NAMES if (found := shutil.which(name))), None)


def chromium_flags() -> list[str]:
    """Flags for a headless, offline Chromium (the sandbox needs a non-root user)."""
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--disable-extensions", "--disable-sync",
             "--host-resolver-rules=MAP * ~NOTFOUND"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")
    return flags


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print ``html`` to ``pdf`` (written whole or not at all)."""
    binary = chromium()
    if binary is None:
        raise CaresurveyError("no Chromium found to print the PDF: install Debian's chromium package "
                              "(apt-get install chromium), or print report.html from any browser")
    if not html.is_file():
        raise CaresurveyError(f"{html} not found: run `make report` first")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=pdf.parent, prefix=".pdf-") as folder:
        temporary = Path(folder) / pdf.name
        command = [binary, *chromium_flags(), "--no-pdf-header-footer", f"--user-data-dir={folder}/profile",
                   f"--print-to-pdf={temporary}", html.resolve().as_uri()]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise CaresurveyError(f"Chromium did not print {html} within {PRINT_TIMEOUT} s") from None
        if result.returncode != 0 or not temporary.is_file() or not temporary.read_bytes().startswith(b"%PDF"):
            raise CaresurveyError(f"Chromium could not print {html} (exit {result.returncode}): "
                                  f"{result.stderr.strip()[-500:]}")
        os.replace(temporary, pdf)
    return pdf
