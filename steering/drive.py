"""The drive interface: a drive is a pair of pure functions, in the spirit of optax's ``(init, update)``.

A drive reads the *senses* (a flat dict of arrays: raw inputs from the world plus everything the drives
before it wrote) and the Thought Assessors' *predictions* (a dict keyed by signal name), and returns its
contribution to reward, the ground truths and learning-rate gates it sets, and named diagnostics.

References: DESIGN.md §5; 002 "Big picture" (Steering Subsystem supplies ground truths to Thought Assessors).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

Senses = Mapping[str, jax.Array]
Predictions = Mapping[str, jax.Array]


class DriveOut(NamedTuple):
    """What one drive emits for one step (all scalars for one agent)."""

    reward: jax.Array
    """This drive's additive contribution to the reward r_t."""
    signals: dict[str, jax.Array]
    """Ground truths for assessor heads / body-state variables (e.g. ``{"hunger": h}``)."""
    gates: dict[str, jax.Array]
    """Learning-rate gates in [0, 1] for assessor heads, keyed by signal; absent means 1."""
    diagnostics: dict[str, jax.Array]
    """Named values for logging and for later drives (e.g. ``spider_detected``, ``innate_fear``)."""
    cumulants: dict[str, jax.Array] = {}
    """TD cumulants for heads whose training target is not the signal's value itself; absent means the signal.
    In defer-to-predictor mode the cumulant is 0 and the target is carried by ``discounts``."""
    discounts: dict[str, jax.Array] = {}
    """Per-step discounts on a head's own next prediction (defer-to-predictor: the target bootstraps on it;
    override: 0); absent means the head's configured γ. Never mutated: the empty defaults are shared."""


class Head(NamedTuple):
    """How the Thought Assessor head that predicts a signal learns, declared by the drive that provides the
    signal (DESIGN.md §10). ``None`` keeps the agent's default for a short-term predictor: γ = 0, λ = 0 and the
    step size ``agent.alpha_predictors``."""

    gamma: float | None = None
    """discount: 0 makes a short-term predictor, > 0 a long-term (TD) predictor"""
    lam: float | None = None
    """eligibility-trace decay λ"""
    alpha: float | None = None
    """step size per unit of feature dimension (the update uses α / d)"""
    reads: str = "all"
    """which block of the thought features φ the head reads: ``all``; ``intero`` (only φ_int: an
    interoceptive concept finder, 001 §3.2); or ``self`` (all of φ, except that φ_int is withheld on a thought
    formed as an empathetic simulation, so the head predicts one's own state, not the simulated other's:
    001 §5.3, footnote 10)"""
    attended: bool = False
    """learn only from thoughts formed with the actual interoceptive input in view (no attentional gap, random
    or reflexive): 001 §3.2 sets an interoceptive concept finder's learning rate to zero "unless you're paying
    attention to actual interoceptive input"; the agent multiplies the head's gate by it"""


READS = ("all", "intero", "self")


class Drive(NamedTuple):
    """A named ``(init, step)`` pair.

    ``init() -> state`` and ``step(state, senses, predictions) -> (state, DriveOut)``; both pure and jit-safe.
    ``provides`` names the signals this drive writes, so ablations can find the drive that owns a signal; each
    provided signal gets a Thought Assessor head, set up as ``heads`` declares (default ``Head()``).
    """

    name: str
    init: Callable[[], Any]
    step: Callable[[Any, Senses, Predictions], tuple[Any, DriveOut]]
    provides: tuple[str, ...] = ()
    heads: Mapping[str, Head] = {}
    """Settings of the heads of provided signals, by signal name. Never mutated: the empty default is shared."""
    log: tuple[str, ...] = ()
    """Names of this drive's diagnostics to log every step (``diagnostic/NAME`` in ``metrics.jsonl``)."""


def drive_out(reward=0.0, signals=None, gates=None, diagnostics=None, cumulants=None, discounts=None) -> DriveOut:
    """Builds a ``DriveOut`` with float32 scalars and empty dicts by default."""
    f = lambda x: jnp.asarray(x, jnp.float32)
    d = lambda x: {k: f(v) for k, v in (x or {}).items()}
    return DriveOut(f(reward), d(signals), d(gates), d(diagnostics), d(cumulants), d(discounts))


def stateless(name: str, fn: Callable[[Senses, Predictions], DriveOut], provides=(), heads=None) -> Drive:
    """Wraps a function of ``(senses, predictions)`` as a drive with an empty state."""
    return Drive(name, lambda: (), lambda state, senses, preds: (state, fn(senses, preds)), tuple(provides),
                 dict(heads or {}))  # fmt: skip


def running_mean(mean, n, x, rate):
    """A running mean that averages exactly over its first ``1/rate`` samples, then exponentially (so that it
    does not start from an arbitrary 0). Returns ``(mean, n)``."""
    n = n + 1.0
    return mean + jnp.maximum(rate, 1.0 / n) * (x - mean), n


def expect(ok, key: str, value, expected: str) -> None:
    """Raises ``ValueError("KEY=VALUE is out of range: expected ...")`` unless ``ok``: a drive config's
    ``validate`` names its own field; the run config prefixes the section (``steering.fear.``)."""
    if not ok:
        raise ValueError(f"{key}={value!r} is out of range: expected {expected}")
