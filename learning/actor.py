"""The actor: policy gradient on the Thought Generator's proposal head, with the valence TD error as advantage.

    A_t  = r_t + γ · cont_t · V̄(h_{t+1}) − V̄(h_t),      V̄(h) = Σ_a π(a|h) · p_valence(φ(h, a))
    L_pi = −sg(A_t) · log π(a_t | h_t) − β_H · H(π(·|h_t))

``V̄`` is the valence of the situation (the valence head's guess averaged over the plans the generator would
propose), so ``A_t`` is the usual one-step advantage estimate.

With ``agent.actor_lam = λ > 0`` the proposal head's output layer also learns through an eligibility trace
(the backward view of actor-critic(λ)): ``z_t = γλ z_{t−1} + ∇ log π(a_t|h_t)`` and the layer moves along
``A_t · z_t``. The loss's own policy-gradient term supplies the newest ``∇ log π`` (through the whole network);
``head_trace_loss`` adds the older ones, ``advance_head_trace`` keeps them. Only the last layer is traced:
it is linear in its parameters, so its ``∇ log π`` is an outer product known without a backward pass.

References: Sutton & Barto (2018) §13.5 (one-step actor-critic), §13.6 (actor-critic with eligibility traces);
Elsayed, Vasan & Mahmood (2024) (streaming AC(λ)); 002 "Big picture" (actor-critic RL).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp


def policy_gradient_loss(logits, action, advantage, entropy_coef):
    """Returns ``(loss, metrics)`` for one agent. ``logits [A]``, ``action []`` int, ``advantage []``."""
    logp = jax.nn.log_softmax(logits)
    entropy = -jnp.sum(jnp.exp(logp) * logp)
    pg = -jax.lax.stop_gradient(advantage) * logp[action]
    return pg - entropy_coef * entropy, {"policy_loss": pg, "entropy": entropy}


def expected_policy_loss(logits, q, entropy_coef):
    """All-actions ("mean actor-critic") loss: ``−Σ_a π(a) · sg(q_a − V̄) − β_H · H(π)``.

    The proposal head learns to propose the plans the valence head rates highly, whichever plan was selected.
    References: Allen et al. (2017), "Mean Actor Critic".
    """
    logp = jax.nn.log_softmax(logits)
    p = jnp.exp(logp)
    entropy = -jnp.sum(p * logp)
    adv = jax.lax.stop_gradient(q - jnp.sum(p * q))
    pg = -jnp.sum(p * adv)
    return pg - entropy_coef * entropy, {"policy_loss": pg, "entropy": entropy}


def situation_valence(logits, q):
    """``V̄ = Σ_a π(a) q_a`` for ``logits [A]`` and per-action valence guesses ``q [A]``."""
    return jnp.sum(jax.nn.softmax(logits) * q)


def head_log_policy_grad(features, logits, action):
    """``∇ log π(action)`` with respect to a linear output layer ``logits = features @ kernel + bias``:
    ``{"kernel": features ⊗ (e_a − π) [F, A], "bias": e_a − π [A]}``."""
    centred = jax.nn.one_hot(action, logits.shape[-1], dtype=logits.dtype) - jax.nn.softmax(logits)
    return {"kernel": jnp.outer(features, centred), "bias": centred}


def advance_head_trace(older, grad, on_policy, decay, cont):
    """The next step's ``older`` trace: ``decay · (older + on_policy · grad) · cont``, with ``older`` the trace
    of the transitions before the one just learned from (``Σ_k decay^{t−k} ∇ log π(a_k|h_k)`` for k < t) and
    ``grad`` that transition's ``∇ log π``; ``cont = 0`` at an episode's end starts the next one afresh."""
    return jax.tree.map(lambda z, g: decay * (z + on_policy * g) * cont, older, grad)


def head_trace_loss(head_params, older, advantage):
    """``−sg(A) · ⟨sg(older), head_params⟩``: its gradient, ``−A · older``, is the older transitions' part of the
    trace update (the newest one's comes from ``policy_gradient_loss``)."""
    sg = jax.lax.stop_gradient
    inner = sum(jnp.sum(sg(z) * w) for z, w in zip(jax.tree.leaves(older), jax.tree.leaves(head_params), strict=True))
    return -sg(advantage) * inner
