"""Exact Poisson and binomial draws from a seeded ``random.Random`` (Python 3.11 has neither).

The traffic model draws per-period counts, never per request, so an hour of traffic is a few dozen
draws. Small means use inversion (exact, O(mean)); large ones use Hörmann's transformed rejection
methods, the ones NumPy uses: PTRS for Poisson (W. Hörmann, "The transformed rejection method for
generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993) and BTRS for the
binomial (W. Hörmann, "The generation of binomial random variates", J. Statist. Comput. Simul. 46,
1993). Both are exact samplers (rejection, not approximation) and O(1) per draw.
"""

from __future__ import annotations

import math
import random

__all__ = ["binomial", "poisson"]

_POISSON_INVERSION_LIMIT = 10.0
_BINOMIAL_INVERSION_LIMIT = 10.0


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson(``mean``) variate."""
    if mean < 0 or not math.isfinite(mean):
        raise ValueError(f"Poisson mean must be finite and >= 0, got {mean}")
    if mean == 0:
        return 0
    if mean < _POISSON_INVERSION_LIMIT:
        return _poisson_multiplication(rng, mean)
    return _poisson_ptrs(rng, mean)


def _poisson_multiplication(rng: random.Random, mean: float) -> int:
    limit = math.exp(-mean)
    count, product = 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _poisson_ptrs(rng: random.Random, mean: float) -> int:
    slam, loglam = math.sqrt(mean), math.log(mean)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + mean + 0.43)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                <= -mean + k * loglam - math.lgamma(k + 1)):
            return k


def binomial(rng: random.Random, n: int, p: float) -> int:
    """A Binomial(``n``, ``p``) variate."""
    if n < 0:
        raise ValueError(f"binomial n must be >= 0, got {n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"binomial p must lie in [0, 1], got {p}")
    if n == 0 or p == 0.0:
        return 0
    if p == 1.0:
        return n
    if p > 0.5:
        return n - binomial(rng, n, 1.0 - p)
    if n * p < _BINOMIAL_INVERSION_LIMIT:
        return _binomial_inversion(rng, n, p)
    return _binomial_btrs(rng, n, p)


def _binomial_inversion(rng: random.Random, n: int, p: float) -> int:
    q = 1.0 - p
    qn = math.exp(n * math.log(q))
    bound = min(float(n), n * p + 10.0 * math.sqrt(n * p * q + 1))
    x, px, u = 0, qn, rng.random()
    while u > px:
        x += 1
        if x > bound:
            x, px, u = 0, qn, rng.random()
        else:
            u -= px
            px = ((n - x + 1) * p * px) / (x * q)
    return x


def _binomial_btrs(rng: random.Random, n: int, p: float) -> int:
    q = 1.0 - p
    spq = math.sqrt(n * p * q)
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    alpha = (2.83 + 5.1 / b) * spq
    lpq = math.log(p / q)
    m = math.floor((n + 1) * p)
    h = math.lgamma(m + 1) + math.lgamma(n - m + 1)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return k
        v = math.log(v * alpha / (a / (us * us) + b))
        if v <= h - math.lgamma(k + 1) - math.lgamma(n - k + 1) + (k - m) * lpq:
            return k
