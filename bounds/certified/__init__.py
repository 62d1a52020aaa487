"""Certified inequalities: a branch and bound in ball arithmetic (python-flint's ``arb``).

A deterministic claim f <= g (both sides closed forms) is proven on its whole stated domain,
not sampled: the domain is written as a few compact boxes (a change of variables such as
w = 1/B maps B -> infinity to w -> 0, a ratio rewritten as an integral removes the 0/0 at
R -> 0), a rigorous enclosure of the margin g - f over a box is computed in ball arithmetic,
and a box whose enclosure is not >= 0 is bisected along its widest coordinate.

- :mod:`.engine`: the branch and bound (:class:`Part`, :class:`Certificate`, :func:`branch_and_bound`);
- :mod:`.flip_probability`: the enclosures of Lemma A.4's ratio p_flip / (R e^{-B^2/2});
- :mod:`.normal`: enclosures of the normal tail Q(B), v(B) = E[(Z - B)_+^2] and the relaxation of p0 = Q(B);
- :mod:`.restricted_eigenvalue`: link 5 of Theorem 3.12 (Owen's T against its closed form).

Needs python-flint (``pip install -e ".[certify]"``); importing works without it, a call then
raises ImportError naming the extra.
"""
