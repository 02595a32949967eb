"""The foraging world: eating, bites, the egocentric view, decoys that look like spiders."""

import chex
import jax
import jax.numpy as jnp
import numpy as np

from agi import override, preset
from agi.worlds import make_world
from agi.worlds.foraging import CHANNELS, Foraging, ForagingParams, ForagingState

P = ForagingParams(size=5, view_radius=1, n_food=1, n_spiders=1, n_decoys=1, critter_move_prob=0.0)
ENV = Foraging()


def _state():
    a = lambda *x: jnp.array(x, jnp.int32)
    return ForagingState(agent=a(2, 2), food=a([2, 3]), spiders=a([0, 0]), decoys=a([1, 2]))


def test_eating_moves_the_food():
    view, s, r, term, trunc, info = ENV.step(jax.random.PRNGKey(0), _state(), 4, P)  # right, onto the food
    assert info["ate"] == 1.0 and info["bitten"] == 0.0
    assert tuple(s.agent) == (2, 3)
    assert not bool(term) and not bool(trunc)


def test_bite():
    s = _state()._replace(spiders=jnp.array([[2, 1]], jnp.int32))
    _, _, _, _, _, info = ENV.step(jax.random.PRNGKey(0), s, 3, P)  # left, onto the spider
    assert info["bitten"] == 1.0


def test_view_channels():
    v = ENV.observe(_state(), P)
    chex.assert_shape(v, (3, 3, len(CHANNELS)))
    legs, dark, food = CHANNELS.index("legs"), CHANNELS.index("dark"), CHANNELS.index("food")
    assert v[0, 1, legs] == 1.0 and v[0, 1, dark] == 0.0  # the decoy above: legs, not dark
    assert v[1, 2, food] == 1.0
    corner = ENV.observe(_state()._replace(agent=jnp.array([0, 0], jnp.int32)), P)
    assert corner[0, 0, CHANNELS.index("wall")] == 1.0
    assert corner[1, 1, legs] == 1.0 and corner[1, 1, dark] == 1.0  # the spider under the agent


def test_world_adapter_jit():
    cfg = override(preset("tiny", "foraging"), ["world.size=5", "world.n_food=1"])
    w = make_world(cfg)
    s, extero, senses = w.reset(jax.random.PRNGKey(0))
    chex.assert_shape(extero, (1, w.extero_dim))
    s, senses, done = jax.jit(w.step)(jax.random.PRNGKey(1), s, jnp.asarray([2]))
    assert set(senses) == {"env_reward", "view", "ate", "bitten"}
    assert all(v.shape[0] == 1 for v in senses.values())
    assert done.shape == (1,) and not bool(done[0])
    s, extero2, oriented = w.observe(s, {}, jnp.zeros((1,)))
    chex.assert_shape(extero2, (1, w.extero_dim))


def test_cartpole_adapter():
    w = make_world(preset("tiny", "cartpole"))
    s, extero, senses = w.reset(jax.random.PRNGKey(0))
    assert w.num_actions == 2 and w.extero_dim == 4 and w.episodic and w.num_agents == 1
    _, senses, done = jax.jit(w.step)(jax.random.PRNGKey(1), s, jnp.asarray([1]))
    np.testing.assert_allclose(senses["env_reward"], [1.0])
