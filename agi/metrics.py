"""Metrics: named arrays with real shapes, and the reductions they declare.

A seed's compiled step returns ``{name: array}``: ``[N]`` per body of the world (reward, each drive's reward,
a world's per-learner rates), ``[N, M]`` per body and body thought about (the social world's friend/enemy
signal on thoughts of each body), ``[]`` for the seed as a whole (a correlation's moments). Each is reduced
over the world's ``num_envs`` copies by the step as its declaration says (``Declared.counts`` are summed, every
other metric averaged) and averaged over steps afterwards: a ``Window`` holds per-seed sums over a range of
steps, ``chunk_row`` is a chunk's line of ``metrics.jsonl``.

A quantity that is not an average of per-step values is *declared* as a derived metric computed from a window's
averages: ``Ratio(num, den)`` (the return per finished episode; the friend/enemy signal per thought about
someone) or ``Correlation(prefix)`` (Pearson r from the moments a step logs). The agent declares its own
(``AGENT``), a world its own (``WorldSpec.metrics``); nothing is summed or divided because of its name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

import jax.numpy as jnp
import numpy as np

Mean = Callable[[str], np.ndarray]
"""``mean(name) -> [seeds, *shape]``: a metric's average over a window (``Window.mean``)."""


class Ratio(NamedTuple):
    """``mean(num) / mean(den)`` over the same window, element by element (nan where ``den`` is 0). Reduced to
    one value per seed, the bodies are pooled: ``Σ num / Σ den``."""

    num: str
    den: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return (self.num, self.den)

    def of(self, mean: Mean) -> np.ndarray:
        return _divide(mean(self.num), mean(self.den))

    def per_seed(self, mean: Mean) -> np.ndarray:
        return _divide(_flat_mean(mean(self.num)), _flat_mean(mean(self.den)))


class Correlation(NamedTuple):
    """Pearson r per seed from weighted moments a step logs as ``PREFIX/n`` (the weight), ``PREFIX/x``,
    ``/y``, ``/xy``, ``/xx``, ``/yy`` (each the weight times the product; ``moments`` writes them)."""

    prefix: str

    @property
    def inputs(self) -> tuple[str, ...]:
        return tuple(f"{self.prefix}/{k}" for k in ("n", "x", "y", "xy", "xx", "yy"))

    def moments(self, mean: Mean):
        """``(n, E[x], E[y], E[xy], E[xx], E[yy])`` per seed, the expectations under the weight."""
        g = lambda k: np.asarray(mean(f"{self.prefix}/{k}"), np.float64)
        n = np.maximum(g("n"), 1e-12)
        return (n, *(g(k) / n for k in ("x", "y", "xy", "xx", "yy")))

    def of(self, mean: Mean) -> np.ndarray:
        _, mx, my, xy, xx, yy = self.moments(mean)
        cov, var = xy - mx * my, (xx - mx**2) * (yy - my**2)
        return np.where(var > 1e-12, cov / np.sqrt(np.maximum(var, 1e-24)), np.nan)

    def per_seed(self, mean: Mean) -> np.ndarray:
        """r of the moments pooled over the bodies (``[seeds]`` whatever the moments' shape)."""
        return self.of(lambda name: _flat_mean(mean(name)))


def moments(prefix: str, x, y, weight) -> dict:
    """The per-step moments ``Correlation(prefix)`` reads: means of ``weight · x``, ``weight · y``, ... (jittable)."""
    parts = {"n": weight, "x": weight * x, "y": weight * y, "xy": weight * x * y, "xx": weight * x * x,
             "yy": weight * y * y}  # fmt: skip
    return {f"{prefix}/{k}": jnp.mean(v) for k, v in parts.items()}


Derived = Ratio | Correlation


class Declared(NamedTuple):
    """How a set of metrics is reduced: the names summed over a step's world copies (counts), and the derived
    metrics computed from window averages."""

    counts: frozenset[str] = frozenset()
    derived: Mapping[str, Derived] = {}

    def __or__(self, other: Declared | None) -> Declared:
        if other is None:
            return self
        return Declared(self.counts | other.counts, {**self.derived, **other.derived})

    def over_copies(self, metrics: dict) -> dict:
        """A step's metrics ``{name: [E, ...]}`` reduced over the world's copies (jittable)."""
        return {k: (jnp.sum(v, axis=0) if k in self.counts else jnp.mean(v, axis=0)) for k, v in metrics.items()}


AGENT = Declared(
    counts=frozenset({"episodes", "episode_return_sum"}),
    derived={"episode_return": Ratio("episode_return_sum", "episodes")},
)
"""What every agent logs beyond plain averages: episodes ended and their returns (counts), and the return per
finished episode (nan in a window where none ended)."""


LAYOUT = 2
"""The version of a saved ``Window`` (``to_json``): 2 = metrics with their shapes (1, unversioned: scalars per
seed under unrolled ``social/KEY/i`` names)."""


class LayoutError(ValueError):
    """A saved window of another layout, which cannot be added to."""


def _divide(a, b):
    with np.errstate(invalid="ignore", divide="ignore"):
        b = np.asarray(b, np.float64)
        return np.where(b != 0, np.asarray(a, np.float64) / np.where(b != 0, b, 1.0), np.nan)


def _flat_mean(x) -> np.ndarray:
    """``[seeds, *shape] -> [seeds]``: the mean over everything but the seed axis."""
    x = np.asarray(x)
    return x.reshape(x.shape[0], -1).mean(axis=1) if x.ndim > 1 else x


