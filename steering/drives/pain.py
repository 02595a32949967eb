"""Pain: a bite sets pain to 1; it decays geometrically; pain is aversive.

    pain_t = max(decay * pain_{t-1}, bitten_t)
    r_t -= w_pain * pain_t

References: 002 "Big picture" (pain being bad); DESIGN.md §5.
"""

from __future__ import annotations

import jax.numpy as jnp

from steering.drive import Drive, drive_out


def make_pain(w_pain: float, decay: float) -> Drive:
    """Pain drive. Reads ``senses["bitten"]``; provides ``pain``."""

    def step(pain_tm1, senses, predictions):
        pain = jnp.maximum(decay * pain_tm1, senses["bitten"].astype(jnp.float32))
        return pain, drive_out(-w_pain * pain, signals={"pain": pain})

    return Drive("pain", lambda: jnp.zeros((), jnp.float32), step, ("pain",))
