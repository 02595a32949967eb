"""Innate sensory heuristics: hard-wired detectors on the raw egocentric view.

The spider detector is deliberately *imperfect*: it fires on a visual feature ("legs") that spiders share
with harmless decoys, just as the brainstem's skittering-spider heuristic fires on things that merely look
like spiders. The Learning Subsystem can later learn the difference; the innate circuit never does.

References: 001 §1 (Ingredient 1: innate sensory heuristics); DESIGN.md §5.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax.numpy as jnp

from steering.drive import Drive, drive_out, expect, stateless


def make_sensory_heuristics(legs_channel: int, food_channel: int, radius: int) -> Drive:
    """Detectors on ``senses["view"]`` (``[V, V, C]``, agent at the centre).

    Writes diagnostics ``spider_detected`` (1 if any cell within Chebyshev ``radius`` of the centre shows
    legs, decoys included), ``food_in_view`` and passes through ``ate`` / ``bitten`` from the world.
    """

    def fn(senses, predictions):
        view = senses["view"]
        v = view.shape[0]
        c = v // 2
        near = view[c - radius : c + radius + 1, c - radius : c + radius + 1]
        return drive_out(
            diagnostics={
                "spider_detected": jnp.max(near[..., legs_channel]) > 0.5,
                "food_in_view": jnp.max(view[..., food_channel]) > 0.5,
                "ate": senses["ate"],
                "bitten": senses["bitten"],
            }
        )

    return stateless("senses", fn)


@dataclass(frozen=True)
class DetectConfig:
    """``steering.detect``: the innate spider and food detectors."""

    radius: int = 1
    """Chebyshev radius around the agent within which they fire"""

    def validate(self):
        expect(self.radius >= 0, "radius", self.radius, ">= 0")
