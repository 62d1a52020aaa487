"""The store of claims: :func:`register`, :func:`mutant`, :func:`get`, :func:`claims`, and
:func:`load_claims` for a user's file or module.

The built-in claims live in :mod:`montecarlo.claims` (one file per lemma module), which
registers them on import; the store loads that package by name the first time a claim is
asked for, so adding a lemma touches one place. A user's claims live anywhere, in a
namespace of their own (``Claim(module="my_notes", ...)``); registering a key again replaces
the claim with a warning (a notebook cell can be edited and re-run).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import pkgutil
import re
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from bounds import validate as v

from .claim import MODULES, Claim
from .domains import Domain

__all__ = ["register", "unregister", "keys", "mutant", "get", "resolve", "claims", "modules", "load_claims", "sub_domains"]

CLAIMS_PACKAGE = "montecarlo.claims"
"""The package whose every module registers built-in claims on import."""


def resolve(claim: "Claim | str") -> "Claim":
    """A claim given as itself or by its registered key."""
    if isinstance(claim, Claim):
        return claim
    if isinstance(claim, str):
        try:
            return get(claim)
        except ValueError:
            v.fail("claim", claim, "a Claim or a registered key (montecarlo.registry.claims())")
    v.fail("claim", claim, "a Claim or a registered key")


_REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim under its key ``module.claim_id``. Registering the same object again does
    nothing; a different claim under an existing key replaces it with a ``UserWarning`` (a
    notebook cell that defines a claim can be edited and re-run)."""
    if not isinstance(claim, Claim):
        v.fail("claim", claim, "a Claim")
    old = _REGISTRY.get(claim.key)
    if old is not None and old is not claim and old != claim:
        warnings.warn(f"claim {claim.key!r} registered again: the new definition replaces the old one",
                      UserWarning, stacklevel=2)
    _REGISTRY[claim.key] = claim
    return claim


def mutant(base: "Claim | str", claim_id: str, why_false: str, **changes) -> Claim:
    """Register a false variant of ``base`` (a Claim or a registered key): same machinery,
    changed bound/domain/measure."""
    base = resolve(base)
    if ("bound" in changes or "measure" in changes) and "log_bound" not in changes:
        changes["log_bound"] = None  # the base's log form would check the base's bound
    if "measure" in changes and "measure_mp" not in changes:
        changes["measure_mp"] = None
    c = replace(base, claim_id=claim_id, kind="mutant", subject=base.key, why_false=why_false,
                statement=changes.pop("statement", f"MUTANT of {base.claim_id}: {why_false}"),
                **changes)
    return register(c)


def _load() -> None:
    pkg = importlib.import_module(CLAIMS_PACKAGE)
    for info in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{pkg.__name__}.{info.name}")


_LOADED: dict[str, list[str]] = {}


def load_claims(source: "str | os.PathLike[str]") -> list[Claim]:
    """Register the claims of a user's file (``my_claims.py``) or importable module
    (``my_pkg.claims``), which registers them on import (with :func:`register` /
    :func:`mutant`, in a namespace of its own or a built-in one). Returns the claims it
    registered. A file is executed once per process (loading it again returns the same
    claims); the built-in claims are loaded first, so a user's mutant may name one as its
    subject. Used by ``python -m reports --claims PATH`` and ``pytest --claims PATH``."""
    _load()
    if not isinstance(source, (str, os.PathLike)):
        v.fail("source", source, "a .py file path or an importable module name")
    src = os.fspath(source)
    path = Path(src).expanduser()
    by_file = src.endswith(".py") or path.is_file()
    ident = str(path.resolve()) if by_file else src
    if ident in _LOADED:
        return [_REGISTRY[k] for k in _LOADED[ident] if k in _REGISTRY]
    before = dict(_REGISTRY)
    if by_file:
        if not path.is_file():
            raise ValueError(f"claims={src!r} violates the condition: an existing .py file or an importable module")
        digest = hashlib.sha256(ident.encode()).hexdigest()[:10]
        name = f"sparse_ntk_user_claims.{re.sub(r'[^0-9A-Za-z_]', '_', path.stem)}_{digest}"
        spec = importlib.util.spec_from_file_location(name, path.resolve())
        if spec is None or spec.loader is None:
            raise ValueError(f"claims={src!r} violates the condition: a Python file")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            sys.modules.pop(name, None)
            raise
    else:
        try:
            importlib.import_module(src)
        except ModuleNotFoundError as exc:
            if exc.name and src.startswith(exc.name):
                raise ValueError(f"claims={src!r} violates the condition: an existing .py file or an "
                                 "importable module") from None
            raise
    keys = [k for k, c in _REGISTRY.items() if before.get(k) is not c]
    _LOADED[ident] = keys
    return [_REGISTRY[k] for k in keys]


