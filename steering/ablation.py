"""Ablation as a transformation of a Steering Subsystem: no code change, one config line.

Each function takes a ``SteeringSubsystem`` and returns a new one. ``apply_ablations`` parses the config
strings::

    drop:NAME                 remove drive NAME
    gain:NAME=G               multiply drive NAME's reward contribution by G (0 silences it but keeps its signals)
    gain:NAME=@KNOB           the same with G read at run time from ``senses["knob/KNOB"]`` (so variants that differ
                              only in G can share one compiled program)
    clamp:SIGNAL=V            the signal is V wherever it is produced (later drives that read the signal and the
                              assessor head see V; drives that read the owner's diagnostics, e.g.
                              ``phasic_arousal`` or ``social_reflex``, are not affected)
    cut_gate:SIGNAL           the learning-rate gate of SIGNAL's assessor head is 0 (the head stops learning)
    open_gate:SIGNAL          the gate is 1 always (the head learns on every step: its gating mechanism is removed)
    mode:SIGNAL=override      the ground truth is the innate circuit's value (``innate_SIGNAL``)
    mode:SIGNAL=defer         felt value = the head's prediction; target = its own next prediction (defer)

``clamp`` and ``mode`` change the signal as the rest of the system sees it (later drives, the assessor heads,
the body state); the owning drive's own reward contribution is computed before, from its internal value. To
silence a drive's reward as well, add ``gain:NAME=0``.

References: DESIGN.md §5 ("ablation is a transformation of that composition"); 002 "Big picture"
(defer-to-predictor vs override mode).
"""

from __future__ import annotations

import jax.numpy as jnp

from steering.drive import Drive, DriveOut
from steering.subsystem import SteeringSubsystem


def _owner(steering: SteeringSubsystem, signal: str) -> int:
    for i, d in enumerate(steering.drives):
        if signal in d.provides:
            return i
    known = sorted({s for d in steering.drives for s in d.provides})
    raise ValueError(f"no drive provides signal {signal!r}; known signals: {known}")


def _index(steering: SteeringSubsystem, name: str) -> int:
    if name not in steering.names:
        raise ValueError(f"unknown drive {name!r}; drives: {list(steering.names)}")
    return steering.names.index(name)


def _replace(steering: SteeringSubsystem, i: int, drive: Drive) -> SteeringSubsystem:
    drives = list(steering.drives)
    drives[i] = drive
    return steering._replace(drives=tuple(drives))


def _wrap(drive: Drive, edit) -> Drive:
    """A drive whose output is ``edit(out, predictions)``."""

    def step(state, senses, predictions):
        state, out = drive.step(state, senses, predictions)
        return state, edit(out, predictions)

    return drive._replace(step=step)


def drop(steering: SteeringSubsystem, name: str) -> SteeringSubsystem:
    """Removes drive ``name``."""
    i = _index(steering, name)
    return steering._replace(drives=steering.drives[:i] + steering.drives[i + 1 :])


def scale_gain(steering: SteeringSubsystem, name: str, gain: float | str) -> SteeringSubsystem:
    """Multiplies drive ``name``'s reward contribution by ``gain``, a number or a knob name (``"@KNOB"``: the
    value of ``senses["knob/KNOB"]`` at run time)."""
    i = _index(steering, name)
    if isinstance(gain, str):
        key = f"knob/{gain.removeprefix('@')}"
        drive = steering.drives[i]

        def step(state, senses, predictions):
            state, out = drive.step(state, senses, predictions)
            return state, out._replace(reward=senses[key] * out.reward)

        return _replace(steering, i, drive._replace(step=step))
    return _replace(steering, i, _wrap(steering.drives[i], lambda o, p: o._replace(reward=gain * o.reward)))


def knob_names(specs) -> tuple[str, ...]:
    """The run-time knobs (``@KNOB`` values) that ablation strings refer to, in order."""
    names = []
    for spec in specs:
        value = spec.partition("=")[2]
        if value.startswith("@") and value[1:] not in names:
            names.append(value[1:])
    return tuple(names)


