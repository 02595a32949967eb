"""``train_and_evaluate``: one training run, its random-policy baseline, and the files a run leaves behind.

Writes ``config.json``, ``metrics.jsonl`` (one line per chunk), ``reward.png`` (reward per drive over time),
``summary.json`` and ``checkpoints/`` into the output folder, and returns the summary. A run with checkpoints
can be resumed (``resume=True``) and then ends bit-for-bit where an uninterrupted run would have.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import signal
import threading
from pathlib import Path

import jax
import numpy as np
from tqdm.auto import tqdm

from agi.agent import make_agent
from agi.config import ConfigError, RunConfig
from agi.sharding import env_sharding
from agi.stats import mean_ci
from agi.system import make_system
from train import Checkpointer, CheckpointError, run, state_digest

EDGE = 0.1  # "first" and "last" = the first and last 10% of the run


class _Window:
    """Accumulates per-seed sums of every metric over a range of steps."""

    def __init__(self, lo, hi):
        self.lo, self.hi, self.sums, self.count = lo, hi, {}, 0

    def add(self, start, metrics):
        length = next(iter(metrics.values())).shape[1]
        a, b = max(self.lo, start) - start, min(self.hi, start + length) - start
        if b <= a:
            return
        self.count += b - a
        for k, v in metrics.items():
            self.sums[k] = self.sums.get(k, 0.0) + v[:, a:b].sum(axis=1)

    def mean(self, key):  # per seed
        return self.sums[key] / self.count

    def select(self, index) -> _Window:
        """The same window for a subset of the batch slots (one variant of a merged run)."""
        w = _Window(self.lo, self.hi)
        w.count, w.sums = self.count, {k: np.asarray(v)[index] for k, v in self.sums.items()}
        return w

    def to_json(self):
        return {"lo": self.lo, "hi": self.hi, "count": self.count, "sums": {k: np.asarray(v).tolist() for k, v in
                                                                           self.sums.items()}}  # fmt: skip

    def load(self, d):
        """Restores the accumulators saved by ``to_json``."""
        self.lo, self.hi, self.count = d["lo"], d["hi"], d["count"]
        self.sums = {k: np.asarray(v, np.float32) for k, v in d["sums"].items()}

    def episode_return(self):  # per seed; nan where no episode ended
        n = self.sums.get("episodes")
        if n is None:
            return None
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.sums["episode_return_sum"] / np.maximum(n, 1), np.nan)


class NonFinite(Exception):
    """A non-finite metric or parameter; the run stopped without checkpointing it."""


def _first_non_finite(end, metrics):
    """``(step, name)`` of the earliest non-finite per-step metric in a chunk ending at ``end``, or None."""
    worst = None
    for name, v in metrics.items():
        bad = ~np.isfinite(v).all(axis=0)  # [chunk_len] over seeds
        if bad.any():
            step = end - v.shape[1] + int(np.argmax(bad)) + 1
            worst = min(worst, (step, name)) if worst else (step, name)
    return worst


class Interrupted(Exception):
    """The run was stopped by SIGINT or SIGTERM after saving a checkpoint at ``step``."""

    def __init__(self, step: int, out_dir):
        super().__init__(f"interrupted at step {step:,}; resume with: agi train --resume {out_dir}")
        self.step, self.out_dir = step, out_dir


@contextlib.contextmanager
def _stop_on_signals():
    """SIGINT and SIGTERM set a flag instead of killing the process, so the current chunk finishes and saves."""
    flag = {"stop": False}
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def handler(signum, frame):
        flag["stop"] = True

    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield lambda: flag["stop"]
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def _measure(cfg: RunConfig, *, progress: bool, desc: str, on_chunk=None, checkpoint=None, should_stop=None,
             shard: bool | None = None, num_slots: int | None = None, seed_index=None, init_args=None):  # fmt: skip
    """Trains ``cfg``; ``checkpoint = (Checkpointer, every, host_extra, resume)`` saves and restores the run.

    ``shard``: split the environments over all devices (None: when there are several and they divide
    ``num_envs``; see ``agi.sharding``).
    """
    agent = make_agent(cfg)
    init, step = make_system(agent)
    t = cfg.train
    first, last = _Window(0, math.ceil(EDGE * t.steps)), _Window(t.steps - math.ceil(EDGE * t.steps), t.steps)
    chunk_len = t.steps // t.chunks

    def collect(end, metrics):
        bad = _first_non_finite(end, metrics)
        if bad is not None and checkpoint is not None:
            where = checkpoint[0].directory / str(checkpoint[0].latest_step())
            raise NonFinite(f"non-finite {bad[1]} at step {bad[0]:,}; the last good checkpoint is {where}")
        for w in (first, last):
            w.add(end - chunk_len, metrics)
        if on_chunk is not None:
            on_chunk(end, metrics)

    on_chunk_end = resume = None
    if checkpoint is not None:
        ckpt, every, host_extra, resuming = checkpoint

        def on_chunk_end(end, state):
            leaves = jax.tree_util.tree_leaves_with_path(state.brain)
            bad = [jax.tree_util.keystr(p) for p, x in leaves if not np.isfinite(np.asarray(x)).all()]
            if bad:
                raise NonFinite(f"non-finite parameters brain{bad[0]} after step {end:,}; the last good checkpoint "
                                f"is {ckpt.directory / str(ckpt.latest_step())}")  # fmt: skip
            if end % every == 0 or end == t.steps or (should_stop is not None and should_stop()):
                host = {"step": end, "config": cfg.to_dict(), "first": first.to_json(), "last": last.to_json()}
                ckpt.save(end, state, {**host, **host_extra()})

        if resuming:

            def resume(abstract):
                start, state, host = ckpt.restore(abstract)
                if host.get("config") != json.loads(cfg.to_json()):
                    raise CheckpointError(f"the checkpoint in {ckpt.directory} was written by a different config")
                first.load(host["first"])
                last.load(host["last"])
                return start, state

    result = run(
        init, step, jax.random.PRNGKey(t.seed), num_seeds=num_slots or t.num_seeds, num_steps=t.steps,
        chunk_len=chunk_len, seed_index=seed_index, init_args=init_args,
        on_chunk=collect, on_chunk_end=on_chunk_end, resume=resume, should_stop=should_stop, progress=progress,
        desc=desc, agent_steps_per_step=t.num_envs * agents_per_world(cfg), sharding=env_sharding(t.num_envs, shard),
    )  # fmt: skip
    return agent, result, first, last


def agents_per_world(cfg: RunConfig) -> int:
    """Learning agents per environment (several share one social world)."""
    return cfg.world.n_agents if cfg.world.name == "social" else 1


def random_baseline(cfg: RunConfig) -> RunConfig:
    """The same world, seeds and length with uniformly random plans and no learning."""
    return dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, selection="random", learn=False))


def _stat(x):
    """Mean, Student-t 95% half-width and per-seed values (``agi.stats.mean_ci``)."""
    return mean_ci(x)


def _is_primary() -> bool:
    """True on the process that writes a run's small files (the first one; the only one on a single host)."""
    return jax.process_index() == 0