def modules() -> list[str]:
    """Every namespace with a registered claim, in report order (:func:`module_rank`)."""
    _load()
    return sorted({c.module for c in _REGISTRY.values()}, key=module_rank)


def claims(module: str | None = None, kinds: Iterable[str] | None = None) -> list[Claim]:
    """Every registered claim (optionally one module's, or only some kinds), in a stable order."""
    if kinds is not None and (isinstance(kinds, str) or not hasattr(kinds, "__iter__")):
        v.fail("kinds", kinds, "a collection of claim kinds or None")
    if module is not None and not isinstance(module, str):
        v.fail("module", module, "a module name (str) or None")
    _load()
    out = [c for c in _REGISTRY.values()
           if (module is None or c.module == module) and (kinds is None or c.kind in kinds)]
    return sorted(out, key=lambda c: (module_rank(c.module), c.kind == "mutant", c.claim_id))


def module_rank(module: str) -> tuple[int, str]:
    """Report order: the built-in :data:`MODULES` in their order, then user namespaces A-Z."""
    if not isinstance(module, str):
        v.fail("module", module, "a module name (str)")
    return (MODULES.index(module), "") if module in MODULES else (len(MODULES), module)


def get(key: str) -> Claim:
    """A claim by its key ``module.claim_id``."""
    _load()
    try:
        return _REGISTRY[key]
    except KeyError:
        raise ValueError(f"key={key!r} violates the condition: a registered key "
                         f"(known: {sorted(_REGISTRY)})") from None


def unregister(key: str) -> Claim | None:
    """Remove the claim registered under ``key`` and return it (None if there is none): a test
    or a notebook that registered claims of its own leaves the store as it found it."""
    if not isinstance(key, str):
        v.fail("key", key, "a claim key 'module.claim_id'")
    return _REGISTRY.pop(key, None)


def keys() -> list[str]:
    """The keys registered so far (without loading the built-in claims)."""
    return list(_REGISTRY)


def forget_source(source: "str | os.PathLike[str]") -> None:
    """Forget that :func:`load_claims` loaded ``source``, so that loading it again executes
    it again (after its claims were unregistered)."""
    src = os.fspath(source)
    path = Path(src).expanduser()
    _LOADED.pop(str(path.resolve()) if (src.endswith(".py") or path.is_file()) else src, None)


def sub_domains(claim: "Claim | str") -> list[tuple[str, Domain]]:
    """The domains ``claim`` is swept on, as ``(origin, domain)`` pairs: its own domain first
    (origin: the claim's key), then each distinct domain of the registered mutants whose
    subject it is (origin: the first such mutant's key, in :func:`claims` order), each with
    that mutant's ``derive``.

    Why: a mutant's domain is where one class of error (a dropped log factor, an event, a
    constant near its supremum) shows; a claim swept only on its own, wider domain draws
    that corner rarely, so the same error in the claim's own formula would pass. A mutant
    whose domain leaves its subject's hypotheses (``Claim.within_subject=False``: the mutant
    *is* the dropped condition, e.g. R <= 1/B) is not swept for the subject. A mutant's own
    sub-domains are its domain alone.
    """
    claim = resolve(claim)
    out: list[tuple[str, Domain]] = [(claim.key, claim.domain)]
    if claim.kind == "mutant":
        return out
    for m in claims(kinds=("mutant",)):
        if m.subject != claim.key or not m.within_subject:
            continue
        if any(m.domain == d for _, d in out):
            continue
        out.append((m.key, m.domain))
    return out
