"""The search tools over a claim's domain, all on the one plan of :mod:`.plan`:

- :mod:`.plan`: the deterministic plan (corners, random draws, local search) and its budgets;
- :mod:`.falsify`: a candidate bound against a registered claim (a counterexample or the worst ratio);
- :mod:`.tightness`: the supremum of measured/bound and where it is reached;
- :mod:`.certify`: ball arithmetic on a claim's whole domain;
- :mod:`.expression`: the whitelisted parser of a candidate formula a user types (nothing executed);
- :mod:`.compare`: two runs of the report compared claim by claim (what did my change do?).

May import: :mod:`montecarlo.registry`, :mod:`montecarlo.sim` and :mod:`bounds`. The built-in
claims reach it only through the registry.
"""
