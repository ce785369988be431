"""Shared fixtures: where the external material beside the project lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Property tests: `make test` (and CI) runs a bounded, repeatable number of examples per
# property; `make fuzz` runs many more, freshly random each time.
_SLOW_INPUTS = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, suppress_health_check=_SLOW_INPUTS)
settings.register_profile("fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "2000")), deadline=None,
                          suppress_health_check=_SLOW_INPUTS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

PROJECT = Path(__file__).resolve().parents[1]
SHARED = PROJECT.parent / "shared"


def _shared_folder(name: str, what: str) -> Path:
    """``../shared/NAME``, or skip the test with the reason where a checkout lacks it."""
    folder = SHARED / name
    if not folder.is_dir():
        pytest.skip(f"{what} not found at {folder} (it sits beside the project in ../shared)")
    return folder


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The seed documents (``../shared/seeds``)."""
    return _shared_folder("seeds", "seed documents")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """External real data (``../shared/data``)."""
    return _shared_folder("data", "external data")


@pytest.fixture(scope="session")
def synthetic_study(tmp_path_factory) -> Path:
    """The shipped synthetic study (default seed), written once per test session."""
    from caresurvey.synth.study import DEFAULT_SEED, write_study

    folder = tmp_path_factory.mktemp("synthetic") / "study"
    write_study(folder, DEFAULT_SEED)
    return folder


@pytest.fixture(scope="session")
def ingested_study(synthetic_study, tmp_path_factory) -> Path:
    """The shipped configuration over the synthetic study, ingested (as `make process` leaves it).

    Returns the configuration file; its ``paths.processed`` holds the processed tables.
    """
    import shutil

    from caresurvey.config import load_config
    from caresurvey.ingest.pipeline import ingest_study

    folder = tmp_path_factory.mktemp("ingested_study")
    shutil.copy(PROJECT / "caresurvey.toml", folder / "caresurvey.toml")
    shutil.copytree(synthetic_study, folder / "data" / "raw" / "synthetic")
    ingest_study(load_config(folder / "caresurvey.toml"))
    return folder / "caresurvey.toml"
