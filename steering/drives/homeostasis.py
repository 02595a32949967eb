"""Homeostasis: hunger rises every step and falls when eating; eating when hungry is rewarding.

    hunger_t = clip(hunger_{t-1} + rate - satiation * ate_t, 0, 1)
    pleasure_t = hunger_{t-1} * ate_t                       (sensory pleasure of eating)
    r_t += w_eat * hunger_{t-1} * ate_t - w_hunger * hunger_t

References: 002 "Big picture" (innate drives such as eating-when-hungry being good); DESIGN.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from steering.drive import Drive, drive_out, expect


def make_homeostasis(w_eat: float, w_hunger: float, rate: float, satiation: float, init_hunger=0.5,
                     pleasure: bool = True) -> Drive:  # fmt: skip
    """Hunger drive. Reads ``senses["ate"]``; provides ``hunger`` and, unless ``pleasure=False`` (where a mood
    drive owns pleasure), ``pleasure``."""

    def init():
        return jnp.asarray(init_hunger, jnp.float32)

    def step(hunger_tm1, senses, predictions):
        ate = senses["ate"].astype(jnp.float32)
        hunger = jnp.clip(hunger_tm1 + rate - satiation * ate, 0.0, 1.0)
        eating = hunger_tm1 * ate
        reward = w_eat * eating - w_hunger * hunger
        signals = {"hunger": hunger, "pleasure": eating} if pleasure else {"hunger": hunger}
        return hunger, drive_out(reward, signals=signals, diagnostics={"eating_pleasure": eating})

    return Drive("homeostasis", init, step, ("hunger", "pleasure") if pleasure else ("hunger",))


@dataclass(frozen=True)
class HomeostasisConfig:
    """``steering.homeostasis``: hunger (``make_homeostasis``)."""

    w_eat: float = 2.0
    """reward for eating, times hunger"""
    w_hunger: float = 0.2
    """cost of hunger per step"""
    rate: float = 0.02
    """hunger increase per step"""
    satiation: float = 0.5
    """hunger decrease per food eaten"""

    def validate(self):
        for k in ("rate", "satiation"):
            expect(0 <= getattr(self, k) <= 1, k, getattr(self, k), "in [0, 1]")
