"""Statistics over seeds: means with Student-t 95% intervals, and paired differences.

Seeds are few (4–8), so the interval uses the t distribution's critical value for ``n − 1`` degrees of freedom
rather than the normal 1.96, which would be too narrow.
"""

from __future__ import annotations

import math

import numpy as np

# Two-sided 95% critical values of Student's t for 1..30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(df: int) -> float:
    """The two-sided 95% critical value of Student's t with ``df`` degrees of freedom (1.96 beyond 30)."""
    if df < 1:
        return math.nan
    return _T95[df - 1] if df <= len(_T95) else 1.96


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
