"""``beacon``: N bodies on a grid and one beacon that wanders at random. Each body sees where the beacon is
relative to itself and where it is on the grid; the world reports each body's distance to the beacon as the
sense ``beacon_distance`` (in cells) and rewards nothing itself (``env_reward`` is 0): what is worth doing is a drive's
to say."""

from dataclasses import dataclass

import jax
import jax.numpy as jnp

import agi
from agi import World

MOVES = jnp.asarray([[0, 0], [-1, 0], [1, 0], [0, -1], [0, 1]], jnp.int32)  # stay, up, down, left, right


@dataclass(frozen=True)
class BeaconConfig:
    size: int = 7
    """side of the square grid"""
    speed: float = 0.5
    """per-step probability that the beacon moves one cell"""
    n_agents: int = 1
    """bodies on the grid, each a learner with its own brain"""
    view_radius: int = 0
    """0: each body sees the beacon's offset and its own place; r > 0: only an egocentric (2r+1)² window of
    where the beacon is and where the walls are (the beacon out of sight is not seen at all)"""

    def validate(self):
        if self.size < 2 or self.n_agents < 1 or not 0 <= self.speed <= 1 or self.view_radius < 0:
            raise agi.ConfigError(f"beacon: size >= 2, n_agents >= 1 and speed in [0, 1] (got {self})")


def make_beacon(cfg) -> World:
    c = cfg.section("beacon")
    n, size, r = c.n_agents, c.size, c.view_radius
    cells = jnp.stack(jnp.meshgrid(jnp.arange(-r, r + 1), jnp.arange(-r, r + 1), indexing="ij"), -1)  # [V, V, 2]

    def view(pos, beacon):
        if r == 0:
            rel = (beacon[None] - pos) / (size - 1)  # [N, 2]
            return jnp.concatenate([rel, pos / (size - 1) * 2 - 1], axis=1).astype(jnp.float32)
        at = pos[:, None, None] + cells[None]  # [N, V, V, 2] the cells each body sees
        wall = jnp.any((at < 0) | (at >= size), -1)
        seen = jnp.all(at == beacon[None, None, None], -1)
        return jnp.stack([wall, seen], -1).reshape(n, -1).astype(jnp.float32)

    def senses(pos, beacon):
        dist = jnp.abs(beacon[None] - pos).sum(axis=1)  # in cells
        return {"env_reward": jnp.zeros((n,), jnp.float32), "beacon_distance": dist.astype(jnp.float32)}

    def reset(key):
        kp, kb = jax.random.split(key)
        pos, beacon = jax.random.randint(kp, (n, 2), 0, size), jax.random.randint(kb, (2,), 0, size)
        return (pos, beacon), view(pos, beacon), senses(pos, beacon)

    def step(key, state, actions):
        pos, beacon = state
        km, kd = jax.random.split(key)
        pos = jnp.clip(pos + MOVES[actions], 0, size - 1)
        move = MOVES[jax.random.randint(kd, (), 1, 5)] * (jax.random.uniform(km) < c.speed)
        beacon = jnp.clip(beacon + move, 0, size - 1)
        return (pos, beacon), senses(pos, beacon), jnp.zeros((n,), bool)

    def observe(state, signals, orient):
        return state, view(*state), orient

    return World("beacon", n, 5, 4 if r == 0 else 2 * (2 * r + 1) ** 2, False, reset, step, observe)
