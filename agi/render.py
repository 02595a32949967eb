"""Pictures of a world and GIF animations of one agent's episode beside strips of its signals.

``render_world(cfg, env_state, ax)`` draws one copy of the world's state (NumPy leaves) into a matplotlib axes
with the world's registered drawing; ``animate`` turns a sequence of states and per-step signals into a GIF
(matplotlib for the drawing, pillow for the file).
"""

from __future__ import annotations

import os

import numpy as np


def render_world(cfg, env_state, ax) -> None:
    """Draws ``env_state`` (one copy of the world ``cfg.world.name``, NumPy leaves) into ``ax``, with the world's
    own drawing (``WorldSpec.draw``) or, for a world without one, its state's numbers as text."""
    from agi.registry import world_spec

    draw = world_spec(cfg.world.name).draw
    if draw is not None:
        draw(env_state, cfg, ax)
    else:
        _state_as_text(cfg.world.name, env_state, ax)


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


def animate(cfg, env_states, strips: dict, path, *, fps: int = 10, progress: bool = True) -> int:
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
        render_world(cfg, _at(env_states, t), ax_world)
        ax_world.set_title(f"{cfg.world.name}, step {t + 1}", fontsize=9)
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
