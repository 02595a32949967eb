"""``agent.anchor``: closed-gate heads held to their outputs under the generator's slowly moving copy (issue 13)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, make_system, override, preset


@pytest.fixture(scope="module")
def warm():
    """Tiny foraging with the anchor on and the hunger head's gate cut; random assessors (so that every head
    says something), a perturbed anchor, and a pending transition of each of 3 copies to learn from."""
    cfg = override(preset("tiny", "foraging"), ["agent.anchor=1", "steering.ablations=cut_gate:hunger",
                                                "train.num_envs=3"])  # fmt: skip
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    for i in range(3):
        s, _ = jax.jit(step)(s, jax.random.PRNGKey(10 + i))
    params = jax.tree.map(lambda x: x[0], s.brain.generator)
    noise = jax.random.split(jax.random.PRNGKey(7), len(jax.tree.leaves(params)))
    anchor = jax.tree.unflatten(jax.tree.structure(params), [
        p + 0.05 * jax.random.normal(k, p.shape, p.dtype) for p, k in zip(jax.tree.leaves(params), noise, strict=True)])
    w = jax.random.normal(jax.random.PRNGKey(8), s.brain.assessors.shape[1:])
    pend = jax.tree.map(lambda x: x[:, 0], s.agents.pending)  # body 0 of every copy
    return agent, params, anchor, w, pend


def _reference(agent, params, anchor, w, pend):
    """The slow obvious anchor loss of one transition: encode and imagine under each set of parameters, then
    a head at a time."""
    g, names = agent.generator, agent.head_names
    outs = []
    for p in (params, anchor):
        h, e = g.apply(p, pend.h_before, pend.a_before, pend.extero, pend.intero, pend.mask, method="encode")
        phi = g.apply(p, h, pend.action[None], e, method="thoughts")[0][0]
        outs.append(np.asarray(agent.features(phi, 1.0 - pend.attending)))
    mask = np.asarray(agent.heads.read_mask)
    total = 0.0
    for i, name in enumerate(names):
        if name == "valence" or float(pend.gates[i]) > 0:
            continue
        wi = np.asarray(w[i]) * mask[i]
        total += (float(wi @ outs[0]) - float(wi @ outs[1])) ** 2
    return total


def test_anchor_loss_against_a_slow_reference(warm):
    agent, params, anchor, w, pend = warm
    g = agent.generator
    hunger = agent.head_names.index("hunger")
    for i in range(pend.action.shape[0]):
        one = jax.tree.map(lambda x, i=i: x[i], pend)
        assert float(one.gates[hunger]) == 0.0 and float(one.gates[0]) == 1.0
        h, e = g.apply(params, one.h_before, one.a_before, one.extero, one.intero, one.mask, method="encode")
        phi = g.apply(params, h, one.action[None], e, method="thoughts")[0][0]
        got = jax.jit(agent.anchor_loss)(params, anchor, w, one, phi)
        chex.assert_shape(got, ())
        ref = _reference(agent, params, anchor, w, one)
        assert ref > 0
        np.testing.assert_allclose(float(got), ref, rtol=1e-4)


def test_anchor_loss_pulls_only_where_a_gate_is_closed(warm):
    """Zero with its gradient at the anchor itself; with every gate open, no loss whatever the anchor."""
    agent, params, anchor, w, pend = warm
    one = jax.tree.map(lambda x: x[0], pend)
    g = agent.generator

    def loss(p, a, pending):
        h, e = g.apply(p, pending.h_before, pending.a_before, pending.extero, pending.intero, pending.mask,
                       method="encode")  # fmt: skip
        phi = g.apply(p, h, pending.action[None], e, method="thoughts")[0][0]
        return agent.anchor_loss(p, a, w, pending, phi)

    at_anchor = jax.grad(loss)(params, params, one)
    assert float(loss(params, params, one)) == 0.0
    assert all(float(jnp.max(jnp.abs(x))) == 0.0 for x in jax.tree.leaves(at_anchor))
    away = jax.grad(loss)(params, anchor, one)
    assert any(float(jnp.max(jnp.abs(x))) > 0.0 for x in jax.tree.leaves(away))
    open_ = one._replace(gates=jnp.ones_like(one.gates))
    assert float(loss(params, anchor, open_)) == 0.0


def test_anchor_is_a_moving_average_of_the_generator_and_off_costs_nothing():
    """With ``anchor_rate`` 0.5 the copy after a step is halfway between the generator before and after it; with
    the anchor off the state carries no copy."""
    base = preset("tiny", "foraging")
    on = override(base, ["agent.anchor=1", "agent.anchor_rate=0.5", "train.num_envs=2"])
    init, step = make_system(make_agent(on))
    s0 = init(jax.random.PRNGKey(0))
    chex.assert_trees_all_equal(s0.anchor, s0.brain.generator)
    s1, metrics = jax.jit(step)(s0, jax.random.PRNGKey(1))
    chex.assert_trees_all_equal_shapes_and_dtypes(s1.anchor, s1.brain.generator)
    chex.assert_trees_all_close(s1.anchor, jax.tree.map(lambda a, b: 0.5 * (a + b), s0.brain.generator,
                                                        s1.brain.generator), rtol=1e-5, atol=1e-7)  # fmt: skip
    assert "anchor_loss" in metrics
    init_off, step_off = make_system(make_agent(base))
    s_off, metrics_off = jax.jit(step_off)(init_off(jax.random.PRNGKey(0)), jax.random.PRNGKey(1))
    assert s_off.anchor == () and "anchor_loss" not in metrics_off


def test_anchor_config_is_validated():
    from agi.config import ConfigError

    with pytest.raises(ConfigError, match="anchor_rate"):
        override(preset("tiny", "foraging"), ["agent.anchor_rate=0"]).validate()
    with pytest.raises(ConfigError, match="anchor"):
        override(preset("tiny", "foraging"), ["agent.anchor=-1"]).validate()
