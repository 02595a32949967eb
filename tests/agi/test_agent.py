"""The whole agent: jit-compatibility and shapes of the step functions, finiteness, no recompilation."""

import dataclasses

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, make_system, make_train, override, preset
from train import make_chunk


@pytest.fixture(scope="module", params=["foraging", "cartpole"])
def setup(request):
    cfg = preset("tiny", request.param)
    agent = make_agent(cfg)
    return cfg, agent


def test_agent_step_shapes(setup):
    cfg, agent = setup
    brain = agent.init_brain(jax.random.PRNGKey(0))
    s = agent.init_state(jax.random.PRNGKey(1))
    s2, learning, metrics = jax.jit(agent.step)(brain, s, jax.random.PRNGKey(2))
    chex.assert_trees_all_equal_shapes_and_dtypes(s, s2)
    chex.assert_trees_all_equal_shapes_and_dtypes(learning.loss_inputs.pending, s.pending)
    chex.assert_shape(learning.assessor_delta, brain.assessors.shape)
    assert brain.assessors.shape == (len(agent.head_names), agent.generator.layout.dim)
    assert all(m.shape == () for m in metrics.values())


def test_one_gradient_of_the_mean_loss_is_the_mean_of_per_agent_gradients(setup):
    """``generator_grads`` takes one backward pass for all agents of a brain; the slow obvious reference takes
    one per agent and averages."""
    cfg, agent = setup
    brain = agent.init_brain(jax.random.PRNGKey(0))
    states = jax.vmap(agent.init_state)(jax.random.split(jax.random.PRNGKey(1), 3))
    step = jax.jit(jax.vmap(agent.step, in_axes=(None, 0, 0)))
    for i in range(3):  # past the first step, so every agent has a transition to learn from
        states, learning, _ = step(brain, states, jax.random.split(jax.random.PRNGKey(10 + i), 3))
    grads, metrics = jax.jit(agent.generator_grads)(brain.generator, brain.assessors, learning.loss_inputs)
    one = lambda i: jax.tree.map(lambda x: x[i], learning.loss_inputs)
    per_agent = [jax.grad(lambda p, i=i: agent._loss(p, brain.assessors, *one(i))[0])(brain.generator)
                 for i in range(3)]  # fmt: skip
    chex.assert_trees_all_close(grads, jax.tree.map(lambda *g: sum(g) / 3, *per_agent), rtol=1e-4, atol=1e-6)
    assert any(float(np.abs(x).max()) > 0 for x in jax.tree.leaves(grads))
    assert set(metrics) >= {"extero_loss", "value_loss"} and all(m.shape == () for m in metrics.values())


def test_heads_follow_the_steering_signals(setup):
    cfg, agent = setup
    expected = ("valence", "hunger", "pleasure", "pain", "fear", "arousal") if cfg.world.name == "foraging" else (
        "valence",)  # fmt: skip
    assert agent.head_names == expected


def test_pending_carries_steerings_per_step_discounts(setup):
    """The fear head's TD discount comes from Steering each step (defer: bootstrap on its next prediction,
    pulled down by safety; override: 0); every other head keeps its configured γ."""
    cfg, agent = setup
    brain = agent.init_brain(jax.random.PRNGKey(0))

    def body(s, k):
        s, _, _ = agent.step(brain, s, k)
        return s, s.pending.discounts

    _, d = jax.jit(lambda s: jax.lax.scan(body, s, jax.random.split(jax.random.PRNGKey(2), 40)))(
        agent.init_state(jax.random.PRNGKey(1)))  # fmt: skip
    d, gamma = np.asarray(d), np.asarray(agent.heads.gamma)
    others = [i for i, n in enumerate(agent.head_names) if n != "fear"]
    np.testing.assert_array_equal(d[:, others], np.broadcast_to(gamma[others], (40, len(others))))
    if "fear" in agent.head_names:
        fear = d[:, agent.head_names.index("fear")]
        assert np.all((fear >= 0) & (fear <= 1)) and np.any(fear > 0.5)  # deferring steps bootstrap


def test_system_many_steps_finite_and_no_recompile(setup):
    cfg, agent = setup
    init, step = make_system(agent)
    chunk = make_chunk(step, 50)
    state = jax.lax.map(init, jax.random.split(jax.random.PRNGKey(0), 2))
    keys = jax.random.split(jax.random.PRNGKey(1), 2)
    state, m1 = chunk(state, keys, 0)
    state, m2 = chunk(state, keys, 50)
    assert chunk._cache_size() == 1  # second chunk reuses the compiled program
    for leaf in jax.tree.leaves(state.brain):
        assert np.all(np.isfinite(leaf))
    chex.assert_shape(m2["reward"], (2, 50))
    assert np.any(np.asarray(state.brain.assessors) != 0)  # the assessors learned something


def test_ablated_head_disappears_and_learn_false_freezes_weights():
    cfg = override(preset("tiny", "foraging"), ["steering.ablations=drop:pain", "agent.learn=false"])
    agent = make_agent(cfg)
    assert "pain" not in agent.head_names
    init, step = make_system(agent)
    s0 = init(jax.random.PRNGKey(0))
    s1, _ = jax.jit(step)(s0, jax.random.PRNGKey(1))
    chex.assert_trees_all_equal(s0.brain, s1.brain)


def test_cut_gate_freezes_that_head_only():
    cfg = override(preset("tiny", "foraging"), ["steering.ablations=cut_gate:fear"])
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    s, _ = jax.lax.scan(step, s, jax.random.split(jax.random.PRNGKey(1), 30))
    w = np.asarray(s.brain.assessors)
    assert np.all(w[agent.head_names.index("fear")] == 0) and np.any(w[agent.head_names.index("hunger")] != 0)


def test_bfloat16_dtype_runs():
    cfg = preset("tiny", "cartpole")
    cfg = dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, dtype="bfloat16"))
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s, m = jax.lax.scan(step, init(jax.random.PRNGKey(0)), jax.random.split(jax.random.PRNGKey(1), 3))
    assert np.all(np.isfinite(np.asarray(m["reward"])))
    assert s.brain.assessors.dtype == jnp.float32
    assert jnp.dtype(cfg.agent.dtype) == jnp.bfloat16


def test_make_train_vmapped_over_seeds():
    cfg = override(preset("tiny", "cartpole"), ["train.steps=20", "train.chunks=1"])
    state, metrics = jax.jit(jax.vmap(make_train(cfg)))(jax.random.split(jax.random.PRNGKey(0), 2))
    chex.assert_shape(metrics["reward"], (2, 20))
    assert state.brain.assessors.shape[0] == 2  # seeds


@pytest.mark.parametrize("sets", [["agent.trace=dutch"], ["agent.assessor_stabilizer=obgd"]])
def test_trace_and_stabilizer_options_run_in_the_agent(sets):
    cfg = override(preset("tiny", "foraging"), sets)
    init, step = make_system(make_agent(cfg))
    s, _ = jax.lax.scan(step, init(jax.random.PRNGKey(0)), jax.random.split(jax.random.PRNGKey(1), 30))
    assert np.all(np.isfinite(np.asarray(s.brain.assessors))) and np.any(np.asarray(s.brain.assessors) != 0)
