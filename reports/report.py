"""What one run of the report produced: the object :func:`reports.build.run` returns and
:func:`reports.render.write` renders (its own module, so that building and rendering do not
import each other)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .sweep import ClaimResult

__all__ = ["Report"]


@dataclass
class Report:
    """Everything a run produced (``records`` is what results.json holds)."""

    out: Path
    results: list[ClaimResult]
    records: list[dict]
    figures: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    hook_errors: list[str] = field(default_factory=list)
    provenance: dict = field(default_factory=dict)
    baseline: str | None = None  # the earlier run compared with (--baseline), if any
    comparison: list = field(default_factory=list)  # montecarlo.search.compare.Change per claim

    @property
    def passed(self) -> bool:
        return all(r["passed"] for r in self.records)
