"""An optax face for the assessor update, and stabilisers to chain with it.

The TD(λ) step produces a per-head *pseudo-gradient* ``u = −g ⊙ δ ⊙ z`` (``[H, d]``; its negative is the
textbook increment before the step size). Any ``optax`` transformation turns it into the weight increment; the
default is ``heads_sgd(alpha)`` (``Δw = −α ⊙ u = α g δ z``). Stabilisers that need the TD error or the traces
receive them as extra arguments ``delta`` (``[H]``) and ``traces`` (``[H, d]``), so they chain with ordinary
optax pieces::

    tx = optax.chain(scale_by_obgd(alpha, kappa=2.0), heads_sgd(alpha))

``RunningNorm`` normalises the features themselves (the streaming-TD observation normalisation); it is a
pure ``(init, update)`` pair applied to φ before the heads read it.

References: Elsayed, Vasan & Mahmood (2024), "Streaming Deep Reinforcement Learning Finally Works" (ObGD,
observation normalisation); DESIGN.md §6.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax


def heads_sgd(alpha) -> optax.GradientTransformation:
    """``Δw = −α_i · u_i`` with a per-head step size ``alpha`` (``[H]``)."""
    return optax.scale(-jnp.asarray(alpha)[:, None])


def scale_by_obgd(alpha, kappa: float = 2.0) -> optax.GradientTransformationExtraArgs:
    """The ObGD step-size bound, per head: ``u_i / max(1, α_i κ max(|δ_i|, 1) ‖z_i‖₁)``.

    Chain it *before* ``heads_sgd(alpha)``: the effective step is ``α_i / max(1, M_i)``, which keeps a single
    update from overshooting its own target (Elsayed et al. 2024, Algorithm 1).
    """
    alpha = jnp.asarray(alpha)

    def init(params):
        del params
        return optax.EmptyState()

    def update(updates, state, params=None, *, delta, traces, **extra):
        del params, extra
        m = alpha * kappa * jnp.maximum(jnp.abs(delta), 1.0) * jnp.sum(jnp.abs(traces), axis=-1)  # [H]
        return updates / jnp.maximum(m, 1.0)[:, None], state

    return optax.GradientTransformationExtraArgs(init, update)


class RunningNormState(NamedTuple):
    count: jax.Array  # []
    mean: jax.Array  # [d]
    m2: jax.Array  # [d] sum of squared deviations (Welford)


class RunningNorm(NamedTuple):
    """Running mean/variance normalisation of a feature vector (Welford's algorithm), as ``(init, update)``.

    ``update(state, x) -> (state, (x − mean) / sqrt(var + eps))`` with the statistics including ``x``.
    ``skip`` marks features left as they are (e.g. the constant bias feature).
    """

    eps: float = 1e-8

    def init(self, d: int) -> RunningNormState:
        return RunningNormState(jnp.zeros(()), jnp.zeros((d,)), jnp.zeros((d,)))

    def update(self, state: RunningNormState, x, skip=None):
        count = state.count + 1.0
        delta = x - state.mean
        mean = state.mean + delta / count
        m2 = state.m2 + delta * (x - mean)
        var = jnp.where(count > 1, m2 / jnp.maximum(count - 1.0, 1.0), 1.0)
        y = (x - mean) / jnp.sqrt(var + self.eps)
        if skip is not None:
            y = jnp.where(skip, x, y)
        return RunningNormState(count, mean, m2), y
