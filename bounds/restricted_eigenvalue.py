"""Restricted least eigenvalue of the bias-generalized NTK (Definition 3.11, Theorem 3.12 =
Theorem B.1 of the paper; BOUNDS.md section 4, kernel from section 0).

Objects (names follow the paper):

- ``separation(X)``: the largest delta with min_{i!=j} min(||x_i - x_j||, ||x_i + x_j||) >= delta,
  so |rho_ij| <= 1 - delta^2/2 (0 for duplicates or antipodal pairs; sqrt 2 when n = 1);
- ``p0(B) = Q(B)``, the matrix ``P`` (P_ii = p0, P_ij = p(rho_ij, B), from
  :func:`bounds.ntk.pair_probability`, never an Owen's T difference), ``p_min``;
- the region R = {a : a^T Qm a >= 0}, Qm_ij = p_ij - p_min (i != j), Qm_ii = 0, with entries
  below ``REGION_RTOL * p0`` set to 0 (round-off: orthonormal data give 1e-16 p0 instead of 0);
- ``lambda_R(M, Qm) = min {a^T M a : ||a|| = 1, a in R}``, computed exactly by strong duality
  (homogeneous S-lemma): max_{mu >= 0} lambda_min(M - mu Qm), with a primal certificate;
- the chain of Theorem B.1 (links 1-5), the closed form, the sharper Owen's T form, and the
  paper's relaxation of p0.

Every float formula that is not a matrix computation has an mpmath twin (suffix ``_mp``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mpmath as mp
import numpy as np
from scipy import special

from . import validate as v
from .ntk import Q, Q_mp, pair_probability, phi

__all__ = [
    "REGION_RTOL",
    "SQRT2",
    "separation",
    "p0",
    "p0_mp",
    "pair_matrix",
    "p_min",
    "p_separation",
    "region_matrix",
    "in_region",
    "RestrictedEigenvalue",
    "restricted_eigenvalue",
    "lambda_R",
    "lambda_R_h_inf",
    "lambda_min_h_inf",
    "h_inf_from_pairs",
    "closed_form_bound",
    "closed_form_bound_mp",
    "sharper_bound",
    "sharper_bound_mp",
    "split_probability",
    "split_probability_mp",
    "split_probability_at_separation",
    "split_probability_at_separation_mp",
    "p0_relaxation",
    "p0_relaxation_mp",
    "Link",
    "link1_psd",
    "link2_region",
    "link3_separation",
    "link4_owens_t",
    "link5_arcsin",
    "link_p0_relaxation",
    "Chain",
    "chain",
]

REGION_RTOL = 1e-12  # |Qm_ij| <= REGION_RTOL * p0 is set to 0 (float noise is ~2e-16 p0)
SQRT2 = math.sqrt(2.0)
_EPS = np.finfo(float).eps
_GRID = np.concatenate([[0.0], np.logspace(-12.0, math.log10(4.0), 60)])
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(32)
# Wedge panels graded towards alpha = 0, where the (decreasing) integrand peaks and falls on
# the angular scale 1/(B^2 h): equal panels were 1e-10 off at B = 20 and returned 0 at B = 30.
_SPLIT_GRADING = (0.0, 1 / 4096, 1 / 1024, 1 / 256, 1 / 64, 1 / 16, 1 / 4, 1 / 2, 1.0)


# ------------------------------------------------------------------ data quantities
def _gram(X: np.ndarray) -> np.ndarray:
    G = X @ X.T
    np.fill_diagonal(G, 1.0)
    return np.clip(G, -1.0, 1.0)


def separation(X) -> float:
    """delta = min_{i != j} min(||x_i - x_j||, ||x_i + x_j||) (Theorem 3.12's hypothesis, BOUNDS.md
    section 4), computed from the differences themselves (no 1 - rho cancellation).

    It lies in [0, sqrt 2]; 0 for exact duplicates or antipodal pairs. With n = 1 there is no
    pair and we return sqrt 2 (the largest possible value, the orthonormal case)."""
    X = v.unit_rows("X", X)
    n = X.shape[0]
    if n == 1:
        return SQRT2
    best = math.inf
    rows = max(1, int(2e6 // max(1, n * X.shape[1])))
    for s in range(0, n, rows):
        blk = X[s:s + rows]
        minus = np.linalg.norm(blk[:, None, :] - X[None, :, :], axis=2)
        plus = np.linalg.norm(blk[:, None, :] + X[None, :, :], axis=2)
        dist = np.minimum(minus, plus)
        idx = np.arange(s, s + blk.shape[0])
        dist[np.arange(blk.shape[0]), idx] = np.inf
        best = min(best, float(dist.min()))
    return float(min(best, SQRT2))


def p0(B: float) -> float:
    """p0 = Q(B) = P[<w, x> >= B], the diagonal of P (BOUNDS.md section 4)."""
    return float(Q(v.bias(B)))


def p0_mp(B: float, dps: int = 30):
    """mpmath twin of :func:`p0`."""
    dps = v.dps(dps)
    return Q_mp(v.bias(B), dps)


def pair_matrix(X, B: float) -> np.ndarray:
    """P with P_ii = p0 and P_ij = p(rho_ij, B) (stable log-space quadrature of bounds.ntk)."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    P = pair_probability(_gram(X), B)
    np.fill_diagonal(P, p0(B))
    return P


