"""Pictures of a world and GIF animations of one agent's episode beside strips of its signals.

``render_world(world_name, env_state, world_cfg, ax)`` draws one environment's state (NumPy leaves, one
environment) into a matplotlib axes; ``animate`` turns a sequence of states and per-step signals into a GIF
(matplotlib for the drawing, pillow for the file).
"""

from __future__ import annotations

import os

import numpy as np


def render_world(world_name: str, env_state, world_cfg, ax) -> None:
    """Draws ``env_state`` (one environment, NumPy leaves) of the world ``world_name`` into ``ax``."""
    if world_name == "foraging":
        _foraging(env_state, world_cfg, ax)
    elif world_name == "social":
        _social(env_state, world_cfg, ax)
    elif world_name == "cartpole":
        _cartpole(env_state, ax)
    else:  # another gymnax environment: its state's numbers, as text
        _state_as_text(world_name, env_state, ax)


def _state_as_text(world_name, s, ax) -> None:
    """A world without a drawing of its own: each small leaf of its state, ``name = value``."""
    import jax

    lines = [world_name]
    for path, leaf in jax.tree_util.tree_flatten_with_path(s)[0]:
        x = np.asarray(leaf)
        if x.size <= 8:
            name = ".".join(str(getattr(k, "name", getattr(k, "key", getattr(k, "idx", k)))) for k in path)
            lines.append(f"{name} = {np.array2string(x, precision=3)}")
    ax.axis("off")
    ax.text(0.02, 0.98, "\n".join(lines[:24]), va="top", family="monospace", fontsize=8, transform=ax.transAxes)


