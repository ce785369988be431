"""Keyed pseudonyms: stable, namespaced, keyed; the key comes from outside the repository."""

from __future__ import annotations

import datetime as dt

import pytest

from caresurvey.errors import ConfigError
from caresurvey.pseudonym import KEY_VARIABLE, SYNTHETIC_KEY, Pseudonymiser, birth_month, resolve_key


def test_same_id_same_pseudonym_other_namespace_or_key_another():
    one = Pseudonymiser(b"k" * 32)
    assert one("child:LA1", "123456") == one("child:LA1", " 123456 ")
    assert one("child:LA1", "123456") != one("child:LA2", "123456")
    assert one("child:LA1", "123456") != Pseudonymiser(b"j" * 32)("child:LA1", "123456")
    assert len(one("child:LA1", "123456")) == 20


def test_birth_month_keeps_year_and_month_only():
    assert birth_month(dt.date(2008, 3, 27)) == "2008-03"


def test_key_from_environment_then_file_then_synthetic(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    assert resolve_key(key_file=None, synthetic=True, origin="t") == SYNTHETIC_KEY
    key_file = tmp_path / "study.key"
    key_file.write_text("a-long-random-secret-0123456789\n")
    assert resolve_key(key_file=key_file, synthetic=False, origin="t") == b"a-long-random-secret-0123456789"
    monkeypatch.setenv(KEY_VARIABLE, "another-long-random-secret-987")
    assert resolve_key(key_file=key_file, synthetic=False, origin="t") == b"another-long-random-secret-987"


def test_real_data_without_a_key_is_refused(monkeypatch):
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    with pytest.raises(ConfigError, match="needs a pseudonymisation key"):
        resolve_key(key_file=None, synthetic=False, origin="t")
    monkeypatch.setenv(KEY_VARIABLE, "short")
    with pytest.raises(ConfigError, match="shorter than 16 bytes"):
        resolve_key(key_file=None, synthetic=False, origin="t")
