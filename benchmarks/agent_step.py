"""Benchmark: whole-agent steps per second (world + Thought Generator + assessors + Steering + learning).

    python benchmarks/agent_step.py [--quick] [--json PATH] [--repeats N]

For ``foraging`` and gymnax ``cartpole`` at their default presets, with B ∈ {1, 16, 256, 4096} agents sharing one
brain (one seed), it times one compiled chunk of steps (a jitted, donated ``lax.scan``) and reports
``agent_steps_per_s`` (B × steps / s, median of repeats) and the compile time apart.
"""

from __future__ import annotations

import dataclasses
import statistics
import time

import jax
import numpy as np
from common import parse_args, write_json

from agi import make_agent, make_system, preset
from train import make_chunk


def bench(world: str, b: int, steps: int, repeats: int) -> dict:
    cfg = preset("default", world)
    cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=b, num_seeds=1))
    init, step = make_system(make_agent(cfg))
    state = jax.jit(lambda k: jax.lax.map(init, k))(jax.random.split(jax.random.PRNGKey(0), 1))
    keys = jax.random.split(jax.random.PRNGKey(1), 1)
    t = time.perf_counter()
    chunk = make_chunk(step, steps).lower(state, keys, np.uint32(0)).compile()
    compile_s = time.perf_counter() - t
    state, _ = jax.block_until_ready(chunk(state, keys, np.uint32(0)))  # warm-up
    times = []
    for r in range(repeats):
        t = time.perf_counter()
        state, m = chunk(state, keys, np.uint32((r + 1) * steps))
        jax.block_until_ready(m)
        times.append(time.perf_counter() - t)
    sec = statistics.median(times)
    return {"world": world, "B": b, "steps": steps, "agent_steps_per_s": b * steps / sec,
            "steps_per_s": steps / sec, "compile_s": compile_s}  # fmt: skip


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=2, full_repeats=5)
    rows = []
    print(f"{'world':>9} {'B':>5} {'steps':>6} {'agent-steps/s':>14} {'steps/s':>9} {'compile s':>9}")
    for world in ("foraging", "cartpole"):
        for b in (1, 16, 256, 4096):
            budget = 20_000 if args.quick else 200_000
            steps = max(4, min(500, budget // b))
            r = bench(world, b, steps, repeats)
            rows.append(r)
            print(f"{world:>9} {b:>5} {steps:>6} {r['agent_steps_per_s']:>14,.0f} {r['steps_per_s']:>9,.1f} "
                  f"{r['compile_s']:>9.1f}", flush=True)  # fmt: skip
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
