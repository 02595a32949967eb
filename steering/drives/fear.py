"""Fear with override / defer-to-predictor: the "stranger danger" circuit, applied to spiders.

When the innate spider detector fires, the circuit is in *override* mode and the fear ground truth is 1.
Otherwise it *defers to the predictor*: the felt fear is whatever the fear Thought Assessor predicts now, and
the head's training target bootstraps on its own next prediction, both pulled down by safety evidence
(nothing bad has happened for a while):

    override_t = any trigger fires (default: spider_detected_t; the social world adds stranger_close, threatened)
    safety_t   = 1 - exp(-steps_since_bad_t / tau_safe)
    fear_t     = 1                                             if override_t      (felt; the body state)
               = clip(p_fear_t, 0, 1) * (1 - safety_pull * safety_t)   otherwise
    target_t   = 1                                             if override_t      (the head's TD target)
               = (1 - safety_pull * safety_t) * p_fear(φ_{t+1})          otherwise
    r_t       -= w_fear * fear_t

The target is passed to the TD update as cumulant 1 / 0 with a per-step discount 0 / (1 − pull · safety):
in defer mode the head is a long-term predictor of the next override (DESIGN.md §3, 002 "Big picture").

A bite or a detection resets ``steps_since_bad``. Diagnostics ``innate_fear`` (what the innate circuit alone
says) and ``fear_override`` let ablations force either mode.

References: 002 "stranger danger" worked example (first, second and third meeting); DESIGN.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from steering.drive import Drive, drive_out, expect


def make_fear(w_fear: float, tau_safe: float, safety_pull: float, triggers=("spider_detected",)) -> Drive:
    """Fear drive. Reads the ``triggers``, ``bitten`` and the ``fear`` prediction; provides ``fear``."""

    def step(steps_since_bad, senses, predictions):
        detected = jnp.max(jnp.stack([jnp.asarray(senses[t], jnp.float32) for t in triggers]))
        bad = jnp.maximum(detected, senses["bitten"].astype(jnp.float32))
        steps_since_bad = jnp.where(bad > 0, 0.0, steps_since_bad + 1.0)
        safety = 1.0 - jnp.exp(-steps_since_bad / tau_safe)
        deferred = jnp.clip(predictions["fear"], 0.0, 1.0) * (1.0 - safety_pull * safety)
        fear = jnp.where(detected > 0, 1.0, deferred)
        return steps_since_bad, drive_out(
            -w_fear * fear,
            signals={"fear": fear},
            cumulants={"fear": jnp.where(detected > 0, 1.0, 0.0)},
            discounts={"fear": jnp.where(detected > 0, 0.0, 1.0 - safety_pull * safety)},
            diagnostics={"innate_fear": detected, "fear_override": detected, "safety": safety},
        )

    return Drive("fear", lambda: jnp.zeros((), jnp.float32), step, ("fear",))


@dataclass(frozen=True)
class FearConfig:
    """``steering.fear`` (``make_fear``)."""

    w: float = 0.1
    """cost per unit of fear"""
    tau_safe: float = 20.0
    """time constant (steps) of safety evidence (also the familiarity circuit's)"""
    safety_pull: float = 0.5
    """how far full safety evidence pulls the deferred fear target down"""
    stranger_danger: bool = True
    """whether an unfamiliar conspecific close by triggers fear (false removes the trigger, for its control)"""

    def validate(self):
        expect(self.tau_safe > 0, "tau_safe", self.tau_safe, "> 0")
        expect(0 <= self.safety_pull <= 1, "safety_pull", self.safety_pull, "in [0, 1]")
