"""Claim registrations, one file per lemma module (``<module>.py``).

Every file here is imported by :func:`montecarlo.registry.claims`; registering a claim
in it is all it takes for the tests and the report to pick it up.
"""