def _p_min_from(P: np.ndarray, B: float) -> float:
    n = P.shape[0]
    if n == 1:
        return float(pair_probability(0.0, B))  # the convention delta = sqrt 2
    off = P[~np.eye(n, dtype=bool)]
    return float(off.min())


def p_min(X, B: float) -> float:
    """p_min = min_{i != j} p_ij. For n = 1 (no pair) we use the convention of
    :func:`separation` (delta = sqrt 2), i.e. p_min = p(0, B) = Q(B)^2."""
    X = v.unit_rows("X", X)
    return _p_min_from(pair_matrix(X, B), v.bias(B))


def p_separation(separation_: float, B: float) -> float:
    """p(1 - delta^2/2, B): the largest pair probability data with separation delta can have
    (link 3)."""
    d = _check_sep(separation_)
    return float(pair_probability(1.0 - d * d / 2.0, v.bias(B)))


def _region_from(P: np.ndarray, p0_: float, rtol: float) -> np.ndarray:
    n = P.shape[0]
    if n <= 2:
        return np.zeros((n, n))  # one pair: p_12 = p_min, Qm = 0, R = R^n
    Qm = P - _p_min_from(P, 0.0)
    np.fill_diagonal(Qm, 0.0)
    Qm[np.abs(Qm) <= rtol * p0_] = 0.0
    return Qm


