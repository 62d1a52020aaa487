"""Restricted least eigenvalue of the bias-generalized NTK (Definition 3.11, Theorem 3.12 =
Theorem B.1 of the paper; FORMULAS.md section 4, kernel from section 0).

One concept per module:

- ``region``: data quantities -- separation delta, p0 = Q(B), the pair matrix P, p_min, the
  region matrix Qm of R = {a : a^T Qm a >= 0}, H_inf from P;
- ``formulas``: the scalar bounds (closed form, sharper Owen's T form, split probability,
  relaxation of p0), each with its mpmath twin (suffix ``_mp``);
- ``solver``: lambda_R by strong duality, with dual multiplier and primal certificate;
- ``eigensolve``: its eigen-solves (batched dense, shift-invert Lanczos with its safeguards);
- ``chain``: links 1-5 of Theorem B.1 as data (verdicts through ``montecarlo.registry``).

``lambda_min_h_inf`` is :func:`bounds.ntk.lambda_min_h_inf` (one definition).
"""

from ..ntk import lambda_min_h_inf
from .chain import (Chain, Ingredients, Link, chain, link1_psd, link2_region, link3_difference, link3_separation,
                    link4_owens_t,
                    link5_arcsin, link_p0_relaxation, region_allowance)
from .formulas import (closed_form_bound, closed_form_bound_mp, closed_form_bound_wide, sharper_bound_wide, p0_relaxation, p0_relaxation_mp, sharper_bound,
                       sharper_bound_mp, split_probability, split_probability_at_separation,
                       split_probability_at_separation_mp, split_probability_mp)
from .region import (REGION_RTOL, SQRT2, check_difference_separation, check_separation, difference_separation, check_square, h_inf_from_pairs, in_region, p0, p0_mp,
                     p_min, p_separation, p_separation_wide, pair_matrix, region_matrix, separation)
from .solver import DUAL_RTOL, RestrictedEigenvalue, lambda_R, lambda_R_h_inf, restricted_eigenvalue

__all__ = [
    "separation", "p0", "p0_mp", "pair_matrix", "p_min", "p_separation", "region_matrix", "in_region",
    "RestrictedEigenvalue", "restricted_eigenvalue", "lambda_R", "lambda_R_h_inf", "lambda_min_h_inf",
    "h_inf_from_pairs", "closed_form_bound", "closed_form_bound_mp", "sharper_bound", "sharper_bound_mp",
    "split_probability", "split_probability_mp", "split_probability_at_separation",
    "split_probability_at_separation_mp", "p0_relaxation", "p0_relaxation_mp", "Link", "Ingredients",
    "region_allowance", "link1_psd", "link2_region", "link3_separation", "link3_difference",
    "difference_separation", "check_difference_separation", "p_separation_wide", "closed_form_bound_wide",
    "sharper_bound_wide", "link4_owens_t", "link5_arcsin", "link_p0_relaxation", "Chain", "chain"
]
