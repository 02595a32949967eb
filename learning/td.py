"""Thought Assessors: linear heads on thought features φ, trained online by TD(λ) with eligibility traces.

One head per Steering signal, all heads at once (a "Horde"): predictions ``P = W φ`` with ``W ∈ R^{H×d}``
(head-major: each head's weights are contiguous, which measured 1.5–2× faster than ``[d, H]`` on CPU).
Head i has its own discount γ_i, trace decay λ_i and step size α_i, and a per-step learning-rate gate g_i.
For the transition t → t+1 with cumulant (ground truth) c_t and continuation ``cont_t = 1 - done_t``:

    δ_i  = c_i,t + γ_i · cont_t · p_i(φ_{t+1}) − p_i(φ_t)
    W_i ← W_i + α_i · g_i,t · δ_i · z_i                      (z includes φ_t)
    z_i ← γ_i λ_i · cont_t · z_i + m_i ⊙ φ_{t+1}             (accumulating trace; reset at episode ends)

With ``trace="dutch"`` the update is true online TD(λ) (van Seijen et al. 2016), which for linear features
equals the online λ-return algorithm exactly (with gates of 1):

    W_i ← W_i + α_i g_i [(δ_i + p_i(φ_t) − v_old,i) z_i − (p_i(φ_t) − v_old,i) m_i ⊙ φ_t],   v_old ← p_i(φ_{t+1})
    z_i ← γ_i λ_i cont_t · z_i + (1 − α_i γ_i λ_i cont_t · z_i·φ_{t+1}) m_i ⊙ φ_{t+1}

``γ_i = 0`` makes head i a short-term predictor (the delta rule on ``c_i``). A per-step discount ``γ_i,t``
(``gamma_t``) replaces γ_i for one transition, in δ and in the trace decay (a state-dependent discount, as in
general value functions): Steering's defer-to-predictor mode (002 "Big picture") sets it > 0 so the head's
target bootstraps on its own next prediction, and override mode sets it to 0 with the innate value as ``c``.
``m_i`` is the head's read mask: interoceptive concept finders read only the interoceptive block of φ
(001 §3.2), other heads read all of φ.

References: Sutton & Barto (2018) §12.2 (semi-gradient TD(λ)); DESIGN.md §6; 001 §2 (short-term predictors);
002 "Big picture" (long-term predictors; valence guess).
"""

from __future__ import annotations

from typing import NamedTuple

import chex
import jax
import jax.numpy as jnp
import optax

HIGHEST = jax.lax.Precision.HIGHEST


class HeadParams(NamedTuple):
    """Per-head hyperparameters, each ``[H]`` (plus the ``[H, d]`` read mask)."""

    gamma: jax.Array  # [H] discount; 0 = short-term predictor
    lam: jax.Array  # [H] trace decay λ
    alpha: jax.Array  # [H] step size
    read_mask: jax.Array  # [H, d] 1 where head i reads feature j


class TraceState(NamedTuple):
    """Per-agent state of the online update."""

    z: jax.Array  # [H, d] eligibility traces (already include φ_t)
    phi_t: jax.Array  # [d] features of the thought whose outcome is pending
    v_old: jax.Array  # [H] dutch traces only: the previous step's p(φ_t), 0 at an episode start


def predict(w: jax.Array, phi: jax.Array, read_mask: jax.Array) -> jax.Array:
    """All heads' predictions ``(W ⊙ M) φ``. ``w`` is ``[H, d]``, ``phi`` is ``[..., d]``, returns ``[..., H]``."""
    return phi @ (w * read_mask).T


def init_traces(phi_0: jax.Array, heads: HeadParams, traced=None) -> TraceState:
    """Traces at the start of a life: ``z = m ⊙ φ_0``, ``[H, d]``; with ``traced`` (a static tuple of head
    indices, ``traced_heads``), only those heads' rows, ``[T, d]`` (``td_lambda_coefs``)."""
    mask = heads.read_mask if traced is None else heads.read_mask[jnp.asarray(traced, jnp.int32)]
    return TraceState(z=phi_0[None, :] * mask, phi_t=phi_0, v_old=jnp.zeros(heads.gamma.shape))


def td_errors(c_t, cont_t, p_tp1, p_t, gamma):
    """``δ = c + γ·cont·p(t+1) − p(t)``, all ``[H]`` (cont a scalar)."""
    return c_t + gamma * cont_t * p_tp1 - p_t


