"""The one-drive Steering Subsystem for external benchmarks: the environment's reward is the innate reward.

    r_t += w * env_reward_t

References: DESIGN.md §7 (gymnax environments run unchanged with a one-drive Steering Subsystem).
"""

from __future__ import annotations

from dataclasses import dataclass

from steering.drive import Drive, drive_out, stateless


def make_env_reward(w: float = 1.0) -> Drive:
    """Reads ``senses["env_reward"]``."""
    return stateless("env_reward", lambda senses, predictions: drive_out(w * senses["env_reward"]))


@dataclass(frozen=True)
class EnvRewardConfig:
    """``steering.env_reward`` (``make_env_reward``)."""

    w: float = 1.0
    """gain on the environment's own reward (gymnax and JaxMARL worlds)"""
