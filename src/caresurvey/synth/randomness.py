"""Seeded randomness for the synthetic study: one independent stream per part of the study."""

from __future__ import annotations

import zlib
from collections.abc import Mapping

import numpy as np

__all__ = ["random_generator", "pick"]


def random_generator(seed: int, component: str) -> np.random.Generator:
    """An independent numpy generator for one part of the study.

    Each part (case files, each questionnaire, interviews) draws from its own stream, keyed by
    the seed and the part's name, so changing how one part is generated does not change the
    others.
    """
    return np.random.default_rng(np.random.SeedSequence([seed, zlib.crc32(component.encode("utf-8"))]))


def pick(rng: np.random.Generator, weights: Mapping[str, float]) -> str:
    """One key of ``weights``, drawn with probability proportional to its weight."""
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=p / p.sum()))]
