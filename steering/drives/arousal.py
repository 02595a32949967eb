"""Physiological arousal (phasic + tonic) and its interaction with valence.

Arousal:
    innate_t  = clip(a_spider * spider_detected_t + a_bite * bitten_t
                     + oriented_t * (a_orient + a_eye * eye_t + a_size * relu(size_t - 1)), 0, 1)
(eye contact with and size of the body the oriented thought is about)
    phasic_t  = max(innate_t, a_defer * clip(p_arousal_t, 0, 1))     (deferred part: learned importance)
    tonic_t   = decay * tonic_{t-1} + (1 - decay) * phasic_t
    arousal_t = phasic_t + tonic_t
With ``a_defer < 1/2`` the learned loop is contractive: learned arousal extinguishes without innate support.

Arousal × valence ("arousal makes good things better and bad things worse"; "overwhelm"):
    r_t <- (1 + kappa * arousal_t) * r_t - rho * relu(arousal_t - theta_over)   when r_t < theta_pos
logged as its own additive contribution, ``kappa * arousal * r - rho * relu(...) * [r < theta_pos]``.

The social terms (orienting to a conspecific, eye contact, its size; 001 §5.3, §6.1, §6.3) are 0 by default and
read ``oriented``, ``looked_eye_contact``, ``looked_size`` only when their gain is non-zero.

References: 001 §5.3 (phasic arousal), §5.3.1 (general arousal-valence interaction, being overwhelmed).
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from steering.drive import Drive, Head, drive_out, expect, stateless


def make_arousal(a_spider: float, a_bite: float, a_defer: float, decay: float, a_orient: float = 0.0,
                 a_eye: float = 0.0, a_size: float = 0.0) -> Drive:  # fmt: skip
    """Arousal drive. Reads ``spider_detected``, ``bitten`` and the ``arousal`` prediction."""
    social = a_orient != 0 or a_eye != 0 or a_size != 0

    def step(tonic_tm1, senses, predictions):
        innate = a_spider * senses["spider_detected"] + a_bite * senses["bitten"]
        if social:
            size = jax.nn.relu(senses["looked_size"] - 1.0)
            innate = innate + senses["oriented"] * (a_orient + a_eye * senses["looked_eye_contact"] + a_size * size)
        innate = jnp.clip(innate, 0.0, 1.0)
        phasic = jnp.maximum(innate, a_defer * jnp.clip(predictions["arousal"], 0.0, 1.0))
        tonic = decay * tonic_tm1 + (1.0 - decay) * phasic
        return tonic, drive_out(
            signals={"arousal": phasic + tonic},
            diagnostics={"phasic_arousal": phasic, "tonic_arousal": tonic, "innate_arousal": innate},
        )

    # The arousal head predicts one's own arousal: it does not read the interoceptive block of an empathetic
    # simulation, which is about someone else's body (001 footnote 10).
    return Drive("arousal", lambda: jnp.zeros((), jnp.float32), step, ("arousal",), {"arousal": Head(reads="self")})


def arousal_valence(reward, arousal, kappa, rho, theta_over, theta_pos):
    """The additive contribution of the arousal × valence interaction (001 §5.3.1)."""
    overwhelm = rho * jax.nn.relu(arousal - theta_over) * (reward < theta_pos)
    return kappa * arousal * reward - overwhelm


def make_arousal_valence(kappa: float, rho: float, theta_over: float, theta_pos: float) -> Drive:
    """Rescales the reward of the drives before it; must come after them. Reads ``arousal``, ``reward``."""

    def fn(senses, predictions):
        return drive_out(arousal_valence(senses["reward"], senses["arousal"], kappa, rho, theta_over, theta_pos))

    return stateless("arousal_valence", fn)


@dataclass(frozen=True)
class ArousalConfig:
    """``steering.arousal`` (``make_arousal``); the social terms are read only in the social world."""

    a_spider: float = 0.8
    """innate phasic arousal from a detected spider"""
    a_bite: float = 1.0
    """innate phasic arousal from a bite"""
    a_defer: float = 0.3
    """weight of the arousal head's prediction (learned importance); < 0.5 keeps the loop contractive"""
    decay: float = 0.9
    """per-step decay of tonic arousal"""
    a_orient: float = 0.3
    """innate phasic arousal from orienting to a conspecific"""
    a_eye: float = 0.4
    """extra phasic arousal from eye contact while oriented"""
    a_size: float = 0.3
    """extra phasic arousal per unit of the conspecific's size above 1"""

    def validate(self):
        expect(0 <= self.a_defer < 0.5, "a_defer", self.a_defer, "in [0, 0.5) (a contractive learned loop)")
        expect(0 <= self.decay <= 1, "decay", self.decay, "in [0, 1]")


@dataclass(frozen=True)
class ArousalValenceConfig:
    """``steering.arousal_valence`` (``make_arousal_valence``)."""

    kappa: float = 0.5
    """multiplicative gain"""
    rho: float = 0.2
    """"overwhelm" penalty per unit of arousal above theta_over"""
    theta_over: float = 1.0
    """overwhelm threshold"""
    theta_pos: float = 0.1
    """reward above which there is no overwhelm"""
