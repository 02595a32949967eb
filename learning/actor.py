"""The actor: policy gradient on the Thought Generator's proposal head, with the valence TD error as advantage.

    A_t  = r_t + γ · cont_t · V̄(h_{t+1}) − V̄(h_t),      V̄(h) = Σ_a π(a|h) · p_valence(φ(h, a))
    L_pi = −sg(A_t) · log π(a_t | h_t) − β_H · H(π(·|h_t))

``V̄`` is the valence of the situation (the valence head's guess averaged over the plans the generator would
propose), so ``A_t`` is the usual one-step advantage estimate.

References: Sutton & Barto (2018) §13.5 (one-step actor-critic); 002 "Big picture" (actor-critic RL).
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
