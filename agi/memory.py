"""A memory estimate made before any work: a run too big for its device is refused in a second, with one line,
instead of failing after minutes of compiling.

The estimate counts what the run must hold at once: the training state twice (the chunk's input and its
output; the input is donated, but XLA may need both while it writes), and the chunk's metrics (one float per
metric, step and seed). Temporaries inside a step are not counted, so the estimate is a lower bound: a refusal
is certain, a pass is not a promise.
"""

from __future__ import annotations

import jax
import numpy as np

from agi.config import ConfigError, RunConfig


def _bytes(tree) -> int:
    return sum(int(np.prod(x.shape)) * np.dtype(x.dtype).itemsize for x in jax.tree.leaves(tree)
               if hasattr(x, "shape") and not jax.dtypes.issubdtype(x.dtype, jax.dtypes.prng_key))  # fmt: skip


def estimate_bytes(cfg: RunConfig, init, step) -> int:
    """Bytes the run holds at once (see the module docstring), from abstract shapes only: nothing is computed."""
    t = cfg.train
    keys = jax.ShapeDtypeStruct((t.num_seeds, 2), np.uint32)
    state = jax.eval_shape(lambda k: jax.vmap(init)(jax.random.wrap_key_data(k)), keys)
    one = jax.eval_shape(lambda k: init(jax.random.wrap_key_data(k)), jax.ShapeDtypeStruct((2,), np.uint32))
    _, metrics = jax.eval_shape(step, one, jax.random.PRNGKey(0))
    chunk_len = t.steps // t.chunks
    return 2 * _bytes(state) + len(metrics) * chunk_len * t.num_seeds * 4


def available_bytes() -> int | None:
    """Free memory of the first device: the accelerator's limit less what is in use, or the host's available
    RAM for a CPU; None when it cannot be told."""
    d = jax.devices()[0]
    stats = d.memory_stats() if hasattr(d, "memory_stats") else None
    if stats and "bytes_limit" in stats:
        return int(stats["bytes_limit"]) - int(stats.get("bytes_in_use", 0))
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def check_memory(cfg: RunConfig, init, step, devices: int = 1) -> None:
    """``ConfigError`` when the estimate, split over ``devices``, exceeds the first device's free memory."""
    need = estimate_bytes(cfg, init, step) / max(devices, 1)
    free = available_bytes()
    if free is not None and need > free:
        gib = 2**30
        raise ConfigError(f"the run needs at least {need / gib:,.1f} GiB on {jax.devices()[0].platform} but "
                          f"{free / gib:,.1f} GiB is free; use fewer train.num_envs or train.num_seeds, a smaller "
                          "agent.hidden/agent.latent, or more train.chunks")  # fmt: skip