def _set_signal(out: DriveOut, signal: str, value, cumulant, discount) -> DriveOut:
    """``out`` with ``signal``'s felt value and its head's TD cumulant and per-step discount replaced."""
    f = lambda x: jnp.asarray(x, jnp.float32)
    return out._replace(signals={**out.signals, signal: f(value)}, cumulants={**out.cumulants, signal: f(cumulant)},
                        discounts={**out.discounts, signal: f(discount)})  # fmt: skip


def clamp_signal(steering: SteeringSubsystem, signal: str, value: float) -> SteeringSubsystem:
    """Fixes ``signal`` to ``value`` at the drive that produces it (its head is taught V too: no bootstrapping)."""
    i = _owner(steering, signal)
    return _replace(steering, i, _wrap(steering.drives[i], lambda o, p: _set_signal(o, signal, value, value, 0.0)))


def cut_gate(steering: SteeringSubsystem, signal: str) -> SteeringSubsystem:
    """Sets the learning-rate gate of ``signal``'s head to 0."""
    i = _owner(steering, signal)
    zero = jnp.zeros((), jnp.float32)
    return _replace(steering, i, _wrap(steering.drives[i], lambda o, p: o._replace(gates={**o.gates, signal: zero})))


def open_gate(steering: SteeringSubsystem, signal: str) -> SteeringSubsystem:
    """Sets the learning-rate gate of ``signal``'s head to 1 on every step (removes its gating)."""
    i = _owner(steering, signal)
    one = jnp.ones((), jnp.float32)
    return _replace(steering, i, _wrap(steering.drives[i], lambda o, p: o._replace(gates={**o.gates, signal: one})))


def force_mode(steering: SteeringSubsystem, signal: str, mode: str) -> SteeringSubsystem:
    """Forces ``signal``'s ground truth into ``"override"`` (innate value) or ``"defer"`` (own prediction)."""
    if mode not in ("override", "defer"):
        raise ValueError(f"mode must be 'override' or 'defer', got {mode!r}")
    i = _owner(steering, signal)

    def edit(out: DriveOut, predictions) -> DriveOut:
        if mode == "defer":  # felt: the current prediction; target: the head's own next prediction
            return _set_signal(out, signal, predictions[signal], 0.0, 1.0)
        # a drive without a separate innate value is already in override mode
        value = out.diagnostics.get(f"innate_{signal}", out.signals[signal])
        return _set_signal(out, signal, value, value, 0.0)

    return _replace(steering, i, _wrap(steering.drives[i], edit))


def _number(spec: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"ablation {spec!r}: {text!r} is not a number") from None


def apply_ablation(steering: SteeringSubsystem, spec: str) -> SteeringSubsystem:
    """Applies one ablation given as a config string (see the module docstring)."""
    kind, _, arg = spec.partition(":")
    name, eq, value = arg.partition("=")
    if not name:
        raise ValueError(f"ablation {spec!r}: expected KIND:NAME[=VALUE]")
    if kind == "drop" and not eq:
        return drop(steering, name)
    if kind == "gain" and eq:
        return scale_gain(steering, name, value if value.startswith("@") and len(value) > 1 else _number(spec, value))
    if kind == "clamp" and eq:
        return clamp_signal(steering, name, _number(spec, value))
    if kind == "cut_gate" and not eq:
        return cut_gate(steering, name)
    if kind == "open_gate" and not eq:
        return open_gate(steering, name)
    if kind == "mode" and eq:
        return force_mode(steering, name, value)
    raise ValueError(
        f"bad ablation {spec!r}; expected drop:NAME, gain:NAME=G, clamp:SIGNAL=V, cut_gate:SIGNAL, "
        "open_gate:SIGNAL or mode:SIGNAL=override|defer"
    )


def apply_ablations(steering: SteeringSubsystem, specs) -> SteeringSubsystem:
    """Applies ablations in order."""
    for spec in specs:
        steering = apply_ablation(steering, spec)
    return steering
