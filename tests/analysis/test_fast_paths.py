"""The vectorised SSDA903 analyses give the same tables as the loop-by-loop reference
(``reference_ssda903.py``), on the study data and on national-scale synthetic returns; and the
parallel reader gives the same processed data as reading file by file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from caresurvey.analysis.funnel import binomial_limit, binomial_limits
from caresurvey.analysis.permanence import time_to_permanence
from caresurvey.analysis.reviews import _add_months, add_months, care_periods, participation_counts, review_timeliness
from caresurvey.analysis.stats import cumulative_incidence, wilson_interval, with_wilson
from caresurvey.config import load_config
from caresurvey.results.inputs import ProcessedStudy, read_processed
from tests.analysis import reference_ssda903 as reference


def _same(fast: pd.DataFrame, slow: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True), check_dtype=False)


def _periods(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["child_id", "la", "start"]).reset_index(drop=True)


def _compare(data: ProcessedStudy) -> None:
    episodes, reviews = data.table("episodes"), data.table("reviews")
    _same(_periods(care_periods(episodes)), _periods(reference.care_periods(episodes)))
    _same(review_timeliness(episodes, reviews), reference.review_timeliness(episodes, reviews))
    _same(time_to_permanence(episodes, reviews), reference.time_to_permanence(episodes, reviews))
    reviews = reviews.assign(age_group=lambda f: np.where(f.index % 3 == 0, "10 to 15", "1 to 4"))
    reviews["participation"] = reviews["participation"].fillna("Not recorded")
    _same(participation_counts(reviews), reference.review_participation_counts(reviews))


def test_fast_paths_match_the_reference_on_the_study(ingested_study):
    _compare(read_processed(load_config(ingested_study).processed_dir))


@pytest.fixture(scope="module")
def national(shared_data, tmp_path_factory) -> Path:
    """Two years of national-scale returns for 12 LAs (of every size), read as a study would be."""
    from caresurvey.ingest.common import Source
    from caresurvey.ingest import pipeline
    from caresurvey.ingest.pipeline import read_sources, write_processed
    from caresurvey.pseudonym import Pseudonymiser
    from caresurvey.synth.national import read_national_statistics, write_national

    statistics = read_national_statistics(shared_data / "dfe" / "ees")
    chosen = statistics.las.sort_values("stock").iloc[np.linspace(0, len(statistics.las) - 1, 12).astype(int)]
    statistics = dataclasses.replace(statistics, las=chosen.reset_index(drop=True))
    folder = tmp_path_factory.mktemp("national")
    write_national(folder / "raw", statistics, 2, 20140601)
    pseudonymise = Pseudonymiser(b"test key, sixteen bytes or more")
    files = sorted((folder / "raw").glob("*/*/*.csv"))
    sources = [("ssda903-csv", Source(p, str(p.relative_to(folder)), pseudonymise, la=p.parent.name)) for p in files]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "PARALLEL_FROM_BYTES", 0)  # these files are too few to be read in parallel
        patch.setenv("CARESURVEY_WORKERS", "2")
        write_processed(read_sources(sources), folder / "parallel", title="national")
        patch.setenv("CARESURVEY_WORKERS", "1")
        write_processed(read_sources(sources), folder / "serial", title="national")
        patch.setattr(pipeline, "BATCH_FILES", 1)
        write_processed(read_sources(sources), folder / "one_by_one", title="national")
    return folder


def test_fast_paths_match_the_reference_on_national_returns(national):
    _compare(read_processed(national / "parallel"))


def test_reading_in_parallel_or_in_batches_writes_the_same_bytes_as_reading_file_by_file(national):
    written = {way: {p.name: p.read_bytes() for p in (national / way).iterdir()}
               for way in ("parallel", "serial", "one_by_one")}
    assert len(written["one_by_one"]) >= 5
    assert written["parallel"] == written["one_by_one"] and written["serial"] == written["one_by_one"]


def test_vectorised_helpers_equal_their_scalar_definitions():
    rng = np.random.default_rng(7)
    days = pd.Series(pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.integers(0, 5000, 400), unit="D"))
    days = pd.concat([days, pd.Series(pd.to_datetime(["2012-08-31", "2013-01-31", "2011-11-30", "2012-02-29"]))],
                     ignore_index=True)
    for months in (3, 6):
        fast = _add_months(days, np.full(len(days), months))
        assert [d.date() for d in fast] == [add_months(d.date(), months) for d in days]
    sizes = np.array([1, 2, 7, 20, 33, 150, 1000, 25000])
    for target in (0.05, 0.5, 0.91):
        for tail in (0.001, 0.025, 0.975, 0.999):
            assert binomial_limits(sizes, target, tail).tolist() == [binomial_limit(int(n), target, tail) for n in sizes]
    frame = pd.DataFrame({"count": [0, 3, 17, 40, 0], "n": [0, 10, 40, 40, 5]})
    intervals = [wilson_interval(k, n) for k, n in zip(frame["count"], frame["n"])]
    shown = with_wilson(frame)
    expected_low = [100 * low for low, _ in intervals]
    np.testing.assert_array_equal(shown["ci_low"].to_numpy(), np.array(expected_low))


def test_cumulative_incidence_matches_the_reference():
    rng = np.random.default_rng(11)
    durations = rng.integers(0, 60, 3000).astype(float)
    events = rng.choice(np.array(["Adoption", "Return home", "Other exit", ""], dtype=object), 3000)
    _same(cumulative_incidence(durations, events, [6, 12, 24, 48, 100]),
          reference.cumulative_incidence(durations, events, [6, 12, 24, 48, 100]))


def test_participation_counts_match_the_reference_on_odd_tables():
    """No reviews at all; codes that are not PN codes; an age group with only unrecorded codes."""
    columns = ["la", "age_group", "participation"]
    empty = pd.DataFrame({c: pd.Series([], dtype="str") for c in columns})
    _same(participation_counts(empty), reference.review_participation_counts(empty))
    odd = pd.DataFrame([("B", "1 to 4", "PN0"), ("A", "Not known", "Not recorded"), ("A", "10 to 15", "PN7"),
                        ("A", "10 to 15", "XX"), ("B", "10 to 15", "PN3"), ("B", "10 to 15", "PN3")], columns=columns)
    _same(participation_counts(odd), reference.review_participation_counts(odd))
