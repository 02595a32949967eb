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


class MissingSignal(KeyError):
    """A drive read (or logged) a sense or signal that neither the world nor an earlier drive provides."""

    def __init__(self, drive: str, key):
        super().__init__(key)
        self.drive, self.key = drive, key

    def __str__(self):
        return (f"drive {self.drive!r} reads (or logs) {self.key!r}, which neither the world nor an earlier drive "
                f"provides")


class UndeclaredSignal(ValueError):
    """A drive wrote a signal it does not list in ``provides`` (so it would have no assessor head)."""


class DriveContractError(ValueError):
    """A drive's output breaks what Steering needs of it: a non-scalar reward or signal, a state whose structure
    or shapes change from step to step (a scan carries it), or a reserved name written as a signal or
    diagnostic."""


RESERVED = ("reward", "valence")
"""Names no drive may provide or write: ``reward`` is the running total later drives read (``senses["reward"]``),
``valence`` the agent's own head of the total reward."""


def make_steering(drives, body=()) -> SteeringSubsystem:
    """Builds a Steering Subsystem, checking that every entry is a ``Drive`` with settings in range and that
    drive names are unique."""
    drives = tuple(drives)
    for d in drives:
        if not isinstance(d, Drive):
            raise ValueError(f"expected steering.Drive objects, got {type(d).__name__} {d!r:.60}: a drive factory "
                             f"must be called (make_x(config)) to give a Drive")  # fmt: skip
        for signal, head in d.heads.items():
            for k in ("gamma", "lam"):
                v = getattr(head, k)
                if v is not None and not 0 <= v <= 1:
                    raise ValueError(f"drive {d.name!r}: Head({k}={v!r}) for {signal!r} is out of range: expected "
                                     f"in [0, 1]")  # fmt: skip
            if head.alpha is not None and not head.alpha > 0:
                raise ValueError(f"drive {d.name!r}: Head(alpha={head.alpha!r}) for {signal!r}: expected > 0")
        reserved = sorted(set(d.provides) & set(RESERVED))
        if reserved:
            raise ValueError(f"drive {d.name!r} provides {reserved}: reserved names ({', '.join(RESERVED)}: the "
                             f"reward total and its head); name the signal otherwise")  # fmt: skip
    names = [d.name for d in drives]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate drive names: {sorted(dup)} (a drive added by name may share its name with one "
                         f"the world builds in: name yours otherwise)")  # fmt: skip
    owner = {}
    for d in drives:  # a signal written by two drives would silently overwrite the first's for every later reader
        for signal in d.provides:
            if signal in owner:
                raise ValueError(f"drives {owner[signal]!r} and {d.name!r} both provide the signal {signal!r}: a "
                                 f"signal has one writer (and one assessor head); name yours otherwise")  # fmt: skip
            owner[signal] = d.name
    twice = sorted({c for c in body if list(body).count(c) > 1})
    if twice:
        raise ValueError(f"body channels {twice} are listed twice (a drive's body channel may already be the world's)")
    missing = [c for c in body if c not in owner]
    if missing:  # (it would read as a constant 0)
        raise ValueError(f"body channels {missing} are signals no drive provides (provided: {sorted(owner)})")
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
        try:
            new_state[drive.name], out = drive.step(state[drive.name], board, predictions)
        except KeyError as e:
            raise MissingSignal(drive.name, e.args[0] if e.args else None) from None
        undeclared = sorted(set(out.signals) - set(drive.provides))
        if undeclared:  # a signal gets a head only when provided; one written silently would have none
            raise UndeclaredSignal(f"drive {drive.name!r} writes the signals {undeclared} without listing them in its "
                             f"provides={drive.provides}: list them (each then gets an assessor head) or write them "
                             f"as diagnostics")  # fmt: skip
        _check_output(drive, state[drive.name], new_state[drive.name], out)
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


def _check_output(drive: Drive, before, after, out) -> None:
    """Raises ``DriveContractError`` naming the drive where its step's output cannot be carried or summed (checked
    on shapes while tracing: nothing runs per step)."""
    name, shape = drive.name, jnp.shape
    if shape(out.reward) != ():
        raise DriveContractError(f"drive {name!r} returned a reward of shape {shape(out.reward)}; a drive is written "
                                 f"for one body and its reward is a scalar (a sense the world gives as [N, 1] reaches "
                                 f"a drive as [1]: give it as [N])")  # fmt: skip
    for kind, values in (("signal", out.signals), ("gate", out.gates), ("cumulant", out.cumulants),
                         ("discount", out.discounts)):  # fmt: skip
        for k, v in values.items():
            if shape(v) != ():
                raise DriveContractError(
                    f"drive {name!r} wrote the {kind} {k!r} of shape {shape(v)}; one body's {kind}s are scalars "
                    f"(a sense the world gives as [N, 1] reaches a drive as [1]: give it as [N])")
    clash = sorted(set(RESERVED) & (set(out.signals) | set(out.diagnostics)))
    if clash:
        raise DriveContractError(f"drive {name!r} writes {clash} as a signal or diagnostic: reserved names "
                                 f"({', '.join(RESERVED)}: the reward total and its head); rename it")  # fmt: skip
    same = jax.tree.structure(before) == jax.tree.structure(after) and all(
        shape(a) == shape(b) for a, b in zip(jax.tree.leaves(before), jax.tree.leaves(after), strict=True))
    if not same:
        spell = lambda t: jax.tree.map(lambda a: list(shape(a)), t)
        raise DriveContractError(f"drive {name!r}: step returned a state whose structure or shapes differ from "
                                 f"init's (a scan carries it: {spell(before)} became {spell(after)})")  # fmt: skip
