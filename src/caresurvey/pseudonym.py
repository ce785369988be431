"""Keyed pseudonyms for children and respondents, and data minimisation helpers.

Ids are replaced by HMAC-SHA256 of a namespaced value under a per-study secret key, so the same
child gets the same pseudonym in every table and every year's return, but nobody without the
key can go back from the pseudonym to the id (unlike a plain hash, which anyone can recompute
for every possible id).

The key comes from the environment variable ``CARESURVEY_KEY``, or from the file named by
``[study] key_file`` in the configuration (kept outside the repository). Only a synthetic study
may fall back to :data:`SYNTHETIC_KEY`, which is published here on purpose: its data identify
no one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from pathlib import Path

from caresurvey.errors import ConfigError

__all__ = ["SYNTHETIC_KEY", "KEY_VARIABLE", "Pseudonymiser", "resolve_key", "birth_month", "child_namespace",
           "respondent_namespace", "CASE_NAMESPACE", "INTERVIEW_NAMESPACE"]

KEY_VARIABLE = "CARESURVEY_KEY"

#: The documented key of the synthetic study. Never use it for real data.
SYNTHETIC_KEY = b"caresurvey synthetic study: not a secret"

_MIN_KEY_BYTES = 16


def resolve_key(*, key_file: Path | None, synthetic: bool, origin: str) -> bytes:
    """The study's pseudonymisation key.

    Order: ``CARESURVEY_KEY``, then the key file, then (synthetic studies only) the documented
    synthetic key.

    Raises
    ------
    ConfigError
        For a real study with no key, or a key too short to be a secret.
    """
    value = os.environ.get(KEY_VARIABLE)
    if value:
        key, where = value.encode("utf-8"), f"${KEY_VARIABLE}"
    elif key_file is not None:
        if not key_file.is_file():
            raise ConfigError(f"{origin}: key_file {key_file} not found; create it outside the repository "
                              "(e.g. `python -c \"import secrets; print(secrets.token_hex(32))\" > FILE`)")
        key, where = key_file.read_bytes().strip(), str(key_file)
    elif synthetic:
        return SYNTHETIC_KEY
    else:
        raise ConfigError(
            f"{origin}: real data needs a pseudonymisation key: set ${KEY_VARIABLE} or [study] key_file "
            "(a file outside the repository holding a long random secret). Keep the same key for every "
            "run of the study, or its pseudonyms will not link."
        )
    if len(key) < _MIN_KEY_BYTES:
        raise ConfigError(f"{origin}: the key in {where} is shorter than {_MIN_KEY_BYTES} bytes; use a long random secret")
    return key


# The kinds of id a pseudonym stands for, each in its own namespace, so that equal ids of
# different kinds (or of different LAs) never share a pseudonym. Changing one changes every
# pseudonym of its kind, and so breaks the links to earlier runs of a study.

#: The study's case references (case-file abstraction, REFI-QDA case variables).
CASE_NAMESPACE = "case"
#: Interview documents (REFI-QDA sources, coded-segment documents).
INTERVIEW_NAMESPACE = "interview"


def child_namespace(la: str) -> str:
    """A child's id in an LA's records: child 123 of LA1 is not child 123 of LA2. The case-file
    abstraction's child ids use the same namespace, so they link to the SSDA903 tables."""
    return f"child:{la}"


def respondent_namespace(group: str, file_name: str) -> str:
    """A questionnaire respondent's id: respondent numbers restart in every export, so they are
    kept apart by respondent group and by file."""
    return f"respondent:{group}:{file_name}"


class Pseudonymiser:
    """Turns ids into stable, keyed pseudonyms.

    Parameters
    ----------
    key : bytes
        The study's secret.

    Notes
    -----
    ``pseudonym = HMAC-SHA256(key, namespace + "\\x1f" + value)``, hex, first 20 characters
    (80 bits: collisions are negligible for any study's size). The namespace keeps ids of
    different kinds apart: child 123 of LA1 is not child 123 of LA2, nor respondent 123.
    """

    LENGTH = 20

    def __init__(self, key: bytes):
        self._key = key
        self._keyed = hmac.new(key, digestmod=hashlib.sha256)  # copied per value: the key is set up once

    def __call__(self, namespace: str, value: str) -> str:
        keyed = self._keyed.copy()
        keyed.update(f"{namespace}\x1f{value.strip()}".encode("utf-8"))
        return keyed.hexdigest()[: self.LENGTH]

    def __getstate__(self) -> dict:
        return {"_key": self._key}  # an HMAC object cannot be pickled (to a worker process)

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["_key"])

    def fingerprint(self) -> str:
        """Tells keys apart without revealing them (an HMAC of a fixed message), so that work
        done under one key is never reused under another."""
        return hmac.new(self._key, b"caresurvey key fingerprint", hashlib.sha256).hexdigest()


def birth_month(day: dt.date) -> str:
    """A date of birth minimised to its month, ``YYYY-MM``."""
    return f"{day.year:04d}-{day.month:02d}"