class Window:
    """Per-seed sums of every metric over the steps ``lo .. hi - 1``; averages and derived metrics from them."""

    def __init__(self, lo: int, hi: int, declared: Declared = AGENT):
        self.lo, self.hi, self.declared, self.sums, self.count = lo, hi, declared, {}, 0

    def add(self, start: int, metrics: dict) -> None:
        """Adds a chunk's metrics ``{name: [seeds, chunk_len, *shape]}`` whose first step is ``start``."""
        length = next(iter(metrics.values())).shape[1]
        a, b = max(self.lo, start) - start, min(self.hi, start + length) - start
        if b <= a:
            return
        # A metric this window has not seen although it holds steps (a window saved by a version that did not
        # measure it, resumed) would be averaged over steps it was not summed over: it stays out of the window.
        fresh = self.count == 0
        self.count += b - a
        for k, v in metrics.items():
            if k in self.sums or fresh:
                self.sums[k] = self.sums.get(k, 0.0) + v[:, a:b].sum(axis=1)

    def names(self) -> list[str]:
        """The logged metrics, then the derived ones whose inputs were logged."""
        derived = [k for k, d in self.declared.derived.items() if all(i in self.sums for i in d.inputs)]
        return [*self.sums, *derived]

    def __contains__(self, name: str) -> bool:
        return name in self.names()

    def mean(self, name: str) -> np.ndarray:
        """``[seeds, *shape]``: the metric's average over the window, or a derived metric's value."""
        if name in self.sums:
            return self.sums[name] / self.count
        if name in self.declared.derived:
            return self.declared.derived[name].of(self.mean)
        raise KeyError(name)

    def per_seed(self, name: str) -> np.ndarray:
        """``[seeds]``: the metric averaged over its bodies (a derived one pooled over them)."""
        if name in self.sums:
            return _flat_mean(self.mean(name))
        if name in self.declared.derived:
            return self.declared.derived[name].per_seed(self.mean)
        raise KeyError(name)

    def select(self, index) -> Window:
        """The same window for a subset of the batch slots (one variant of a merged run)."""
        w = Window(self.lo, self.hi, self.declared)
        w.count, w.sums = self.count, {k: np.asarray(v)[index] for k, v in self.sums.items()}
        return w

    def to_json(self) -> dict:
        return {"layout": LAYOUT, "lo": self.lo, "hi": self.hi, "count": self.count,
                "sums": {k: np.asarray(v).tolist() for k, v in self.sums.items()}}  # fmt: skip

    def load(self, d: dict) -> Window:
        """Restores the accumulators saved by ``to_json``; ``LayoutError`` for another version's."""
        if d.get("layout") != LAYOUT:
            raise LayoutError(f"its metrics windows have layout {d.get('layout', 1)}, this version {LAYOUT}")
        self.lo, self.hi, self.count = d["lo"], d["hi"], d["count"]
        self.sums = {k: np.asarray(v, np.float32) for k, v in d["sums"].items()}
        return self


def chunk_row(end: int, metrics: dict, declared: Declared = AGENT) -> dict:
    """One ``metrics.jsonl`` line for a chunk ending at step ``end`` (``metrics``: ``{name: [seeds, chunk_len,
    *shape]}``): ``NAME`` the mean over seeds and bodies, ``per_seed`` one value per seed (bodies averaged),
    and ``per_body`` the per-seed values with their shapes for metrics of more than one value per seed.
    Derived metrics are computed over the chunk; the inputs of ratios are left out."""
    w = Window(end - next(iter(metrics.values())).shape[1], end, declared)
    w.add(w.lo, metrics)
    hidden = {i for d in declared.derived.values() if isinstance(d, Ratio) for i in d.inputs}
    names = [k for k in w.names() if k not in hidden]
    row, per_seed, per_body = {"step": end}, {}, {}
    for k in names:
        per_seed[k] = w.per_seed(k)
        d = declared.derived.get(k) if k not in w.sums else None
        whole = d.per_seed(lambda n: w.mean(n).mean(axis=0, keepdims=True))[0] if d is not None else per_seed[k].mean()
        if np.isfinite(whole):
            row[k] = float(whole)
        value = w.mean(k)
        if np.size(value) > value.shape[0]:
            per_body[k] = _json(value)
    row["per_seed"] = {k: _json(v) for k, v in per_seed.items()}
    if per_body:
        row["per_body"] = per_body
    return row


def _json(x):
    """Nested lists of floats (None where not finite)."""
    x = np.asarray(x, np.float64)
    if x.ndim == 0:
        return float(x) if np.isfinite(x) else None
    return [_json(v) for v in x]


def first_non_finite(end: int, metrics: dict) -> tuple[int, str, list[int]] | None:
    """``(step, name, slots)`` of the earliest non-finite value in a chunk ending at ``end`` (``slots``: the batch
    slots, seeds, in which it is not finite at that step), or None."""
    worst = None
    for name, v in metrics.items():
        v = np.asarray(v)
        finite = np.isfinite(v.reshape(v.shape[0], v.shape[1], -1)).all(axis=2)  # [slots, chunk_len]
        bad = ~finite.all(axis=0)
        if bad.any():
            i = int(np.argmax(bad))
            here = (end - v.shape[1] + i + 1, name, [int(s) for s in np.flatnonzero(~finite[:, i])])
            worst = min(worst, here) if worst else here
    return worst
