"""Pain: a bite sets pain to 1; it decays geometrically; pain is aversive.

    pain_t = max(decay * pain_{t-1}, bitten_t)
    r_t -= w_pain * pain_t

References: 002 "Big picture" (pain being bad); DESIGN.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from steering.drive import Drive, drive_out, expect


def make_pain(w_pain: float, decay: float, triggers=("bitten",)) -> Drive:
    """Pain drive. Reads the ``triggers`` (default ``bitten``; the social world adds ``threatened``: a threat
    hurts its victim as well as scaring it); provides ``pain``."""

    def step(pain_tm1, senses, predictions):
        hurt = jnp.max(jnp.stack([jnp.asarray(senses[t], jnp.float32) for t in triggers]))
        pain = jnp.maximum(decay * pain_tm1, hurt)
        return pain, drive_out(-w_pain * pain, signals={"pain": pain})

    return Drive("pain", lambda: jnp.zeros((), jnp.float32), step, ("pain",))


@dataclass(frozen=True)
class PainConfig:
    """``steering.pain`` (``make_pain``)."""

    w: float = 1.0
    """cost per unit of pain"""
    decay: float = 0.5
    """per-step decay of pain"""

    def validate(self):
        expect(0 <= self.decay <= 1, "decay", self.decay, "in [0, 1]")
