"""The Steering Subsystem: hand-written drives, no learned weights, no gradients. Imports only jax."""

from steering.ablation import (
    apply_ablation,
    apply_ablations,
    clamp_signal,
    cut_gate,
    drop,
    force_mode,
    knob_names,
    open_gate,
    scale_gain,
)
from steering.drive import READS, Drive, DriveOut, Head, drive_out, running_mean, stateless
from steering.subsystem import (
    DriveContractError,
    MissingSignal,
    SteeringOut,
    SteeringSubsystem,
    UndeclaredSignal,
    init,
    make_steering,
    step,
)

__all__ = [
    "READS",
    "Drive",
    "DriveContractError",
    "DriveOut",
    "Head",
    "MissingSignal",
    "SteeringOut",
    "SteeringSubsystem",
    "UndeclaredSignal",
    "apply_ablation",
    "apply_ablations",
    "clamp_signal",
    "cut_gate",
    "knob_names",
    "open_gate",
    "drive_out",
    "drop",
    "force_mode",
    "init",
    "make_steering",
    "running_mean",
    "scale_gain",
    "stateless",
    "step",
]