def train_and_evaluate(
    cfg: RunConfig,
    out_dir,
    *,
    progress: bool = True,
    baseline: bool = True,
    checkpoint_every: int | None = None,
    resume: bool = False,
    shard: bool | None = None,
) -> dict:
    """Trains ``cfg``, measures the random baseline, writes the run's files into ``out_dir``; returns the summary.

    ``checkpoint_every`` (steps, a multiple of the chunk length; default: every chunk) saves the whole state to
    ``out_dir/checkpoints``; ``resume=True`` continues from the latest checkpoint there. ``shard=None`` splits
    the environments over all devices when there are several and they divide ``num_envs``; ``False`` never.
    """
    cfg.validate()
    out = Path(out_dir)
    chunk_len = cfg.train.steps // cfg.train.chunks
    every = checkpoint_every or chunk_len
    if every % chunk_len:
        raise ConfigError(f"checkpoint_every={every} is not a multiple of the chunk length {chunk_len}")
    out.mkdir(parents=True, exist_ok=True)
    # Over several hosts every process trains its share, but only the first writes the run's small files:
    # processes writing one shared folder at once could leave a torn summary.json (checkpoints are orbax's own).
    primary = _is_primary()
    ckpt = Checkpointer(out / "checkpoints")
    history = []
    if resume:
        latest = ckpt.latest_step()
        if latest is None:
            raise CheckpointError(f"no checkpoint to resume in {out / 'checkpoints'}")
        history = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line.strip()]
        history = [row for row in history if row["step"] <= latest]
    elif primary:
        (out / "config.json").write_text(cfg.to_json())
    log = open(out / "metrics.jsonl" if primary else os.devnull, "w")
    for row in history:
        log.write(json.dumps(row) + "\n")

    def on_chunk(end, metrics):
        row = {"step": end, **{k: float(v.mean()) for k, v in metrics.items() if not k.startswith("episode")}}
        if "episodes" in metrics and metrics["episodes"].sum() > 0:
            row["episode_return"] = float(metrics["episode_return_sum"].sum() / metrics["episodes"].sum())
        history.append(row)
        log.write(json.dumps(row) + "\n")
        log.flush()
        if progress:
            tqdm.write(
                f"step {end:>9,}  reward/step {row['reward']:+.4f}"
                + (f"  episode return {row['episode_return']:.1f}" if "episode_return" in row else "")
            )

    try:
        with log, _stop_on_signals() as should_stop:
            agent, result, first, last = _measure(
                cfg, progress=progress, desc="train", on_chunk=on_chunk, checkpoint=(ckpt, every, dict, resume),
                should_stop=should_stop, shard=shard,
            )  # fmt: skip
    finally:
        ckpt.close()
    if result.steps < cfg.train.steps:
        raise Interrupted(result.steps, out)
    t = cfg.train
    agent_steps = t.steps * t.num_envs * t.num_seeds * agents_per_world(cfg)
    summary = {
        "world": cfg.world.name,
        "steps": t.steps,
        "num_seeds": t.num_seeds,
        "num_envs": t.num_envs,
        "agent_steps": agent_steps,
        "compile_seconds": result.compile_seconds,
        "run_seconds": result.run_seconds,
        "agent_steps_per_second": (t.steps - result.start_step)
        * t.num_envs
        * agents_per_world(cfg)
        * t.num_seeds
        / max(result.run_seconds, 1e-9),
        "resumed_from_step": result.start_step,
        "reward_per_step_first": float(first.mean("reward").mean()),
        "reward_per_step_last": float(last.mean("reward").mean()),
        "reward_per_step_last_by_seed": _stat(last.mean("reward")),
        "reward_by_drive": {
            k.split("/", 1)[1]: float(last.mean(k).mean()) for k in last.sums if k.startswith("reward/")
        },
    }
    if agent.world.episodic:
        ret = last.episode_return()
        summary["episode_return_last"] = float(np.nanmean(ret)) if np.isfinite(ret).any() else None
        summary["episode_return_last_by_seed"] = _stat(ret)
    if baseline:
        _, _, _, rlast = _measure(random_baseline(cfg), progress=progress, desc="random baseline", shard=shard)
        summary["random_policy_reward_per_step"] = float(rlast.mean("reward").mean())
        summary["random_policy_reward_per_step_by_seed"] = _stat(rlast.mean("reward"))
        if agent.world.episodic:
            rret = rlast.episode_return()
            summary["random_policy_episode_return"] = float(np.nanmean(rret)) if np.isfinite(rret).any() else None
    if cfg.world.name == "social":
        from agi.social import describe, social_summary

        social = social_summary(last.mean, cfg, _stat)
        social["random_policy"] = social_summary(rlast.mean, cfg, _stat) if baseline else None
        social["learned"] = describe(social, social["random_policy"])
        social["random_policy"] = social["random_policy"] and social["random_policy"]["agents"]
        summary["social"] = social
    final = result.state
    if jax.process_count() > 1:  # the environments are spread over hosts: gather them to hash them
        from jax.experimental import multihost_utils

        final = multihost_utils.process_allgather(final, tiled=True)
    summary["state_digest"] = state_digest(final)
    summary["plots"] = [str(out / "reward.png")]
    if primary:
        plot_rewards(history, out / "reward.png", title=f"{cfg.world.name}: reward per drive",
                     random_reward=summary.get("random_policy_reward_per_step"))  # fmt: skip
        (out / "summary.json").write_text(json.dumps(summary, indent=2))
    return summary


