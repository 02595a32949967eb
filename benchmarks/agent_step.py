"""Benchmark: whole-agent steps per second (world + Thought Generator + assessors + Steering + learning), and
the same world stepped alone under a random policy (the world's own ceiling on this machine), in one run.

    python benchmarks/agent_step.py [--quick] [--json PATH] [--repeats N]

For ``foraging``, gymnax ``cartpole`` and the ``social`` world (two learners, a friend and a stranger) at their
default presets, with B ∈ {1, 16, 256, 4096} environments sharing one brain (one seed), it times one compiled
chunk of steps (a jitted, donated ``lax.scan``) and reports ``agent_steps_per_s`` (learning agents × steps / s,
median of repeats), the compile time apart, ``world_agent_steps_per_s`` (the world alone: reset once, then
uniformly random actions, no brain) and ``fraction_of_world`` = their ratio, the share of the world's own speed
that the agent keeps.

The compute ceiling, in the same run: ``flops_per_agent_step`` is XLA's count of one step's floating-point
operations (the jitted step's HLO before optimisation, ``Lowered.cost_analysis``) per learning agent,
``gflops_per_s`` what the timed chunk achieved, and ``matmul_gflops`` a large f32 matrix product's rate on this
machine (``common.matmul_gflops``, 2048², measured at the start and the end of the run; the higher counts).
``flop_bound_fraction`` = (matmul_gflops / flops_per_agent_step) / the world alone's agent-steps/s: the most of
the world's speed an agent doing this many FLOPs per step could keep if every FLOP ran at the square-matrix rate,
which the step's small, skinny products do not reach.
"""

from __future__ import annotations

import dataclasses
import time

import jax
import numpy as np
from common import matmul_gflops, median_chunk_time, parse_args, write_json

from agi import make_agent, make_system, override, preset
from agi.worlds import random_rollout
from train import make_chunk


def step_flops(step, state, key) -> float:
    """XLA's count of the floating-point operations of one ``step(state, key)`` (its HLO before optimisation)."""
    cost = jax.jit(step).lower(state, key).cost_analysis()
    return float((cost[0] if isinstance(cost, list) else cost)["flops"])


def bench(world: str, b: int, steps: int, repeats: int, sets=(), ceiling=True, gflops=float("nan")) -> dict:
    """One row: the agent at the default preset of ``world`` (with ``sets`` overrides) and, with ``ceiling``, the
    world alone; ``gflops``: the matrix-product rate measured in the same run (for ``flop_bound_fraction``)."""
    cfg = override(preset("default", world), sets)
    cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=b, num_seeds=1))
    agent = make_agent(cfg)
    init, step = make_system(agent)
    state = jax.jit(lambda k: jax.lax.map(init, k))(jax.random.split(jax.random.PRNGKey(0), 1))
    keys = jax.random.split(jax.random.PRNGKey(1), 1)
    n = agent.world.num_agents
    flops = step_flops(step, jax.tree.map(lambda x: x[0], state), keys[0]) / (n * b)  # (before the state is donated)
    t = time.perf_counter()
    chunk = make_chunk(step, steps).lower(state, keys, np.uint32(0)).compile()
    compile_s = time.perf_counter() - t
    sec = median_chunk_time(chunk, state, lambda r: (keys, np.uint32((r + 1) * steps)), repeats)
    ceiling = world_alone(agent.world, b, steps, repeats) if ceiling else float("nan")
    world_rate = n * b * steps / ceiling
    return {"world": world, "B": b, "steps": steps, "agent_steps_per_s": n * b * steps / sec,
            "steps_per_s": steps / sec, "compile_s": compile_s, "world_agent_steps_per_s": world_rate,
            "fraction_of_world": ceiling / sec, "flops_per_agent_step": flops,
            "gflops_per_s": flops * n * b * steps / sec / 1e9, "matmul_gflops": gflops,
            "flop_bound_fraction": gflops * 1e9 / flops / world_rate}  # fmt: skip


def world_alone(world, b: int, steps: int, repeats: int) -> float:
    """Median seconds of ``steps`` steps of ``b`` copies of ``world`` under uniformly random actions, no brain
    (a shared world draws neutral expressions and orients nobody)."""
    rollout = jax.vmap(random_rollout(world, steps))
    run = jax.jit(lambda keys: (jax.random.split(keys[0], b), rollout(keys)))
    return median_chunk_time(run, jax.random.split(jax.random.PRNGKey(0), b), lambda r: (), repeats)


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=2, full_repeats=5)
    rows = []
    gflops = matmul_gflops(repeats, n=2048)
    print(f"matmul ceiling {gflops:.1f} GFLOP/s (measured again at the end)", flush=True)
    print(f"{'world':>9} {'B':>5} {'steps':>6} {'agent-steps/s':>14} {'steps/s':>9} {'compile s':>9} "
          f"{'world alone':>12} {'fraction':>8} {'MFLOP/ag-step':>13} {'GFLOP/s':>8} {'flop bound':>10}")  # fmt: skip
    for world in ("foraging", "cartpole", "social"):
        for b in (1, 16, 256, 4096):
            budget = 20_000 if args.quick else 200_000
            steps = max(4, min(500, budget // b))
            r = bench(world, b, steps, repeats, gflops=gflops)
            rows.append(r)
            print(f"{world:>9} {b:>5} {steps:>6} {r['agent_steps_per_s']:>14,.0f} {r['steps_per_s']:>9,.1f} "
                  f"{r['compile_s']:>9.1f} {r['world_agent_steps_per_s']:>12,.0f} {r['fraction_of_world']:>8.1%} "
                  f"{r['flops_per_agent_step'] / 1e6:>13.2f} {r['gflops_per_s']:>8.1f} "
                  f"{r['flop_bound_fraction']:>10.1%}",
                  flush=True)  # fmt: skip
    again = matmul_gflops(repeats, n=2048)
    print(f"matmul ceiling at the end {again:.1f} GFLOP/s; flop bound recomputed with the higher of the two")
    for r in rows:  # the ceiling is the best this machine did in the run
        r["matmul_gflops"] = max(gflops, again)
        r["flop_bound_fraction"] = r["matmul_gflops"] * 1e9 / r["flops_per_agent_step"] / r["world_agent_steps_per_s"]
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
