"""Thought selection: which of the candidate plans becomes the action.

Candidates are ``[current plan, K fresh proposals from π(·|h_t)]``. Modes:

- ``run_and_tumble`` (default): keep running the current plan with probability
  ``σ(β · (valence + valence_offset − reference − threshold))``; otherwise tumble to the next fresh proposal,
  which is accepted with the same rule, and so on; the last proposal is taken if none is accepted. Like a
  bacterium's tumble rate, tumbling is stochastic and falls as the signal rises; ``β → ∞`` gives a hard
  threshold.
  The reference is the situation's valence V̄(h_t) (the guess averaged over what the generator proposes), so
  "positive valence" means "this plan is better than what I would usually do here".
- ``softmax``: sample a candidate with probability ∝ exp(β · valence).

``β`` is ``beta`` in both.
- ``argmax``: the candidate with the highest valence guess.
- ``actor``: the first fresh proposal, ignoring valence (the "no thought selection" ablation).
- ``random``: a uniformly random action (the random-policy baseline).

``valence_offset`` shifts every guess; a strongly negative offset means almost every plan tumbles: the
depression ablation (002 §5.3).

References: 002 "Actor-critic RL, valence" (valence as the run-and-tumble control signal), §5.3; DESIGN.md §4.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

MODES = ("run_and_tumble", "softmax", "argmax", "actor", "random")


def select(key, valence, reference, mode, *, threshold=0.0, beta=1.0, valence_offset=0.0, num_actions=None):
    """Chooses a candidate index.

    Args:
      key: PRNG key.
      valence: ``[K+1]`` valence guesses of the candidates (index 0 = current plan).
      reference: ``[]`` the run/tumble reference (the situation valence V̄).
      mode: one of ``MODES`` (static).
      num_actions: for ``random`` mode, the number of actions; its result is then an action, not an index.

    Returns:
      ``(index, tumbled)``: the chosen index in ``[0, K]`` (an action in ``random`` mode) and whether the
      current plan was abandoned.
    """
    v = valence + valence_offset
    k1 = valence.shape[0]
    if mode == "run_and_tumble":
        p_run = jax.nn.sigmoid(beta * (v - reference - threshold))
        accept = jax.random.uniform(key, v.shape) < p_run
        accept = accept.at[-1].set(True)  # the last proposal is taken if nothing else passes
        index = jnp.argmax(accept)  # first accepted candidate
    elif mode == "softmax":
        index = jax.random.categorical(key, beta * v)
    elif mode == "argmax":
        index = jnp.argmax(v)
    elif mode == "actor":
        index = jnp.asarray(min(1, k1 - 1))
    elif mode == "random":
        return jax.random.randint(key, (), 0, num_actions), jnp.asarray(True)
    else:
        raise ValueError(f"unknown selection mode {mode!r}; choose from {MODES}")
    return index, index != 0