def region_matrix(X, B: float, rtol: float = REGION_RTOL) -> np.ndarray:
    """Qm with Qm_ij = p_ij - p_min (i != j), Qm_ii = 0, entries <= rtol * p0 set to 0
    (Definition 3.11: R = {a : a^T Qm a >= 0})."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    rtol = v.nonneg("rtol", rtol)
    return _region_from(pair_matrix(X, B), p0(B), rtol)


def _check_square(name: str, M, n: int | None = None) -> np.ndarray:
    A = v.array(name, M, min_size=0, finite_=False)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2] or A.shape[-1] < 1:
        v.fail(f"{name}.shape", A.shape, "(..., n, n) with n >= 1")
    if n is not None and A.shape[-1] != n:
        v.fail(f"{name}.shape", A.shape, f"matching n = {n}")
    v.finite(name, A)
    scale = float(np.abs(A).max()) if A.size else 0.0
    if np.abs(A - np.swapaxes(A, -1, -2)).max() > 1e-12 * scale:  # relative: H_inf may be ~1e-9
        v.fail(name, A if A.size <= 6 else A.shape, "symmetric")
    return 0.5 * (A + np.swapaxes(A, -1, -2))


def in_region(a, Qm, tol: float = 0.0):
    """Membership a in R: a^T Qm a >= -tol * ||a||^2 * max|Qm| (a of shape (n,) or (k, n))."""
    a = v.array("a", a, min_size=0, finite_=False)
    Qm = _check_square("Qm", Qm)
    if Qm.ndim != 2:
        v.fail("Qm.shape", Qm.shape, "(n, n)")
    arr = np.asarray(a, dtype=float)
    if arr.ndim not in (1, 2) or arr.shape[-1] != Qm.shape[0]:
        v.fail("a.shape", arr.shape, f"(n,) or (k, n) with n = {Qm.shape[0]}")
    v.finite("a", arr)
    tol = v.nonneg("tol", tol)
    q = np.einsum("...i,ij,...j->...", arr, Qm, arr)
    out = q >= -tol * np.einsum("...i,...i->...", arr, arr) * float(np.abs(Qm).max(initial=0.0))
    return bool(out) if arr.ndim == 1 else out


# --------------------------------------------------------------------- lambda_R
@dataclass(frozen=True)
class RestrictedEigenvalue:
    """lambda_R(M) with its evidence.

    ``value`` is the dual value lambda_min(M - mu Qm) at the best ``mu`` found (a lower bound on
    lambda_R by weak duality, equal to it by strong duality); ``certificate`` is a unit vector in
    R (up to ``q_certificate`` ~ 1e-16 round-off) whose Rayleigh quotient
    ``certificate_value`` is an upper bound; ``error`` bounds the float round-off of both.
    """

    value: float
    mu: float
    certificate: np.ndarray
    certificate_value: float
    q_certificate: float
    error: float
    unrestricted: float  # lambda_min(M)
    detail: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """certificate_value - value (>= 0 up to round-off; ~1e-16 * ||M|| when solved)."""
        return self.certificate_value - self.value


def _eigmin(A: np.ndarray) -> np.ndarray:
    return np.linalg.eigvalsh(A)[..., 0]


def _dual_batch(Mn: np.ndarray, Qn: np.ndarray):
    """max_{mu >= 0} lambda_min(Mn - mu Qn) for a stack (K, n, n) of normalized problems
    (||Mn||_2 <= 1, max|Qn| = 1, zero diagonal; then mu* <= 2 since g(0) >= -1 and
    g(mu) <= 1 - mu lambda_max(Qn) <= 1 - mu). A log-spaced scan of mu in {0} U [1e-12, 4]
    brackets the maximum of the concave g; golden-section refines it."""
    K = Mn.shape[0]
    grid = _GRID
    G = _eigmin(Mn[:, None, :, :] - grid[None, :, None, None] * Qn[:, None, :, :])  # (K, len)
    j = np.argmax(G, axis=1)
    rows = np.arange(K)
    best_g, best_mu = G[rows, j].copy(), grid[j].copy()
    lo = grid[np.maximum(j - 1, 0)]
    hi = grid[np.minimum(j + 1, grid.size - 1)]

    def g(mu):
        return _eigmin(Mn - mu[:, None, None] * Qn)

    x1 = hi - _GOLDEN * (hi - lo)
    x2 = lo + _GOLDEN * (hi - lo)
    f1, f2 = g(x1), g(x2)
    for x, f in ((x1, f1), (x2, f2)):
        better = f > best_g
        best_g, best_mu = np.where(better, f, best_g), np.where(better, x, best_mu)
    for _ in range(90):
        left = f1 > f2  # maximum in [lo, x2]
        hi = np.where(left, x2, hi)
        lo = np.where(left, lo, x1)
        new = np.where(left, hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo))
        fn = g(new)
        x2, f2, x1, f1 = (np.where(left, x1, new), np.where(left, f1, fn),
                          np.where(left, new, x2), np.where(left, fn, f2))
        better = fn > best_g
        best_g = np.where(better, fn, best_g)
        best_mu = np.where(better, new, best_mu)
        if np.all(hi - lo <= 4 * _EPS * np.maximum(hi, 1e-3)):  # |g error| <= n (hi - lo)
            break
    return best_g, best_mu, lo, hi


def _normalize(M: np.ndarray, Qm: np.ndarray):
    """Scale factors: spectral norm of M (eigenvalues), max |Qm|."""
    ev = np.linalg.eigvalsh(M)
    sM = np.maximum(np.abs(ev[..., 0]), np.abs(ev[..., -1]))
    sQ = np.abs(Qm).max(axis=(-1, -2))
    return ev[..., 0], sM, sQ


def lambda_R(M, Qm):
    """lambda_R(M) = min{a^T M a : ||a|| = 1, a^T Qm a >= 0} (Definition 3.11), by strong
    duality max_{mu >= 0} lambda_min(M - mu Qm) (BOUNDS.md section 4). Vectorized: M and Qm of
    shape (..., n, n) give an array of shape (...); (n, n) gives a float. Qm = 0 (always for
    n <= 2) gives lambda_min(M)."""
    M = _check_square("M", M)
    Qm = _check_square("Qm", Qm, M.shape[-1])
    if Qm.shape != M.shape:
        Qm = np.broadcast_to(Qm, M.shape)
    if np.any(np.abs(np.diagonal(Qm, axis1=-2, axis2=-1)) > 0):
        v.fail("diag(Qm)", np.diagonal(Qm, axis1=-2, axis2=-1), "= 0 (Definition 3.11)")
    shape = M.shape[:-2]
    n = M.shape[-1]
    Mf, Qf = M.reshape(-1, n, n), Qm.reshape(-1, n, n)
    lmin, sM, sQ = _normalize(Mf, Qf)
    out = lmin.copy()
    act = (sQ > 0) & (sM > 0)
    if np.any(act):
        Mn = Mf[act] / sM[act, None, None]
        Qn = Qf[act] / sQ[act, None, None]
        g, _, _, _ = _dual_batch(Mn, Qn)
        out[act] = np.maximum(g * sM[act], lmin[act])
    return float(out[0]) if not shape else out.reshape(shape)


def _zero_combos(x: np.ndarray, y: np.ndarray, Qn: np.ndarray):
    """Unit vectors in span{x, y} (x, y orthonormal) with a^T Qn a = 0, if any."""
    qxx, qyy, qxy = x @ Qn @ x, y @ Qn @ y, x @ Qn @ y
    A, Bc, C = 0.5 * (qxx + qyy), 0.5 * (qxx - qyy), qxy
    R = math.hypot(Bc, C)
    if R == 0 or abs(A) > R:
        return []
    ph, dt = math.atan2(C, Bc), math.acos(max(-1.0, min(1.0, -A / R)))
    return [math.cos(t) * x + math.sin(t) * y for t in (0.5 * (ph + dt), 0.5 * (ph - dt))]


def _best_in_pool(pool, Mn, Qn, n):
    """The smallest Rayleigh quotient over pool vectors inside R and Q-null pairwise mixtures."""
    tol = 8 * n * _EPS
    cands = [p for p in pool if p @ Qn @ p >= -tol]
    for i in range(len(pool)):
        for j in range(i + 1, len(pool)):
            x = pool[i]
            y = pool[j] - (pool[j] @ x) * x
            ny = np.linalg.norm(y)
            if ny < 1e-8:
                continue
            cands += _zero_combos(x, y / ny, Qn)
    cands = [c / np.linalg.norm(c) for c in cands]
    cands = [c for c in cands if c @ Qn @ c >= -tol]
    if not cands:
        return None, math.inf, 0.0
    vals = [c @ Mn @ c for c in cands]
    k = int(np.argmin(vals))
    return cands[k], float(vals[k]), float(cands[k] @ Qn @ cands[k])


def _certificate(Mn, Qn, mu, lo, hi, n, g):
    """A feasible unit vector whose Rayleigh quotient reaches the dual value g: from the bottom
    eigenvectors of Mn - mu' Qn at mu' = mu and the bracket ends (then, if that is not within
    round-off of g, also at mu (1 -/+ eps)), mixed pairwise so that a^T Qn a = 0 (or taken alone
    when already inside R)."""
    U = np.linalg.eigh(Mn - mu * Qn)[1]
    pool = [U[:, 0], U[:, 1]] + [np.linalg.eigh(Mn - m_ * Qn)[1][:, 0] for m_ in {lo, hi} if m_ >= 0]
    best = _best_in_pool(pool, Mn, Qn, n)
    if best[1] - g <= 64 * n * _EPS * (1 + n * mu):
        return best
    more = [mu * (1 + s * e) for e in (1e-10, 1e-8, 1e-6) for s in (-1, 1)]
    if mu == 0.0:
        more += [1e-12, 1e-9, 1e-6]
    pool += [np.linalg.eigh(Mn - m_ * Qn)[1][:, 0] for m_ in more if m_ >= 0]
    wider = _best_in_pool(pool, Mn, Qn, n)
    best = wider if wider[1] < best[1] else best
    if best[0] is None:  # cannot happen for a concave maximum; the orthant lies in R
        a = np.full(n, 1.0 / math.sqrt(n))
        return a, float(a @ Mn @ a), float(a @ Qn @ a)
    return best


def restricted_eigenvalue(M, Qm) -> RestrictedEigenvalue:
    """lambda_R(M) with dual multiplier, primal certificate and round-off bound (single
    problem; see :func:`lambda_R` for the vectorized value)."""
    M = _check_square("M", M)
    Qm = _check_square("Qm", Qm, M.shape[-1])
    if M.ndim != 2 or Qm.ndim != 2:
        v.fail("M.shape", M.shape, "(n, n) (use lambda_R for batches)")
    if np.any(np.diag(Qm) != 0):
        v.fail("diag(Qm)", np.diag(Qm), "= 0 (Definition 3.11)")
    n = M.shape[0]
    w, U = np.linalg.eigh(M)
    sM = max(abs(w[0]), abs(w[-1]))
    sQ = float(np.abs(Qm).max())
    if n == 1 or sQ == 0 or sM == 0:
        a = U[:, 0] if n > 1 else np.ones(1)
        err = 32 * n * _EPS * sM
        return RestrictedEigenvalue(float(w[0]), 0.0, a, float(a @ M @ a), float(a @ Qm @ a),
                                    err, float(w[0]), {"region": "R^n"})
    Mn, Qn = M / sM, Qm / sQ
    g, mu, lo, hi = _dual_batch(Mn[None], Qn[None])
    g, mu, lo, hi = float(g[0]), float(mu[0]), float(lo[0]), float(hi[0])
    if g < w[0] / sM:
        g, mu = float(w[0] / sM), 0.0
    a, val, q = _certificate(Mn, Qn, mu, lo, hi, n, g)
    err = 32 * n * _EPS * sM * (1.0 + n * mu)
    return RestrictedEigenvalue(g * sM, mu * sM / sQ, a, val * sM, q * sQ, err, float(w[0]),
                                {"mu_normalized": mu, "bracket": (lo, hi)})


def h_inf_from_pairs(X, P: np.ndarray) -> np.ndarray:
    """H_inf = P + (X X^T) o P (BOUNDS.md section 4); equals bounds.ntk.h_inf(X, B)."""
    X = v.unit_rows("X", X)
    P = v.array("P", P, ndim=2, shape=(X.shape[0], X.shape[0]))
    return (_gram(X) + 1.0) * P


def lambda_R_h_inf(X, B: float) -> float:
    """lambda_R(H_inf) for the data set X at bias B."""
    P = pair_matrix(X, B)
    return lambda_R(h_inf_from_pairs(X, P), _region_from(P, p0(B), REGION_RTOL))


def lambda_min_h_inf(X, B: float) -> float:
    """The unrestricted lambda_min(H_inf), to set beside lambda_R(H_inf)."""
    P = pair_matrix(X, B)
    return float(np.linalg.eigvalsh(h_inf_from_pairs(X, P))[0])


# --------------------------------------------------------------- scalar bounds
def _check_sep(separation_) -> float:
    d = v.nonneg("separation_", separation_)
    if d > SQRT2 * (1 + 1e-12):
        v.fail("separation_", separation_, "0 <= separation_ <= sqrt 2")
    return min(d, SQRT2)


def closed_form_bound(separation_: float, B: float) -> float:
    """Theorem 3.12 (closed form): max(0, (1/pi) arcsin(delta/2) exp(-2 B^2 / (4 - delta^2)))."""
    d, B = _check_sep(separation_), v.bias(B)
    return max(0.0, math.asin(d / 2) / math.pi * math.exp(-2 * B * B / (4 - d * d)))


def closed_form_bound_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin of :func:`closed_form_bound`."""
    dps = v.dps(dps)
    d, B = _check_sep(separation_), v.bias(B)
    with mp.workdps(dps):
        dm, Bm = mp.mpf(d), mp.mpf(B)
        return max(mp.mpf(0), mp.asin(dm / 2) / mp.pi * mp.exp(-2 * Bm**2 / (4 - dm**2)))


