"""``foraging``: a small grid world with food, spiders and spider-like decoys, seen through an egocentric view.

The agent moves (stay, up, down, left, right); stepping onto food eats it (the food reappears elsewhere).
Spiders and decoys wander at random. A spider on the agent's cell bites. The view is a ``(2r+1)²`` window
centred on the agent with four visual channels: ``wall, food, legs, dark``. Spiders show ``legs`` and
``dark``; decoys show only ``legs``, so an innate detector keyed on legs is fooled by decoys while a learned
model can tell them apart. Functional gymnax-style API; the world has no episodes.

References: DESIGN.md §7 (foraging world); 001 §1 (imperfect innate sensory heuristics).
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

CHANNELS = ("wall", "food", "legs", "dark")
WALL, FOOD, LEGS, DARK = range(4)
# stay, up, down, left, right. NumPy, not jnp: importing agi must not start XLA (jax.distributed comes first).
MOVES = np.array([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], np.int32)


def wander(key, pos, params):
    """Critters (spiders, decoys) each move one random step with probability ``params.critter_move_prob``."""
    km, kd = jax.random.split(key)
    moving = jax.random.uniform(km, (pos.shape[0], 1)) < params.critter_move_prob
    step = jnp.asarray(MOVES)[jax.random.randint(kd, (pos.shape[0],), 1, 5)]
    return jnp.clip(pos + moving * step, 0, params.size - 1)


class ForagingParams(NamedTuple):
    size: int = 7
    view_radius: int = 2
    n_food: int = 3
    n_spiders: int = 1
    n_decoys: int = 1
    critter_move_prob: float = 0.3


class ForagingState(NamedTuple):
    agent: jax.Array  # [2] int32
    food: jax.Array  # [n_food, 2]
    spiders: jax.Array  # [n_spiders, 2]
    decoys: jax.Array  # [n_decoys, 2]


class Foraging:
    """The foraging world (gymnax-style: ``reset(key, params)``, ``step(key, state, action, params)``)."""

    num_actions = 5

    def default_params(self) -> ForagingParams:
        return ForagingParams()

    def view_shape(self, params: ForagingParams) -> tuple[int, int, int]:
        v = 2 * params.view_radius + 1
        return (v, v, len(CHANNELS))

    def _cells(self, key, n, params):
        return jax.random.randint(key, (n, 2), 0, params.size)

    def reset(self, key, params: ForagingParams):
        ka, kf, ks, kd = jax.random.split(key, 4)
        state = ForagingState(
            agent=self._cells(ka, 1, params)[0],
            food=self._cells(kf, params.n_food, params),
            spiders=self._cells(ks, params.n_spiders, params),
            decoys=self._cells(kd, params.n_decoys, params),
        )
        return self.observe(state, params), state

    def step(self, key, state: ForagingState, action, params: ForagingParams):
        """Returns ``(view, state, reward=0, terminated=False, truncated=False, info)`` (info: ``ate``, ``bitten``)."""
        kf, ks, kd = jax.random.split(key, 3)
        agent = jnp.clip(state.agent + jnp.asarray(MOVES)[action], 0, params.size - 1)
        eaten = jnp.all(state.food == agent[None, :], axis=-1)  # [n_food]
        food = jnp.where(eaten[:, None], self._cells(kf, params.n_food, params), state.food)
        spiders = wander(ks, state.spiders, params)
        decoys = wander(kd, state.decoys, params)
        bitten = jnp.any(jnp.all(spiders == agent[None, :], axis=-1))
        state = ForagingState(agent, food, spiders, decoys)
        info = {"ate": jnp.any(eaten).astype(jnp.float32), "bitten": bitten.astype(jnp.float32)}
        no = jnp.asarray(False)
        return self.observe(state, params), state, jnp.zeros(()), no, no, info

    def observe(self, state: ForagingState, params: ForagingParams):
        """The egocentric view ``[V, V, C]`` (float32)."""
        r, n = params.view_radius, params.size
        grid = jnp.zeros((n + 2 * r, n + 2 * r, len(CHANNELS)), jnp.float32)
        grid = grid.at[:, :, WALL].set(1.0).at[r : r + n, r : r + n, WALL].set(0.0)
        put = lambda g, pos, ch: g.at[pos[:, 0] + r, pos[:, 1] + r, ch].set(1.0)
        grid = put(grid, state.food, FOOD)
        grid = put(put(grid, state.spiders, LEGS), state.spiders, DARK)
        grid = put(grid, state.decoys, LEGS)
        v = 2 * r + 1
        return jax.lax.dynamic_slice(grid, (state.agent[0], state.agent[1], 0), (v, v, len(CHANNELS)))
