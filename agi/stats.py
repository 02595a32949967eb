"""Statistics over seeds: means with Student-t 95% intervals, and paired differences.

Seeds are few (4–8), so the interval uses the t distribution's critical value for ``n − 1`` degrees of freedom
(from ``scipy.stats``, exact for any ``n``) rather than the normal 1.96, which would be too narrow.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats


def t95(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom (``scipy.stats``)."""
    if df < 1:
        return math.nan
    return float(stats.t.ppf(0.975, df))


def mean_ci(x) -> dict | None:
    """``{"mean", "ci95", "lo", "hi", "n", "per_seed"}`` over the ``n`` finite values of ``x`` (None if there are
    none); ``ci95`` is the half-width ``t95(n−1) · sd / √n`` (nan for a single value). ``per_seed`` keeps every
    seed in its place, ``None`` where the value was not finite, so seeds stay aligned across variants."""
    everything = np.asarray(x, np.float64).ravel()
    x = everything[np.isfinite(everything)]
    if x.size == 0:
        return None
    m = float(x.mean())
    half = t95(x.size - 1) * float(x.std(ddof=1)) / math.sqrt(x.size) if x.size > 1 else math.nan
    per_seed = [float(v) if np.isfinite(v) else None for v in everything]
    return {"mean": m, "ci95": half, "lo": m - half, "hi": m + half, "n": int(x.size), "per_seed": per_seed}


def paired(x, y) -> dict | None:
    """The mean of ``x − y`` per seed (seeds aligned by index) with its 95% interval; seeds where either is
    missing are left out."""
    x, y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    return mean_ci(x - y)


def excludes_zero(s: dict | None, direction: str) -> bool:
    """Whether the interval lies entirely on the predicted side of zero (``direction`` is ``>`` or ``<``)."""
    if s is None or not math.isfinite(s["ci95"]):
        return False
    return s["lo"] > 0 if direction == ">" else s["hi"] < 0