def _owens_a(d: float) -> float:
    return d / math.sqrt(4.0 - d * d)


def sharper_bound(separation_: float, B: float) -> float:
    """The sharper form 2 T(B, delta / sqrt(4 - delta^2)) = p0 - p(1 - delta^2/2, B) (links 3-4).
    Owen's T of scipy is accurate here (a single positive integral, no difference)."""
    d, B = _check_sep(separation_), v.bias(B)
    a = _owens_a(d)
    if a < 1e-4:
        # scipy's T loses digits for tiny a (1e-8 relative at a = 1e-9, h = 6); the series of
        # int_0^a e^{-c x^2}/(1 + x^2) dx, c = h^2/2, is exact to a^7 c^3 there.
        c = B * B / 2
        series = a - (1 + c) * a**3 / 3 + (1 + c + c * c / 2) * a**5 / 5
        return math.exp(-c) * series / math.pi
    return float(2.0 * special.owens_t(B, a))


def sharper_bound_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin: 2 T(h, a) = (1/pi) int_0^a exp(-h^2 (1 + x^2)/2) / (1 + x^2) dx."""
    dps = v.dps(dps)
    d, B = _check_sep(separation_), v.bias(B)
    with mp.workdps(dps):
        a, h = mp.mpf(d) / mp.sqrt(4 - mp.mpf(d) ** 2), mp.mpf(B)
        # the integrand falls like exp(-h^2 x^2 / 2): panels on the scale 1/h
        pts = [mp.mpf(0)] + [t / h for t in (0.25, 1, 3, 8) if h > 0 and t / h < a] + [a]
        # mp.quad's tolerance is absolute: factor exp(-h^2/2) out of the integrand
        inner = mp.quad(lambda x: mp.exp(-h * h * x * x / 2) / (1 + x * x), pts)
        return mp.exp(-h * h / 2) * inner / mp.pi


def _split_core(theta, h, one_plus_rho, B: float):
    """Wedge form of P[Z1 >= B, Z2 < B] (see :func:`split_probability`), angle split in panels.
    The factor e^{-|c|^2/2}, |c|^2 = 2 B^2 / (1 + rho), is folded into each node's value (for
    k < 0 the Mills ratio Q(k)/phi(k) is e^{k^2/2}-large and k^2 <= |c|^2), so nothing
    overflows or underflows before the product."""
    theta, h = np.asarray(theta, float), np.asarray(h, float)
    half_c2 = B * B / np.asarray(one_plus_rho, float)
    total = np.zeros(theta.shape)
    for f0, f1 in zip(_SPLIT_GRADING[:-1], _SPLIT_GRADING[1:]):
        lo, hi = f0 * theta, f1 * theta
        alpha = (0.5 * (hi + lo))[..., None] + (0.5 * (hi - lo))[..., None] * _GL_NODES
        k = B * np.sin(alpha) - B * h[..., None] * np.cos(alpha)
        hc = half_c2[..., None] if np.ndim(half_c2) else half_c2
        # e^{-|c|^2/2} Q(k)/phi(k), stably on both sides of k = 0
        scaled = np.where(k >= 0, special.erfcx(np.abs(k) / SQRT2) * np.exp(-hc),
                          special.erfc(k / SQRT2) * np.exp(np.minimum(0.5 * k * k - hc, 0.0)))
        vals = np.exp(-hc) - k * math.sqrt(math.pi / 2) * scaled
        total += 0.5 * (hi - lo) * (vals @ _GL_WEIGHTS)
    out = total / (2 * math.pi)
    return float(out) if np.ndim(out) == 0 else out


def split_probability(rho, B: float):
    """P[Z1 >= B, Z2 < B] = p0 - p(rho, B) for 0 <= rho <= 1, without the cancellation of the
    difference: the Gaussian measure of the wedge {U >= B, rho U + sqrt(1-rho^2) V < B} with apex
    c = (B, B h), h = sqrt((1-rho)/(1+rho)), and angle theta = arccos(rho), in polar coordinates
    around the apex: e^{-|c|^2/2}/(2 pi) int_0^theta (1 - k R(k)) d alpha, k = c . e(alpha),
    e(alpha) = (sin alpha, -cos alpha), R = Q/phi the Mills ratio. Vectorized over rho."""
    B = v.bias(B)
    r = v.correlation("rho", rho)
    if np.any(r < 0):
        v.fail("rho", float(r.min()), "0 <= rho <= 1 (the wedge form covers link 4's range)")
    return _split_core(np.arccos(r), np.sqrt((1.0 - r) / (1.0 + r)), 1.0 + r, B)


def split_probability_at_separation(separation_: float, B: float) -> float:
    """p0 - p(1 - delta^2/2, B) from delta itself (theta = 2 arcsin(delta/2), h = delta/sqrt(4 -
    delta^2), 1 + rho = (4 - delta^2)/2), so that tiny delta keeps full relative accuracy."""
    d, B = _check_sep(separation_), v.bias(B)
    return _split_core(2.0 * math.asin(d / 2), _owens_a(d), (4.0 - d * d) / 2.0, B)


def split_probability_mp(rho, B: float, dps: int = 30):
    """mpmath twin by the conditioning integral int_B^inf phi(z) Phi((B - rho z)/sqrt(1-rho^2)) dz
    (``rho`` may be an mpf, so that rho = 1 - delta^2/2 keeps its digits)."""
    dps = v.dps(dps)
    B = v.bias(B)
    if not isinstance(rho, mp.mpf):
        rho = float(v.correlation("rho", rho))
    if rho < 0 or rho > 1:
        v.fail("rho", float(rho), "0 <= rho <= 1")
    with mp.workdps(dps):
        Bm, r = mp.mpf(B), mp.mpf(rho)
        if r == 1:
            return mp.mpf(0)
        s = mp.sqrt((1 - r) * (1 + r))
        # phi(B) factored out (mp.quad's tolerance is absolute): exp(-(z^2 - B^2)/2)
        f = lambda z: mp.exp(-(z - Bm) * (z + Bm) / 2) * mp.ncdf((Bm - r * z) / s)  # noqa: E731
        # phi(z) falls on the scale 1/B beyond B, the Phi factor steps at B / rho over s / rho
        pts = [Bm] + [Bm + t / max(Bm, 1) for t in (0.5, 2, 6, 15)]
        if r > 0:
            z0 = Bm / r
            pts += [z0 + k * s / r for k in (-8, -2, 0, 2, 8) if z0 + k * s / r > Bm]
        pts = sorted(set(pts)) + [Bm + 40]
        return mp.npdf(Bm) * mp.quad(f, pts)


def split_probability_at_separation_mp(separation_: float, B: float, dps: int = 30):
    """mpmath twin of :func:`split_probability_at_separation`."""
    dps = v.dps(dps)
    d = _check_sep(separation_)
    with mp.workdps(dps + 10):
        # the double nearest sqrt 2 exceeds it: clamp rho = 1 - delta^2/2 (>= 0 on the domain)
        rho = max(mp.mpf(0), 1 - mp.mpf(d) ** 2 / 2)
        return split_probability_mp(rho, B, dps + 10)


def p0_relaxation(B: float) -> float:
    """The paper's lower bound on p0 = Q(B): max(1/2 - B/sqrt(2 pi), phi(B)(1/B - 1/B^3)); the
    second (Mills) term only for B > 0."""
    B = v.bias(B)
    first = 0.5 - B / math.sqrt(2 * math.pi)
    if B <= 1.0:  # the Mills term phi(B)(1/B - 1/B^3) is <= 0 there (and overflows as B -> 0)
        return first
    return max(first, float(phi(B)) * (1.0 / B - 1.0 / B**3))


def p0_relaxation_mp(B: float, dps: int = 30):
    """mpmath twin of :func:`p0_relaxation`."""
    dps = v.dps(dps)
    B = v.bias(B)
    with mp.workdps(dps):
        Bm = mp.mpf(B)
        first = mp.mpf(1) / 2 - Bm / mp.sqrt(2 * mp.pi)
        if B == 0:
            return first
        return max(first, mp.npdf(Bm) * (1 / Bm - 1 / Bm**3))


# ----------------------------------------------------------------------- the chain
@dataclass(frozen=True)
class Link:
    """One checkable statement ``left <relation> right``; ``allowance`` is the round-off
    (and region-tolerance) margin the comparison may use."""

    name: str
    left: float
    relation: str
    right: float
    allowance: float = 0.0

    @property
    def holds(self) -> bool:
        if self.relation == ">=":
            return self.left >= self.right - self.allowance
        if self.relation == "<=":
            return self.left <= self.right + self.allowance
        return abs(self.left - self.right) <= self.allowance


def _region_allowance(n: int, p0_: float) -> float:
    """Zeroing |Qm_ij| <= rtol p0 moves a^T Qm a by at most (n - 1) rtol p0 for unit a."""
    return (n - 1) * REGION_RTOL * p0_


def link1_psd(X, B: float) -> Link:
    """Link 1: lambda_R(H_inf) >= lambda_R(P), since H_inf - P = (X X^T) o P is PSD (Schur)."""
    P = pair_matrix(X, B)
    Qm = _region_from(P, p0(B), REGION_RTOL)
    rh = restricted_eigenvalue(h_inf_from_pairs(X, P), Qm)
    rp = restricted_eigenvalue(P, Qm)
    return Link("link1", rh.value, ">=", rp.value, rh.error + rp.error)


def link2_region(X, B: float) -> Link:
    """Link 2: lambda_R(P) >= p0 - p_min, from the definition of R."""
    P = pair_matrix(X, B)
    p0_ = p0(B)
    rp = restricted_eigenvalue(P, _region_from(P, p0_, REGION_RTOL))
    return Link("link2", rp.value, ">=", p0_ - _p_min_from(P, B),
                rp.error + _region_allowance(P.shape[0], p0_) + 1e-15 * p0_)


def link3_separation(X, B: float) -> Link:
    """Link 3: p_min <= p(1 - delta^2/2, B), since p(rho, B) increases with rho."""
    X = v.unit_rows("X", X)
    pm = p_min(X, B)
    d = separation(X)
    ps = p_separation(d, B)
    return Link("link3", pm, "<=", ps, _link3_allowance(d, B, ps))


def _link3_allowance(d: float, B: float, ps: float) -> float:
    """rho_ij (a dot product) and 1 - delta^2/2 (from ||x_i -/+ x_j||) agree to ~4 eps; p moves by
    dp/drho = exp(-B^2/(1+rho)) / (2 pi sqrt(1 - rho^2)) per unit rho, plus 1e-12 relative of
    ps = p(1 - delta^2/2, B)."""
    rho = 1.0 - d * d / 2.0
    s = math.sqrt(max(0.0, (1.0 - rho) * (1.0 + rho)))
    if s == 0:
        return 1e-12 * ps
    return 1e-12 * ps + 8 * _EPS * math.exp(-B * B / (1.0 + rho)) / (2 * math.pi * s)


def link4_owens_t(separation_: float, B: float) -> Link:
    """Link 4: p0 - p(1 - delta^2/2, B) = 2 T(B, delta / sqrt(4 - delta^2)) (left by the wedge
    quadrature :func:`split_probability`, right by scipy's Owen's T)."""
    d = _check_sep(separation_)
    left = split_probability_at_separation(d, B)
    right = sharper_bound(d, B)
    return Link("link4", left, "==", right, 1e-12 * max(abs(right), 1e-300))


def link5_arcsin(separation_: float, B: float) -> Link:
    """Link 5: 2 T(B, delta/sqrt(4 - delta^2)) >= (1/pi) arcsin(delta/2) exp(-2B^2/(4 - delta^2))
    (T(h, a) >= exp(-h^2 (1 + a^2)/2) arctan(a) / (2 pi); equality at B = 0)."""
    left, right = sharper_bound(separation_, B), closed_form_bound(separation_, B)
    return Link("link5", left, ">=", right, 1e-13 * right + 1e-300)  # ties as delta -> 0


def link_p0_relaxation(B: float) -> Link:
    """p0 = Q(B) >= max(1/2 - B/sqrt(2 pi), phi(B)(1/B - 1/B^3)) (the paper's relaxation)."""
    r = p0_relaxation(B)
    return Link("p0_relaxation", p0(B), ">=", r, 1e-15 * abs(r))


@dataclass(frozen=True)
class Chain:
    """All quantities of Theorem B.1 for one data set (for the report and the claims)."""

    n: int
    B: float
    separation: float
    p0: float
    p_min: float
    p_separation: float
    lambda_min_H: float
    lambda_R_H: RestrictedEigenvalue
    lambda_R_P: RestrictedEigenvalue
    lambda_min_P: float
    sharper: float
    closed_form: float
    links: tuple[Link, ...]

    @property
    def region_allowance(self) -> float:
        return _region_allowance(self.n, self.p0)


def chain(X, B: float) -> Chain:
    """Every link and bound of Theorem B.1 for data X at bias B (one pair matrix, two solves)."""
    X = v.unit_rows("X", X)
    B = v.bias(B)
    d = separation(X)
    n = X.shape[0]
    # one vectorized quadrature for the pair matrix and p(1 - delta^2/2, B)
    rho = _gram(X)
    vals = pair_probability(np.append(rho.ravel(), 1.0 - d * d / 2.0), B)
    P, ps = vals[:-1].reshape(n, n), float(vals[-1])
    p0_ = p0(B)
    np.fill_diagonal(P, p0_)
    Qm = _region_from(P, p0_, REGION_RTOL)
    H = h_inf_from_pairs(X, P)
    rh, rp = restricted_eigenvalue(H, Qm), restricted_eigenvalue(P, Qm)
    pm = _p_min_from(P, B)
    sharp, closed = sharper_bound(d, B), closed_form_bound(d, B)
    allow = _region_allowance(n, p0_)
    links = (
        Link("link1", rh.value, ">=", rp.value, rh.error + rp.error),
        Link("link2", rp.value, ">=", p0_ - pm, rp.error + allow + 1e-15 * p0_),
        Link("link3", pm, "<=", ps, _link3_allowance(d, B, ps)),
        link4_owens_t(d, B),
        link5_arcsin(d, B),
        link_p0_relaxation(B),
    )
    return Chain(n, B, d, p0_, pm, ps, float(np.linalg.eigvalsh(H)[0]), rh, rp,
                 float(np.linalg.eigvalsh(P)[0]), sharp, closed, links)

