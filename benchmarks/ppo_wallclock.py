"""Benchmark: wall-clock to a mean return of 475 on gymnax CartPole-v1, this agent against PPO, in one run.

    pip install -e '.[ppo]'   # rejax, a maintained JAX PPO (only this script needs it)
    python benchmarks/ppo_wallclock.py [--json PATH] [--seeds N] [--set KEY=VALUE ...]

**PPO**: rejax 0.1.3's PPO with rejax's own tuned CartPole config (its ``configs/gymnax/cartpole.yaml``: 5 envs ×
100 steps per update, 5 epochs of 5 minibatches, learning rate 7.5e-4, gradient clip 0.5, γ 0.99, GAE λ 0.95,
clip 0.2, entropy 0.01, tanh MLPs), 500,000 env-steps per seed, the seeds vmapped in one program. Its curve:
an evaluation every 10,000 env-steps (128 episodes each, actions sampled from the policy, as training does).
Its training time: the same program evaluating once, at the end (rejax always does), timed after a first call
compiled it.

**Agent**: ``agi train --world cartpole`` (its default: 500,000 env-steps per seed, 64 environments), the same
number of seeds, run first and in its own process (so neither holds the other's accelerator memory); its training
time: ``run_seconds`` of ``summary.json`` (compilation excluded). Its curve, measured as PPO's is (since
2026-12-07): the same run again in this process, after PPO's timing, from the saved ``config.json`` (the same
keys, so the same training: checked against the timed run's final brains), stopped every 156 steps × 64
environments = 9,984 env-steps to evaluate its brains with learning frozen on 128 fresh episodes per seed, one
whole episode per environment, actions chosen as training chooses them (``agi.evaluate.episode_returns``),
averaged over seeds and episodes. The earlier curve is reported beside it: the return of the episodes each seed
finishes while training, per chunk of 24,960 env-steps (``metrics.jsonl`` ``per_seed``), which lags the brain
by up to a chunk and an episode and counts the exploring policy's falls.

For each: the first point at which the mean over seeds reaches 475, and the training time to it (the run's
training seconds × the share of its env-steps done by then; both run at a constant rate). ``ratio`` is the
agent's time over PPO's (the issue-14 target: ≤ 2), from the evaluated curves; ``ratio_training_episodes`` the
same from the agent's earlier curve. Compile times are reported beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import common
import jax
import jax.numpy as jnp
import numpy as np

TARGET = 475.0
STEPS = 500_000
EVAL_EVERY = 10_000
EPISODES = 128  # per evaluation point and seed, as PPO's
MAX_EPISODE = 500  # CartPole-v1 truncates there
PPO = dict(env="CartPole-v1", agent_kwargs={"activation": "tanh"}, num_envs=5, num_steps=100, num_epochs=5,
           num_minibatches=5, learning_rate=0.00075, max_grad_norm=0.5, gamma=0.99, gae_lambda=0.95, clip_eps=0.2,
           ent_coef=0.01, vf_coef=0.5, total_timesteps=STEPS)  # fmt: skip


def _or_never(x, none="never"):
    return none if x is None else f"{x:,}" if isinstance(x, int) else f"{x:.2f}"


def _first_reaching(steps, returns):
    hit = np.flatnonzero(np.asarray(returns) >= TARGET)
    return int(steps[hit[0]]) if hit.size else None


class _Done:
    """A gymnax environment whose ``step`` returns ``(obs, state, reward, done, info)``, ``done = terminated or
    truncated``: the gymnax API before 1.0, which rejax 0.1.3 calls (gymnax 1.0 returns terminated and truncated
    apart)."""

    def __init__(self, env):
        self._env = env

    def __getattr__(self, name):  # only for names not set on the wrapper (copy.deepcopy builds it bare)
        if name == "_env":
            raise AttributeError(name)
        return getattr(self._env, name)

    def step(self, key, state, action, params=None):
        obs, state, reward, terminated, truncated, info = self._env.step(key, state, action, params)
        return obs, state, reward, jnp.logical_or(terminated, truncated), info


def ppo(seeds: int) -> dict:
    import gymnax
    from rejax import PPO as Algo

    env, params = gymnax.make(PPO["env"])
    config = {**{k: v for k, v in PPO.items() if k != "env"}, "env": _Done(env), "env_params": params}
    keys = jax.random.split(jax.random.PRNGKey(0), seeds)
    curve_algo = Algo.create(**config, eval_freq=EVAL_EVERY)
    train = jax.jit(jax.vmap(curve_algo.train))
    _, (lengths, returns) = jax.block_until_ready(train(keys))
    mean = np.asarray(returns).mean(axis=(0, 2))  # [seeds, evals, episodes] -> [evals]
    steps = np.arange(mean.size) * EVAL_EVERY  # the first evaluation is before any training
    timed = jax.jit(jax.vmap(Algo.create(**config, eval_freq=STEPS, skip_initial_evaluation=True).train))
    t = time.perf_counter()
    jax.block_until_ready(timed(keys))
    compile_and_run = time.perf_counter() - t
    t = time.perf_counter()
    jax.block_until_ready(timed(keys))
    run = time.perf_counter() - t
    return {"curve_steps": steps.tolist(), "curve_return": mean.tolist(), "run_seconds": run,
            "compile_seconds": compile_and_run - run, "final_return": float(mean[-1])}  # fmt: skip


def agent(seeds: int, sets=()) -> tuple:
    """The timed run, ``agi train`` in its own process: ``(row, its folder)`` (a ``TemporaryDirectory``)."""
    folder = tempfile.TemporaryDirectory()
    out = Path(folder.name) / "run"
    cmd = [sys.executable, "-m", "agi.cli", "train", "--world", "cartpole", "--seeds", str(seeds),
           "--no-baseline", "--quiet", "--out", str(out), *(x for s in sets for x in ("--set", s))]  # fmt: skip
    # No compile cache: the printed compile time is a compile, as PPO's is.
    env = {**os.environ, "XLA_PYTHON_CLIENT_PREALLOCATE": "false", "AGI_COMPILE_CACHE": "off"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"agi train failed ({done.returncode}):\n{done.stderr[-3000:]}")
    summary = json.loads((out / "summary.json").read_text())
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    per_step = summary["num_envs"]
    steps = np.asarray([r["step"] * per_step for r in rows])
    per_seed = np.asarray([r["per_seed"]["episode_return"] for r in rows], np.float64)  # [chunks, seeds]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a chunk in which a seed finished no episode: nan
        mean = np.nanmean(per_seed, axis=1)
    row = {"training_curve_steps": steps.tolist(), "training_curve_return": mean.tolist(),
           "run_seconds": summary["run_seconds"], "compile_seconds": summary["compile_seconds"],
           "final_training_return": summary["episode_return_last"]}  # fmt: skip
    return row, folder


def with_evaluated_curve(row: dict, folder) -> dict:
    """``row`` with the agent's evaluated curve (``evaluated_curve``) and whether its run ended with the timed
    run's brains (``same_training``); removes the timed run's ``folder``."""
    from agi.evaluate import load_run

    with folder:
        cfg, _, timed = load_run(Path(folder.name) / "run")  # its config and its brains at the end
    steps, returns, final = evaluated_curve(cfg)
    pairs = zip(jax.tree.leaves(timed.brain), jax.tree.leaves(final.brain), strict=True)
    same = all(np.allclose(a, b, rtol=1e-4, atol=1e-5) for a, b in pairs)
    return {"curve_steps": steps, "curve_return": returns, **row, "final_return": returns[-1], "same_training": same}


def evaluated_curve(cfg) -> tuple[list, list, object]:
    """The agent's run ``cfg`` trained again in this process, its brains evaluated every ~``EVAL_EVERY``
    env-steps per seed: ``(env-steps, mean return over seeds and EPISODES fresh episodes, final state)``."""
    from agi.assemble import make_agent
    from agi.evaluate import episode_returns
    from agi.system import make_system
    from train.loop import run

    t = cfg.train
    chunk = max(n for n in range(1, t.steps + 1) if t.steps % n == 0 and n * t.num_envs <= EVAL_EVERY)
    init, step = make_system(make_agent(cfg))
    evaluate = episode_returns(cfg, EPISODES, MAX_EPISODE)
    key = jax.random.fold_in(jax.random.PRNGKey(t.seed), 0xE7A1)  # not the training run's keys
    steps, returns = [], []

    def point(end, state, _seconds):
        steps.append(end * t.num_envs)
        returns.append(float(np.nanmean(evaluate(state, jax.random.fold_in(key, end)))))

    result = run(init, step, jax.random.PRNGKey(t.seed), num_seeds=t.num_seeds, num_steps=t.steps, chunk_len=chunk,
                 on_chunk_end=point, progress=False)  # fmt: skip
    return steps, returns, result.state


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", type=Path)
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE",
                   help="an override of the agent's cartpole preset (repeatable), e.g. agent.hidden=32")  # fmt: skip
    args = p.parse_args(argv)
    rows = {"agent_sets": args.sets}
    timed = agent(args.seeds, args.sets)
    ppo_row = ppo(args.seeds)
    # The agent's evaluated curve is computed last, so nothing of it (programs, memory) can slow PPO's timing.
    for name, r in (("agent", with_evaluated_curve(*timed)), ("ppo", ppo_row)):
        r["total_steps"] = total = r["curve_steps"][-1] if name == "agent" else STEPS
        curves = [("", "curve")] + ([("_training_episodes", "training_curve")] if name == "agent" else [])
        for suffix, curve in curves:
            reach = _first_reaching(np.asarray(r[f"{curve}_steps"]), r[f"{curve}_return"])
            r["steps_to_target" + suffix] = reach
            r["seconds_to_target" + suffix] = None if reach is None else r["run_seconds"] * reach / total
        rows[name] = r
        also = f" (training episodes: {_or_never(r['steps_to_target_training_episodes'])})" if name == "agent" else ""
        if name == "agent" and not r["same_training"]:
            print("  (the evaluated run's brains differ from the timed run's at the end)")
        print(f"{name:>6}: reaches {TARGET:.0f} at {_or_never(r['steps_to_target'])} env-steps per seed{also}; "
              f"training {r['run_seconds']:.1f} s for {total:,} (compile {r['compile_seconds']:.1f} s); "
              f"time to {TARGET:.0f}: {r['seconds_to_target'] or float('nan'):.1f} s; last return "
              f"{r['final_return']:.1f}")  # fmt: skip
    b = rows["ppo"]["seconds_to_target"]
    for suffix in ("", "_training_episodes"):
        a = rows["agent"]["seconds_to_target" + suffix]
        rows["ratio" + suffix] = None if a is None or b is None else a / b
    print(f"agent / PPO wall-clock to {TARGET:.0f}: {_or_never(rows['ratio'], 'n/a')} (the agent's training "
          f"episodes: {_or_never(rows['ratio_training_episodes'], 'n/a')})")  # fmt: skip
    common.write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