def _foraging(s, cfg, ax) -> None:
    """The grid (row 0 at the top), the agent and its view window, food, spiders and decoys."""
    from matplotlib.patches import Rectangle

    n, r = cfg.size, cfg.view_radius
    ax.set_facecolor("#f4f1ea")
    for i in range(n + 1):
        ax.plot([-0.5, n - 0.5], [i - 0.5, i - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
        ax.plot([i - 0.5, i - 0.5], [-0.5, n - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
    row, col = np.asarray(s.agent)
    ax.add_patch(Rectangle((col - r - 0.5, row - r - 0.5), 2 * r + 1, 2 * r + 1, fill=False, ls="--", lw=1,
                           ec="tab:blue", zorder=1))  # fmt: skip
    cells = lambda pos: (np.asarray(pos)[:, 1], np.asarray(pos)[:, 0])  # (x, y) = (col, row)
    ax.scatter(*cells(s.food), s=180, marker="o", c="tab:green", label="food", zorder=2)
    ax.scatter(*cells(s.decoys), s=260, marker="*", c="#b9a27a", label="decoy", zorder=3)
    ax.scatter(*cells(s.spiders), s=260, marker="*", c="black", label="spider", zorder=4)
    ax.scatter([col], [row], s=220, marker="o", c="tab:blue", ec="white", label="agent", zorder=5)
    ax.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), xticks=[], yticks=[], aspect="equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=4, fontsize=7, frameon=False,
              markerscale=0.6, handletextpad=0.2)  # fmt: skip


def _social(s, cfg, ax) -> None:
    """The grid, food, spiders, decoys, and every body: its face (green pleased, red displeased, grey neutral),
    a ring when afraid, an arrow for its facing, a dot when carrying food, its number and kind; learner 0's view
    is the dashed square."""
    from matplotlib.patches import Rectangle

    n, r = cfg.size, cfg.view_radius
    kinds = ["learner"] * cfg.n_agents + list(cfg.characters)
    ax.set_facecolor("#f4f1ea")
    for i in range(n + 1):
        ax.plot([-0.5, n - 0.5], [i - 0.5, i - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
        ax.plot([i - 0.5, i - 0.5], [-0.5, n - 0.5], color="#d8d2c4", lw=0.6, zorder=0)
    pos = np.asarray(s.pos)
    ax.add_patch(Rectangle((pos[0, 1] - r - 0.5, pos[0, 0] - r - 0.5), 2 * r + 1, 2 * r + 1, fill=False, ls="--",
                           lw=1, ec="tab:blue", zorder=1))  # fmt: skip
    cells = lambda p: (np.asarray(p)[:, 1], np.asarray(p)[:, 0])
    ax.scatter(*cells(s.food), s=120, marker="o", c="tab:green", alpha=0.6, zorder=2)
    ax.scatter(*cells(s.decoys), s=220, marker="*", c="#b9a27a", zorder=3)
    ax.scatter(*cells(s.spiders), s=220, marker="*", c="black", zorder=4)
    pleasure, fear, carry, facing = (np.asarray(x) for x in (s.pleasure, s.fear, s.carry, s.facing))
    arrows = {0: (0, -0.35), 1: (0, 0.35), 2: (-0.35, 0), 3: (0.35, 0)}
    for i, ((row, col), kind) in enumerate(zip(pos, kinds, strict=True)):
        face = "tab:green" if pleasure[i] > 0.2 else "tab:red" if pleasure[i] < -0.2 else "#9a9a9a"
        ax.scatter([col], [row], s=420 if kind == "bully" else 300, c=face, ec="tab:blue" if kind == "learner"
                   else "black", lw=2.5 if fear[i] > 0.3 else 1, zorder=5)  # fmt: skip
        dx, dy = arrows[int(facing[i])]
        ax.annotate("", (col + dx, row + dy), (col, row), arrowprops={"arrowstyle": "->", "lw": 1}, zorder=6)
        if carry[i] > 0:
            ax.scatter([col + 0.3], [row - 0.3], s=30, c="tab:green", zorder=7)
        ax.text(col, row + 0.45, f"{i} {kind}", ha="center", va="top", fontsize=6, zorder=7)
    ax.set(xlim=(-0.5, n - 0.5), ylim=(n - 0.5, -0.5), xticks=[], yticks=[], aspect="equal")


def _cartpole(s, ax) -> None:
    """The track (x in [-2.4, 2.4], where the episode ends), the cart at x and the pole at angle theta."""
    from matplotlib.patches import Rectangle

    x, theta = float(np.asarray(s.x)), float(np.asarray(s.theta))
    ax.plot([-2.4, 2.4], [0, 0], color="grey", lw=2)
    for edge in (-2.4, 2.4):
        ax.plot([edge, edge], [-0.1, 0.1], color="tab:red", lw=2)
    ax.add_patch(Rectangle((x - 0.25, 0), 0.5, 0.25, color="tab:blue"))
    top = (x, 0.25)
    ax.plot([top[0], top[0] + np.sin(theta)], [top[1], top[1] + np.cos(theta)], color="#8b5a2b", lw=5,
            solid_capstyle="round")  # fmt: skip
    ax.set(xlim=(-2.6, 2.6), ylim=(-0.4, 1.5), yticks=[], aspect="equal", xlabel="cart position")


def animate(world_name, world_cfg, env_states, strips: dict, path, *, fps: int = 10, progress: bool = True) -> int:
    """Writes a GIF: the world at each step (left) beside the signals in ``strips`` so far (right).

    Args:
      env_states: one environment's states, NumPy leaves ``[T, ...]``.
      strips: ``{label: [T] array}``, one strip each, drawn up to the current step.
    Returns the number of frames.
    """
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt
    from PIL import Image
    from tqdm.auto import tqdm

    num = len(next(iter(strips.values())))
    ts = np.arange(1, num + 1)
    fig = plt.figure(figsize=(9.5, max(4.0, 0.75 * len(strips))), dpi=72)
    grid = fig.add_gridspec(len(strips), 2, width_ratios=(1, 1.2), wspace=0.42, hspace=0.2, left=0.02, right=0.98,
                            top=0.95, bottom=0.08)  # fmt: skip
    ax_world = fig.add_subplot(grid[:, 0])
    lines = []
    for i, (label, y) in enumerate(strips.items()):
        ax = fig.add_subplot(grid[i, 1])
        y = np.asarray(y, np.float64)
        lo, hi = float(np.nanmin(y)), float(np.nanmax(y))
        pad = 0.1 * (hi - lo) or 0.1
        ax.set(xlim=(0.5, num + 0.5), ylim=(lo - pad, hi + pad))
        ax.axhline(0, color="grey", lw=0.4)
        ax.tick_params(labelsize=6)
        ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=7)
        if i < len(strips) - 1:
            ax.set_xticklabels([])
        else:
            ax.set_xlabel("step", fontsize=7)
        lines.append((ax.plot([], [], lw=1.2, color="black" if i == 0 else f"C{i - 1}")[0], y))
    frames = []
    for t in tqdm(range(num), desc="animation", unit="frame", disable=not progress, dynamic_ncols=True):
        ax_world.clear()
        render_world(world_name, _at(env_states, t), world_cfg, ax_world)
        ax_world.set_title(f"{world_name}, step {t + 1}", fontsize=9)
        for line, y in lines:
            line.set_data(ts[: t + 1], y[: t + 1])
        fig.canvas.draw()
        rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())[..., :3])
        frames.append(rgb.convert("P", palette=Image.Palette.ADAPTIVE))
    plt.close(fig)
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=int(1000 / fps), loop=0)
    return len(frames)


def _at(tree, t):
    import jax

    return jax.tree.map(lambda x: np.asarray(x)[t], tree)
