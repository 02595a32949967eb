"""``nearness``: an innate reward for being near the beacon. It provides the signal ``near`` (1 within
``radius`` cells), whose Thought Assessor head is a long-term predictor with its own discount: the head
settings are the drive's to declare, not the agent's."""

from dataclasses import dataclass

from steering import Drive, Head, drive_out


@dataclass(frozen=True)
class NearnessConfig:
    gain: float = 1.0
    """reward per step spent near the beacon"""
    radius: int = 1
    """near = at most this many cells away (Manhattan)"""


def make_nearness(c: NearnessConfig) -> Drive:
    def step(state, senses, predictions):
        near = senses["beacon_distance"] <= c.radius
        return state, drive_out(reward=c.gain * near, signals={"near": near},
                                diagnostics={"distance": senses["beacon_distance"]})

    return Drive("nearness", lambda: (), step, ("near",), {"near": Head(gamma=0.8, lam=0.5)}, log=("distance",))
