"""Composition of drives into a Steering Subsystem.

Drives run in a fixed order; each sees the senses plus every signal and diagnostic written by the drives
before it, and the reward accumulated so far (``senses["reward"]``), so that e.g. the arousal × valence drive
can rescale the reward of the drives before it while still being logged as its own additive contribution.
The total reward is the sum of the named contributions (DESIGN.md §5: every contribution logged separately).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from steering.drive import Drive, Predictions, Senses


class SteeringSubsystem(NamedTuple):
    """An ordered composition of drives.

    Attributes:
      drives: the drives, run in order.
      body: names of the body-state signals that form the interoceptive vector, in order.
    """

    drives: tuple[Drive, ...]
    body: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.drives)


class SteeringOut(NamedTuple):
    """What Steering hands to the Learning Subsystem and to the logs for one step."""

    reward: jax.Array  # []
    reward_by_drive: dict[str, jax.Array]  # name -> []
    signals: dict[str, jax.Array]  # ground truths, name -> []
    gates: dict[str, jax.Array]  # name -> [] in [0, 1]
    interoception: jax.Array  # [len(body)] body state, the Thought Generator's interoceptive input
    attention_mask: jax.Array  # [len(body)] 1 = attend to that interoceptive channel
    diagnostics: dict[str, jax.Array]
    cumulants: dict[str, jax.Array] = {}  # TD cumulants that differ from the signal (defer mode); never mutated
    discounts: dict[str, jax.Array] = {}  # per-step discounts on a head's next prediction (defer / override)


def make_steering(drives, body=()) -> SteeringSubsystem:
    """Builds a Steering Subsystem, checking drive names are unique."""
    drives = tuple(drives)
    names = [d.name for d in drives]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate drive names: {sorted(dup)}")
    return SteeringSubsystem(drives, tuple(body))


def init(steering: SteeringSubsystem) -> dict[str, Any]:
    """The Steering state: one entry per drive."""
    return {d.name: d.init() for d in steering.drives}


def step(steering: SteeringSubsystem, state: dict[str, Any], senses: Senses, predictions: Predictions):
    """Runs every drive once. Returns ``(state, SteeringOut)``; pure, jit-safe, written for one agent."""
    board = dict(senses)
    board["reward"] = jnp.zeros((), jnp.float32)
    new_state, by_drive, signals, gates, diags, cumulants, discounts = {}, {}, {}, {}, {}, {}, {}
    for drive in steering.drives:
        new_state[drive.name], out = drive.step(state[drive.name], board, predictions)
        by_drive[drive.name] = out.reward
        signals.update(out.signals)
        gates.update(out.gates)
        cumulants.update(out.cumulants)
        discounts.update(out.discounts)
        diags.update(out.diagnostics)
        board.update(out.diagnostics)
        board.update(out.signals)
        board["reward"] = board["reward"] + out.reward
    mask = diags.pop("attention_mask", None)
    n = len(steering.body)
    intero = jnp.stack([signals.get(k, jnp.zeros(())) for k in steering.body]) if n else jnp.zeros((0,))
    mask = jnp.ones((n,), jnp.float32) if mask is None else jnp.broadcast_to(mask, (n,))
    return new_state, SteeringOut(board["reward"], by_drive, signals, gates, intero, mask, diags, cumulants, discounts)