def td_lambda_step(
    w,
    traces: TraceState,
    phi_tp1,
    c_t,
    cont_t,
    gate_t,
    heads: HeadParams,
    trace="accumulating",
    tx=None,
    tx_state=None,
    gamma_t=None,
):
    """One online TD(λ) step for one agent, for all heads.

    Args:
      w: ``[H, d]`` weights.
      traces: the agent's ``TraceState`` (``z`` includes ``φ_t``).
      phi_tp1: ``[d]`` features of the next chosen thought.
      c_t: ``[H]`` cumulants (ground truths) for the transition.
      cont_t: ``[]`` 1 if the episode continues into ``t+1``, else 0.
      gate_t: ``[H]`` learning-rate gates in [0, 1].
      heads: per-head hyperparameters.
      trace: ``"accumulating"`` or ``"dutch"`` (true online TD(λ)); static.
      tx: optional optax transformation of the pseudo-gradient ``u = −Δw/α`` (see ``learning.stabilizers``),
        called with extra arguments ``delta`` and ``traces``; it must include the step size (``heads_sgd``).
      tx_state: its state.
      gamma_t: optional ``[H]`` discounts for this transition, in place of ``heads.gamma`` (see above).

    Returns:
      ``(dw, traces', delta)``: the weight increment ``[H, d]`` (add it to ``w``; average it over agents that
      share a brain), the new traces, and the TD errors ``[H]``. With ``tx``, ``(dw, traces', delta, tx_state')``.
    """
    chex.assert_rank([w, phi_tp1, c_t, gate_t], [2, 1, 1, 1])
    if trace not in ("accumulating", "dutch"):
        raise ValueError(f"trace must be 'accumulating' or 'dutch', got {trace!r}")
    gamma = heads.gamma if gamma_t is None else gamma_t
    p_t = predict(w, traces.phi_t, heads.read_mask)
    p_tp1 = predict(w, phi_tp1, heads.read_mask)
    delta = td_errors(c_t, cont_t, p_tp1, p_t, gamma)
    step = gate_t if tx is not None else heads.alpha * gate_t  # with tx the chain applies the step size
    x_tp1 = phi_tp1[None, :] * heads.read_mask  # [H, d] each head's view of φ_{t+1}
    decay = gamma * heads.lam * cont_t
    if trace == "accumulating":
        dw = traces.z * (step * delta)[:, None]
        z = decay[:, None] * traces.z + x_tp1
        v_old = traces.v_old
    else:
        x_t = traces.phi_t[None, :] * heads.read_mask
        correction = p_t - traces.v_old
        dw = traces.z * (step * (delta + correction))[:, None] - x_t * (step * correction)[:, None]
        zx = jnp.sum(traces.z * x_tp1, axis=1)  # [H]
        z = decay[:, None] * traces.z + (1.0 - heads.alpha * decay * zx)[:, None] * x_tp1
        v_old = cont_t * p_tp1
    new = TraceState(z=z, phi_t=phi_tp1, v_old=v_old)
    if tx is None:
        return dw, new, delta
    tx = optax.with_extra_args_support(tx)  # plain optax pieces ignore delta and traces
    dw, tx_state = tx.update(-dw, tx_state, w, delta=delta, traces=traces.z)
    return dw, new, delta, tx_state


def make_heads(names, gamma, lam, alpha, d, intero_slice=None, finders=(), read_masks=None) -> HeadParams:
    """Builds ``HeadParams`` from per-head dicts (or scalars) keyed by head name.

    ``finders`` are heads that read only ``φ[intero_slice]`` (interoceptive concept finders); ``read_masks``
    (``{name: [d] 0/1}``) sets any head's read mask outright (a head absent from it reads all of φ, or its block).
    """

    def col(x):
        return jnp.asarray([x[n] if isinstance(x, dict) else x for n in names], jnp.float32)

    mask = jnp.ones((len(names), d), jnp.float32)
    unknown = set(finders) - set(names)
    if unknown:
        raise ValueError(f"finders {sorted(unknown)} are not heads; heads: {list(names)}")
    if finders and intero_slice is None:
        raise ValueError("finders need intero_slice, the interoceptive block of φ")
    if finders:
        intero = jnp.zeros((d,), jnp.float32).at[intero_slice].set(1.0)
        for i, n in enumerate(names):
            if n in finders:
                mask = mask.at[i].set(intero)
    for i, n in enumerate(names):
        if read_masks is not None and n in read_masks:
            mask = mask.at[i].set(jnp.asarray(read_masks[n], jnp.float32))
    return HeadParams(gamma=col(gamma), lam=col(lam), alpha=col(alpha), read_mask=mask)


def traced_heads(heads: HeadParams) -> tuple[int, ...]:
    """The heads that need an eligibility trace beyond the current φ: those with λ > 0 (static, from concrete
    ``heads``). A head with λ = 0 has ``z = m ⊙ φ_t`` at every step, whatever its discount."""
    return tuple(int(i) for i in jnp.flatnonzero(jnp.asarray(heads.lam) > 0))


