"""The one place where randomness is made: seeded generators and named sub-streams.

Every estimator, data builder and claim draws its random numbers from a generator made
here, so that

- a run never draws fresh OS entropy (``seed=None`` is refused: a run must reproduce);
- two independent parts of one experiment (data, labels, weights, sign vectors, ...) never
  share a stream by accident: each takes ``spawn(seed, "weights")``, a sub-stream named by
  a word, not by a magic integer tag;
- a seed derived from a claim and a parameter point (:func:`derive`) is the same on every
  machine and in every process (no Python ``hash``, which is salted per process).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from bounds import validate as v

__all__ = ["SEED_LIMIT", "rng", "spawn", "derive"]

SEED_LIMIT = v.SEED_LIMIT
"""Seeds are integers in [0, SEED_LIMIT)."""


def check_seed(seed: Any, name: str = "seed") -> int:
    """``seed`` as a Python int in [0, 2**63); ``ValueError`` naming ``name`` otherwise
    (None, bool, negative, float, NaN, strings)."""
    return v.seed(name, seed)  # the one implementation lives in bounds.validate


def rng(seed: Any, name: str = "seed") -> np.random.Generator:
    """A generator from an explicit seed: an int in [0, 2**63), a ``SeedSequence``, or a
    ``Generator`` (returned as it is, so a caller can thread one stream through helpers).
    ``None`` and other values raise ``ValueError`` naming ``name``."""
    if not isinstance(name, str) or not name:
        v.fail("name", name, "a nonempty parameter name (str) for the error messages")
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.SeedSequence):
        return np.random.default_rng(seed)
    if isinstance(seed, (list, tuple)) and seed and all(
            isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s >= 0 for s in seed):
        return np.random.default_rng([int(s) for s in seed])
    return np.random.default_rng(check_seed(seed, name))


def _tag(name: str) -> int:
    """A stable 64-bit integer for a stream name (sha256, the same in every process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")


def spawn(seed: Any, name: str) -> np.random.Generator:
    """The sub-stream ``name`` of ``seed``: independent of ``rng(seed)`` and of every other
    name (SeedSequence entropy ``[seed, tag(name)]``)."""
    if not isinstance(name, str) or not name:
        v.fail("name", name, "a non-empty stream name")
    return np.random.default_rng([check_seed(seed), _tag(name)])


def derive(*parts: Any) -> int:
    """A seed in [0, 2**63) derived from ``parts`` (a run's seed, a claim key, a point):
    sha256 of their ``repr``, so it is the same on every machine and in every process."""
    digest = hashlib.sha256(":".join(repr(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1
