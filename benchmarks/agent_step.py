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
import jax.numpy as jnp
import numpy as np
from common import median_chunk_time, parse_args, write_json

from agi import make_agent, make_system, override, preset
from agi.run import agents_per_world
from agi.worlds import MultiWorld
from train import make_chunk


def bench(world: str, b: int, steps: int, repeats: int, sets=()) -> dict:
    """One row: the agent at the default preset of ``world`` (with ``sets`` overrides) and the world alone."""
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
    n = agents_per_world(cfg)
    ceiling = world_alone(agent.world, b, steps, repeats)
    return {"world": world, "B": b, "steps": steps, "agent_steps_per_s": n * b * steps / sec,
            "steps_per_s": steps / sec, "compile_s": compile_s, "world_agent_steps_per_s": n * b * steps / ceiling,
            "fraction_of_world": ceiling / sec}  # fmt: skip


def world_alone(world, b: int, steps: int, repeats: int) -> float:
    """Median seconds of ``steps`` steps of ``b`` copies of ``world`` under uniformly random actions, no brain
    (for a shared world, the expressions it draws stay neutral and nobody is oriented)."""
    if isinstance(world, MultiWorld):
        n = world.num_agents

        def init(key):
            return world.reset(key)[0]

        def body(state, key):
            ka, ks = jax.random.split(key)
            state, senses = world.step(ks, state, jax.random.randint(ka, (n,), 0, world.num_actions))
            zero = jnp.zeros((n,))
            state, extero, _ = world.render(state, zero, zero, zero)
            return state, extero.sum() + sum(jnp.sum(v) for v in jax.tree.leaves(senses))
    else:

        def init(key):
            return world.reset(key)[1]

        def body(state, key):
            ka, ks = jax.random.split(key)
            extero, state, senses, done = world.step(ks, state, jax.random.randint(ka, (), 0, world.num_actions))
            return state, extero.sum() + done + sum(jnp.sum(v) for v in jax.tree.leaves(senses))

    def run(states, key):
        keys = jax.random.split(key, (steps, b))
        return jax.lax.scan(lambda st, k: jax.vmap(body)(st, k), states, keys)

    states = jax.jit(jax.vmap(init))(jax.random.split(jax.random.PRNGKey(0), b))
    return median_chunk_time(jax.jit(run, donate_argnums=0), states, lambda r: (jax.random.PRNGKey(2 + r),), repeats)


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
