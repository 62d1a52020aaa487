"""The simulated model: where every random number of the suite is made, and what it is made into.

- :mod:`.seeding`: seeded generators, named sub-streams, seeds derived from a claim and a point;
- :mod:`.network`: the two-layer network with bias, its initializations, forward pass, NTK;
- :mod:`.trainer`: gradient descent on the squared loss, with per-step records;
- :mod:`.data`: synthetic data families and labels; :mod:`.datasets`: scikit-learn's shipped sets;
- :mod:`.stats`: confidence limits (Clopper-Pearson, order statistics, Bernstein) and power.

May import: :mod:`bounds` only (and numpy, scipy; scikit-learn for :mod:`.datasets`).
"""