def td_lambda_coefs(w, traces: TraceState, phi_tp1, c_t, cont_t, gate_t, heads: HeadParams, traced, gamma_t=None,
                    p_tp1=None):
    """One agent's half of an online TD(λ) step (accumulating traces) of agents that share one ``W``: its TD
    errors, the coefficients ``α_i g_i δ_i`` of its increment, and the traces of the heads ``traced`` advanced.
    ``shared_increment`` combines the coefficients of a brain's agents into ``ΔW``, so no agent forms an
    ``[H, d]`` increment and no head with λ = 0 keeps a trace (its ``z`` is ``m ⊙ φ_t``).

    Args:
      w: ``[H, d]`` shared weights.
      traces: the agent's ``TraceState`` with ``z`` of shape ``[T, d]``, the rows of ``traced``
        (``init_traces(φ_0, heads, traced)``).
      phi_tp1, c_t, cont_t, gate_t, gamma_t: as ``td_lambda_step``'s.
      heads: per-head hyperparameters.
      traced: static tuple of the head indices with λ > 0 (``traced_heads``).
      p_tp1: optional ``[H]`` predictions ``predict(w, phi_tp1)`` if the caller has them (the agent does: it
        assessed the thought to choose it), so they are not computed again.

    Returns:
      ``(coef [H], traces', delta [H])``.
    """
    chex.assert_rank([w, traces.z, phi_tp1, c_t, gate_t], [2, 2, 1, 1, 1])
    gamma = heads.gamma if gamma_t is None else gamma_t
    p_tp1 = predict(w, phi_tp1, heads.read_mask) if p_tp1 is None else p_tp1
    delta = td_errors(c_t, cont_t, p_tp1, predict(w, traces.phi_t, heads.read_mask), gamma)
    t = jnp.asarray(tuple(traced), jnp.int32)
    decay = (gamma * heads.lam)[t] * cont_t  # [T]
    z = decay[:, None] * traces.z + phi_tp1[None, :] * heads.read_mask[t]
    return heads.alpha * gate_t * delta, TraceState(z=z, phi_t=phi_tp1, v_old=traces.v_old), delta


def shared_increment(coef, phi_t, z, heads: HeadParams, traced):
    """``ΔW [H, d]``, the mean over ``B`` agents of their TD(λ) increments from ``td_lambda_coefs``:

        ΔW_i = (1/B) Σ_b coef_b,i · (z_b,i if i is traced else m_i ⊙ φ_b,t)

    the untraced rows one matrix product ``coefᵀ φ_t``, the traced ones a contraction of the ``[B, T, d]`` traces
    (as they were before the step, so they include ``m ⊙ φ_t``). ``coef [B, H]``, ``phi_t [B, d]``. The products run
    at full f32 precision (an accelerator's default may round their inputs to TF32), as the mean of per-agent
    increments does."""
    chex.assert_rank([coef, phi_t, z], [2, 2, 3])
    traced = tuple(traced)
    coef = coef / coef.shape[0]
    untraced = tuple(i for i in range(coef.shape[1]) if i not in traced)
    dw = jnp.zeros((coef.shape[1], phi_t.shape[1]), phi_t.dtype)
    if untraced:
        u = jnp.asarray(untraced)
        dw = dw.at[u].set(jnp.matmul(coef[:, u].T, phi_t, precision=HIGHEST) * heads.read_mask[u])
    if traced:
        t = jnp.asarray(traced)
        dw = dw.at[t].set(jnp.einsum("bt,btd->td", coef[:, t], z, precision=HIGHEST))
    return dw


def td_lambda_shared(w, z, phi_t, phi_tp1, c_t, cont_t, gate_t, heads: HeadParams, traced, gamma_t=None):
    """One online TD(λ) step (accumulating traces) of ``B`` agents that share one ``W``: the Thought Assessors
    of one brain driving ``B`` bodies. The result equals the mean over agents of ``td_lambda_step`` increments,
    without forming an ``[B, H, d]`` increment or keeping traces for heads that do not need them: each agent's
    ``td_lambda_coefs``, then their ``shared_increment``.

    Args:
      w: ``[H, d]`` shared weights.
      z: ``[B, T, d]`` traces of the heads ``traced`` (they include ``m ⊙ φ_t``).
      phi_t, phi_tp1: ``[B, d]`` features of each agent's thought whose outcome is pending, and of its next one.
      c_t, gate_t: ``[B, H]`` cumulants and learning-rate gates; ``cont_t``: ``[B]`` continuation.
      heads: per-head hyperparameters.
      traced: static tuple of head indices with λ > 0 (``traced_heads(heads)``), the rows of ``z``.
      gamma_t: optional ``[B, H]`` per-step discounts in place of ``heads.gamma``.

    Returns:
      ``(dw [H, d], z' [B, T, d], delta [B, H])``.
    """
    chex.assert_rank([w, z, phi_t, phi_tp1, c_t, cont_t, gate_t], [2, 3, 2, 2, 2, 1, 2])
    gamma = jnp.broadcast_to(heads.gamma if gamma_t is None else gamma_t, c_t.shape)

    def one(z, phi_t, phi_tp1, c_t, cont_t, gate_t, gamma_t):
        return td_lambda_coefs(w, TraceState(z, phi_t, jnp.zeros_like(gate_t)), phi_tp1, c_t, cont_t, gate_t, heads,
                               traced, gamma_t)  # fmt: skip

    coef, new, delta = jax.vmap(one)(z, phi_t, phi_tp1, c_t, cont_t, gate_t, gamma)
    return shared_increment(coef, phi_t, z, heads, traced), new.z, delta