def plot_rewards(history, path, title="", random_reward=None):
    """Reward per agent-step over training, total and per drive (and episode return for episodic worlds)."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    episodic = any("episode_return" in h for h in history)
    fig, axes = plt.subplots(1, 2 if episodic else 1, figsize=(11 if episodic else 7, 4), squeeze=False)
    ax = axes[0, 0]
    ax.plot(steps, [h["reward"] for h in history], color="black", lw=2, label="total")
    for k in sorted(k for k in history[0] if k.startswith("reward/")):
        if not any(h[k] for h in history):
            continue  # drives that only write signals (detectors, gates) add nothing to the picture
        ax.plot(steps, [h[k] for h in history], lw=1, label=k.split("/", 1)[1])
    ax.axhline(0, color="grey", lw=0.5)
    if random_reward is not None:
        ax.axhline(random_reward, color="black", ls="--", lw=1, label="total, random policy")
    ax.set(xlabel="step", ylabel="reward per agent-step", title=title)
    ax.legend(fontsize=8)
    if episodic:
        pts = [(h["step"], h["episode_return"]) for h in history if "episode_return" in h]
        axes[0, 1].plot(*zip(*pts, strict=True), color="tab:blue")
        axes[0, 1].set(xlabel="step", ylabel="episode return", title="episodes ending in each chunk")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def format_summary(s: dict) -> str:
    """A few readable lines for the terminal."""
    lines = [
        f"world {s['world']}: {s['steps']:,} steps x {s['num_envs']} envs x {s['num_seeds']} seeds "
        f"({s['agent_steps_per_second']:,.0f} agent-steps/s, compiled in {s['compile_seconds']:.1f}s)",
        f"reward per agent-step: first 10% {s['reward_per_step_first']:+.4f} -> last 10% "
        f"{s['reward_per_step_last']:+.4f}",
    ]
    if "random_policy_reward_per_step" in s:
        lines.append(f"random policy, same world and length: {s['random_policy_reward_per_step']:+.4f}")
    if s.get("episode_return_last") is not None:
        lines.append(f"episode return, last 10%: {s['episode_return_last']:.1f}")
    lines.append("reward by drive (last 10%): " + ", ".join(f"{k} {v:+.4f}" for k, v in s["reward_by_drive"].items()
                                                              if v != 0))  # fmt: skip
    if "social" in s:
        lines += s["social"]["learned"]
    lines.append("plots: " + ", ".join(s["plots"]))
    return "\n".join(lines)
