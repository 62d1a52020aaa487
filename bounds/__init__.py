"""Pure, deterministic formulas of the bounds (no randomness, no I/O).

One module per lemma, following FORMULAS.md; :mod:`bounds.ntk` holds the shared kernel.
"""
