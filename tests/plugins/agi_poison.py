"""A test plugin: the drive ``poison`` makes the reward NaN from its ``at``-th step on (0: never), so the tests
of the NaN guard need no switch in the production config. Register with ``--plugin agi_poison`` and add with
``--set steering.drives=poison --set poison.at=N``."""

from dataclasses import dataclass

import jax.numpy as jnp

import agi
from steering import Drive, drive_out


@dataclass(frozen=True)
class PoisonConfig:
    at: int = 0
    """the reward is NaN from this step on (counted by each agent from its start; 0: never)"""


def make_poison(c: PoisonConfig) -> Drive:
    def step(t, senses, predictions):
        t = t + 1
        bad = (c.at > 0) & (t >= c.at)
        return t, drive_out(reward=jnp.where(bad, jnp.nan, 0.0))

    return Drive("poison", lambda: jnp.zeros((), jnp.int32), step)


agi.register_drive("poison", make=make_poison, config=PoisonConfig)
