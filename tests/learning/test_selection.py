"""Thought selection: run-and-tumble, softmax, argmax, actor, random; the valence-offset ablation."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from learning import select

KEY = jax.random.PRNGKey(0)


HARD = 1e4  # β → ∞: a hard threshold


def test_run_keeps_a_good_plan():
    i, tumbled = select(KEY, jnp.array([1.0, 2.0, 3.0]), 0.5, "run_and_tumble", beta=HARD)
    assert i == 0 and not tumbled


def test_tumble_takes_first_passing_proposal_else_last():
    i, tumbled = select(KEY, jnp.array([0.0, 0.2, 2.0, 3.0]), 1.0, "run_and_tumble", beta=HARD)
    assert i == 2 and tumbled
    i, _ = select(KEY, jnp.array([0.0, 0.1, 0.2]), 1.0, "run_and_tumble", beta=HARD)
    assert i == 2


def test_tumble_rate_is_a_sigmoid_of_valence():
    v, beta = jnp.array([0.5, 9.0]), 2.0
    idx = jax.vmap(lambda k: select(k, v, 0.0, "run_and_tumble", beta=beta)[0])(jax.random.split(KEY, 4000))
    p_run = 1 / (1 + np.exp(-beta * 0.5))
    np.testing.assert_allclose(np.mean(np.asarray(idx) == 0), p_run, atol=0.03)


def test_negative_valence_offset_makes_everything_tumble():
    v = jnp.array([1.0, 2.0, 3.0])
    assert select(KEY, v, 0.0, "run_and_tumble", beta=HARD)[0] == 0
    i, tumbled = select(KEY, v, 0.0, "run_and_tumble", beta=HARD, valence_offset=-10.0)
    assert i == 2 and tumbled  # depression: no plan passes (002 §5.3)


def test_argmax_and_actor_and_random():
    v = jnp.array([0.0, 5.0, 1.0])
    assert select(KEY, v, 0.0, "argmax")[0] == 1
    assert select(KEY, v, 0.0, "actor")[0] == 1
    a, _ = select(KEY, v, 0.0, "random", num_actions=7)
    assert 0 <= a < 7


def test_softmax_frequencies():
    v = jnp.array([0.0, jnp.log(3.0)])
    idx = jax.vmap(lambda k: select(k, v, 0.0, "softmax", beta=1.0)[0])(jax.random.split(KEY, 4000))
    np.testing.assert_allclose(np.mean(np.asarray(idx)), 0.75, atol=0.03)


def test_jit_and_bad_mode():
    f = jax.jit(lambda k, v: select(k, v, 0.0, "run_and_tumble"))
    assert f(KEY, jnp.zeros(4))[0].shape == ()
    with pytest.raises(ValueError, match="unknown selection mode"):
        select(KEY, jnp.zeros(3), 0.0, "telepathy")
