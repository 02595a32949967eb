"""Everything ``foraging`` needs besides its dynamics: its Steering Subsystem, its checks and its drawing.

References: DESIGN.md §5 (drives), §7 (foraging world).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from agi.worlds.base import from_gymnax
from agi.worlds.foraging.world import CHANNELS, Foraging, ForagingParams
from steering.drives import (
    make_arousal,
    make_arousal_valence,
    make_fear,
    make_homeostasis,
    make_pain,
    make_sensory_heuristics,
)

BODY = ("hunger", "pain", "fear", "arousal", "pleasure")
"""The interoceptive channels of the foraging body, in order."""


def make(cfg):
    params = ForagingParams(**{k: getattr(cfg.world.foraging, k) for k in ForagingParams._fields})
    return from_gymnax("foraging", Foraging(), params, episodic=False, view=True, senses=("ate", "bitten"))


LR = 6e-4
"""The Thought Generator's step size in the foraging world's default preset (issue 13): measured on 8
seeds at the default budget (20k steps x 16 envs), −0.032 ± 0.001 reward per step against −0.041 ± 0.002 at the
generic 3e-4, and −0.050 ± 0.003 against −0.070 ± 0.007 at half that budget (benchmarks/README.md)."""


def preset(name: str, cfg):
    """The generic preset with a larger step size for the Thought Generator (``LR``) in ``default``; ``tiny`` and
    ``large`` (a wider generator, not measured at this step size) are unchanged."""
    if name != "default":
        return cfg
    return dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, lr=LR))


def steering(cfg):
    """The foraging drives, in the order they run (each reads what the ones before it wrote)."""
    s = cfg.steering
    h, a, av = s.homeostasis, s.arousal, s.arousal_valence
    drives = [
        make_sensory_heuristics(CHANNELS.index("legs"), CHANNELS.index("food"), s.detect.radius),
        make_homeostasis(h.w_eat, h.w_hunger, h.rate, h.satiation),
        make_pain(s.pain.w, s.pain.decay),
        make_fear(s.fear.w, s.fear.tau_safe, s.fear.safety_pull),
        make_arousal(a.a_spider, a.a_bite, a.a_defer, a.decay),
        make_arousal_valence(av.kappa, av.rho, av.theta_over, av.theta_pos),
    ]
    return drives, BODY


def check_view(cfg) -> None:
    """The innate detectors look within the view (shared with the social world)."""
    from agi.config import expect

    radius, view = cfg.steering.detect.radius, cfg.world.foraging.view_radius
    expect(radius <= view, "steering.detect.radius", radius, f"<= world.foraging.view_radius={view}")


def grid(cfg, ax) -> None:
    """An empty grid of ``cfg.world.foraging.size`` cells a side (row 0 at the top)."""
    n = cfg.world.foraging.size
    ax.set_facecolor("#f4f1ea")
    for i in range(n + 1):
        ax.plot([-0.5, n - 0.5], [i - 0.5, i - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
        ax.plot([i - 0.5, i - 0.5], [-0.5, n - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
    ax.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), xticks=[], yticks=[], aspect="equal")


def draw(state, cfg, ax) -> None:
    """The grid, the agent and its view window, food, spiders and decoys."""
    from matplotlib.patches import Rectangle

    s, r = state.env, cfg.world.foraging.view_radius
    grid(cfg, ax)
    row, col = np.asarray(s.agent)
    ax.add_patch(Rectangle((col - r - 0.5, row - r - 0.5), 2 * r + 1, 2 * r + 1, fill=False, ls="--", lw=1,
                           ec="tab:blue", zorder=1))  # fmt: skip
    cells = lambda pos: (np.asarray(pos)[:, 1], np.asarray(pos)[:, 0])  # (x, y) = (col, row)
    ax.scatter(*cells(s.food), s=180, marker="o", c="tab:green", label="food", zorder=2)
    ax.scatter(*cells(s.decoys), s=260, marker="*", c="#b9a27a", label="decoy", zorder=3)
    ax.scatter(*cells(s.spiders), s=260, marker="*", c="black", label="spider", zorder=4)
    ax.scatter([col], [row], s=220, marker="o", c="tab:blue", ec="white", label="agent", zorder=5)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=4, fontsize=7, frameon=False,
              markerscale=0.6, handletextpad=0.2)  # fmt: skip


SPEC = dict(make=make, steering=steering, preset=preset, check=check_view, draw=draw,
            description="a grid with food, spiders and decoys, seen through an egocentric view")  # fmt: skip
