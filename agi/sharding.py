"""Which parts of a run's state are split over devices: the environment axis of the agents and their worlds.

A seed's ``SystemState`` holds one brain shared by ``num_envs`` agents. Every leaf under the fields ``agents``
and ``world`` is ``[seeds, num_envs, ...]`` (seeds vmapped by ``train``, environments by ``agi.system``); those
are split along axis 1 over a 1-D mesh ``"envs"`` of all devices. The brain, the optimiser state and the step
counter are replicated: each device computes its agents' learning signals, and the mean over environments
becomes one all-reduce.

References: DESIGN.md §8 (shard the agent/env axis over all devices).
"""

from __future__ import annotations

import dataclasses
import warnings

import jax

from train.sharding import make_mesh, replicated, split_axis

AXIS = "envs"
ENV_FIELDS = ("agents", "world")
"""Fields of ``SystemState`` whose leaves have the environment axis at position 1 (after the seed axis)."""

_warned = set()


def env_spec(mesh):
    """``spec(abstract_state) -> shardings``: env-axis leaves split over ``mesh``, everything else replicated."""
    rep, split = replicated(mesh), split_axis(mesh, 1)
    n = mesh.devices.size

    def spec(abstract):
        shardings = jax.tree.map(lambda _: rep, abstract)
        parts = {}
        for name in ENV_FIELDS:
            sub = getattr(abstract, name, None)
            if sub is not None:
                parts[name] = jax.tree.map(lambda a: split if a.ndim >= 2 and a.shape[1] % n == 0 else rep, sub)
        if not parts:
            return shardings
        if hasattr(shardings, "_replace"):  # a NamedTuple
            return shardings._replace(**parts)
        return dataclasses.replace(shardings, **parts)

    return spec


def env_sharding(num_envs: int, enabled: bool | None = None):
    """The ``sharding`` argument of ``train.run`` for a run with ``num_envs`` environments per seed, or None.

    ``enabled=None`` (automatic) shards when there is more than one device and ``num_envs`` is a multiple of
    their number, and warns once when it cannot; ``False`` never shards.
    """
    devices = jax.devices()
    if enabled is False or len(devices) == 1:
        return None
    if num_envs % len(devices):
        if num_envs not in _warned:
            _warned.add(num_envs)
            warnings.warn(
                f"train.num_envs={num_envs} is not a multiple of the {len(devices)} devices: the run is not "
                "sharded (it runs on one device)",
                stacklevel=2,
            )
        return None
    return env_spec(make_mesh(AXIS, devices))
