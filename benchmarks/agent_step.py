"""Benchmark: whole-agent steps per second (world + Thought Generator + assessors + Steering + learning), and
the same world stepped alone under a random policy (the world's own ceiling on this machine), in one run.

    python benchmarks/agent_step.py [--quick] [--json PATH] [--repeats N]

For ``foraging``, gymnax ``cartpole`` and the ``social`` world (two learners, a friend and a stranger) at their
default presets, with B ∈ {1, 16, 256, 4096} environments sharing one brain (one seed), it times one compiled
chunk of steps (a jitted, donated ``lax.scan``) and reports ``agent_steps_per_s`` (learning agents × steps / s,
median of repeats), the compile time apart, ``world_agent_steps_per_s`` (the world alone: reset once, then
uniformly random actions, no brain) and ``fraction_of_world`` = their ratio, the share of the world's own speed
that the agent keeps.
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np
from common import median_chunk_time, parse_args, write_json

from agi import make_agent, make_system, override, preset
from agi.worlds import random_rollout
from train import make_chunk


def bench(world: str, b: int, steps: int, repeats: int, sets=(), ceiling=True) -> dict:
    """One row: the agent at the default preset of ``world`` (with ``sets`` overrides) and, with ``ceiling``, the
    world alone."""
    cfg = override(preset("default", world), sets)
    cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=b, num_seeds=1))
    agent = make_agent(cfg)
    init, step = make_system(agent)
    state = jax.jit(lambda k: jax.lax.map(init, k))(jax.random.split(jax.random.PRNGKey(0), 1))
    keys = jax.random.split(jax.random.PRNGKey(1), 1)
    t = time.perf_counter()
    chunk = make_chunk(step, steps).lower(state, keys, np.uint32(0)).compile()
    compile_s = time.perf_counter() - t
    sec = median_chunk_time(chunk, state, lambda r: (keys, np.uint32((r + 1) * steps)), repeats)
    n = agent.world.num_agents
    ceiling = world_alone(agent.world, b, steps, repeats) if ceiling else float("nan")
    return {"world": world, "B": b, "steps": steps, "agent_steps_per_s": n * b * steps / sec,
            "steps_per_s": steps / sec, "compile_s": compile_s, "world_agent_steps_per_s": n * b * steps / ceiling,
            "fraction_of_world": ceiling / sec}  # fmt: skip


def world_alone(world, b: int, steps: int, repeats: int) -> float:
    """Median seconds of ``steps`` steps of ``b`` copies of ``world`` under uniformly random actions, no brain
    (a shared world draws neutral expressions and orients nobody)."""
    rollout = jax.vmap(random_rollout(world, steps))
    run = jax.jit(lambda keys: (jax.random.split(keys[0], b), rollout(keys)))
    return median_chunk_time(run, jax.random.split(jax.random.PRNGKey(0), b), lambda r: (), repeats)


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=2, full_repeats=5)
    rows = []
    print(f"{'world':>9} {'B':>5} {'steps':>6} {'agent-steps/s':>14} {'steps/s':>9} {'compile s':>9} "
          f"{'world alone':>12} {'fraction':>8}")  # fmt: skip
    for world in ("foraging", "cartpole", "social"):
        for b in (1, 16, 256, 4096):
            budget = 20_000 if args.quick else 200_000
            steps = max(4, min(500, budget // b))
            r = bench(world, b, steps, repeats)
            rows.append(r)
            print(f"{world:>9} {b:>5} {steps:>6} {r['agent_steps_per_s']:>14,.0f} {r['steps_per_s']:>9,.1f} "
                  f"{r['compile_s']:>9.1f} {r['world_agent_steps_per_s']:>12,.0f} {r['fraction_of_world']:>8.1%}",
                  flush=True)  # fmt: skip
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
