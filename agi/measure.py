"""``measure(cfg) -> Measurement``: run a config's system in compiled chunks and keep what it measured.

The one place a run is trained and measured: ``agi train`` (``agi.run``), ``agi eval`` (learning frozen, from a
trained state), ``agi ablate`` and ``agi experiment`` (several variants as batch slots of one program) all call
it, and ``summarize`` builds the part of their summaries they share (reward, reward per drive, episode return,
per seed with intervals). What a world measures besides is its own (``WorldSpec.summary``/``behaviour``).

References: DESIGN.md §8 (runs), §9 (ablations and experiments).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import NamedTuple

import jax
import numpy as np

from agi.agent import Agent
from agi.assemble import assessor_metrics, build_steering, head_names, make_agent
from agi.config import RunConfig, normalised
from agi.metrics import AGENT, Declared, LayoutError, Window, first_non_finite
from agi.registry import world_spec
from agi.sharding import env_sharding
from agi.stats import mean_ci
from agi.system import make_system
from train import CheckpointError, RunResult, compile_chunk, in_background, program, run

EDGE = 0.1
"""``first`` and ``last`` are the first and last 10% of a run's steps."""


class NonFinite(Exception):
    """A non-finite metric or parameter; the run stopped without checkpointing it."""


class Measurement(NamedTuple):
    agent: Agent
    result: RunResult  # the final state, timings, and how far the run got
    first: Window  # the first ``edge`` of the steps
    last: Window  # the last ``edge`` of the steps
    timing: dict  # seconds and steps of every session of the run (a resumed run adds to the saved ones)


def declared(cfg: RunConfig) -> Declared:
    """How a run's metrics reduce (``agi.metrics``): the agent's declarations (its assessors' errors included)
    and its world's; what ``make_agent(cfg).declared`` holds, without building the agent."""
    spec = world_spec(cfg.world.name)
    return AGENT | assessor_metrics(head_names(build_steering(cfg, spec))) | spec.metrics


def windows(agent: Agent, steps: int, edge: float = EDGE, start: int = 0, saved: dict | None = None):
    """``(first, last)`` windows of a ``steps``-step run; on a resume (``start`` > 0) the saved last window if it
    ends where this run ends, else (an extended run) a fresh one that starts no earlier than ``start``."""
    first = Window(0, math.ceil(edge * steps), agent.declared)
    last = Window(max(steps - math.ceil(edge * steps), start), steps, agent.declared)
    if saved is not None and saved["hi"] == steps:
        last.load(saved)
    return first, last


def measure(
    cfg: RunConfig,
    *,
    progress: bool = True,
    desc: str = "train",
    on_chunk: Callable[[int, dict], None] | None = None,
    checkpoint=None,
    should_stop: Callable[[], bool] | None = None,
    shard: bool | None = None,
    num_slots: int | None = None,
    seed_index=None,
    init_args=None,
    start: Callable | None = None,
    key=None,
    edge: float = EDGE,
    same_program: Callable[[dict, dict], list[str]] | None = None,
    compiled: Callable | None = None,
) -> Measurement:
    """Runs ``cfg.train.steps`` steps of ``cfg``'s system for every seed and measures the first and last
    ``edge`` of them.

    ``on_chunk(end, metrics)`` sees every chunk's metrics (``{name: [slots, chunk_len, *shape]}``) after they
    are checked finite (``NonFinite`` otherwise). ``checkpoint = (Checkpointer, every, resume)`` saves the run
    every ``every`` steps and, with ``resume``, continues it (the saved config must be the same program by
    ``same_program``). ``start(abstract, init) -> (step, state)`` instead begins from a given state (``agi
    eval``: trained brains, learning frozen; ``init`` is the system's own). ``num_slots``, ``seed_index`` and
    ``init_args`` run several variants as batch slots (``agi.ablate``); ``key`` replaces
    ``PRNGKey(train.seed)``; ``shard`` splits the environments over the devices (None: when there are several
    and they divide ``num_envs``). ``compiled``: ``compile_ahead``'s ``wait`` for the same arguments (the
    program compiled while something else ran).
    """
    agent = make_agent(cfg)
    init, step = make_system(agent)
    t = cfg.train
    first, last = windows(agent, t.steps, edge)
    chunk_len = t.steps // t.chunks
    timing = {"run_seconds": 0.0, "steps_run": 0, "compile_seconds": None}
    before = dict(timing)

    def where():
        latest = checkpoint[0].latest_step() if checkpoint is not None else None
        return (f"; the last good checkpoint is {checkpoint[0].directory / str(latest)} (a resume is deterministic "
                "and meets it again: change the config, e.g. a smaller step size, in a new run)" if latest is not None
                else "; no checkpoint was saved before it")  # fmt: skip

    def collect(end, metrics):
        bad = first_non_finite(end, metrics)
        if bad is not None:
            n, which = len(next(iter(metrics.values()))), ", ".join(map(str, bad[2]))
            raise NonFinite(f"non-finite {bad[1]} at step {bad[0]:,} (seed slot {which} of 0–{n - 1})" + where())
        for w in (first, last):
            w.add(end - chunk_len, metrics)
        if on_chunk is not None:
            on_chunk(end, metrics)

    on_chunk_end, resume, start_step = None, None, [0]
    if start is not None:
        resume = lambda abstract: start(abstract, init)
    if checkpoint is not None:
        ckpt, every, resuming = checkpoint

        def on_chunk_end(end, state, run_seconds):
            leaves = jax.tree_util.tree_leaves_with_path(state.brain)
            bad = [jax.tree_util.keystr(p) for p, x in leaves if not np.isfinite(np.asarray(x)).all()]
            if bad:
                raise NonFinite(f"non-finite parameters brain{bad[0]} after step {end:,}" + where())
            timing["run_seconds"] = before["run_seconds"] + run_seconds
            timing["steps_run"] = before["steps_run"] + end - start_step[0]
            if end % every == 0 or end == t.steps or (should_stop is not None and should_stop()):
                host = {"step": end, "config": cfg.to_dict(), "first": first.to_json(), "last": last.to_json(),
                        "timing": timing}  # fmt: skip
                ckpt.save(end, state, host)

        if resuming:

            def resume(abstract):
                nonlocal first, last
                at, state, host = ckpt.restore(abstract, adapt=agent.adapt_checkpoint)
                try:
                    saved = normalised(host["config"]) or {"config": "unreadable"}
                    changed = same_program(saved, json.loads(cfg.to_json())) if same_program else []
                    if changed:
                        raise CheckpointError(f"the checkpoint in {ckpt.directory} was written by a different "
                                              f"config ({', '.join(changed[:4])} differ)")  # fmt: skip
                    first, last = windows(agent, t.steps, edge, at, host["last"])
                    first.load(host["first"])
                except LayoutError as e:
                    raise CheckpointError(f"checkpoint {ckpt.directory}/{at} was written by an earlier version ({e}); "
                                          "start a new run") from None
                except (KeyError, TypeError, AttributeError) as e:
                    raise CheckpointError(f"checkpoint {ckpt.directory}/{at} lacks its bookkeeping "
                                          f"({type(e).__name__}: {e}); resume from an earlier one by removing "
                                          "this folder") from None  # fmt: skip
                before.update(host.get("timing") or {})
                timing.update(before)
                start_step[0] = at
                return at, state

    result = run(
        init, step, **_slots(cfg, num_slots, seed_index, init_args, shard, key), num_steps=t.steps,
        chunk_len=chunk_len, on_chunk=collect, on_chunk_end=on_chunk_end, resume=resume, should_stop=should_stop,
        progress=progress, desc=desc, agent_steps_per_step=t.num_envs * agent.world.num_agents, compiled=compiled,
    )  # fmt: skip
    if checkpoint is None:
        timing.update(run_seconds=result.run_seconds, steps_run=result.steps - result.start_step)
    timing["compile_seconds"] = timing["compile_seconds"] or result.compile_seconds
    return Measurement(agent, result, first, last, timing)


def _slots(cfg: RunConfig, num_slots=None, seed_index=None, init_args=None, shard=None, key=None) -> dict:
    """``train.run``'s description of the batch slots of a ``measure`` call with these arguments."""
    t = cfg.train
    return dict(key=jax.random.PRNGKey(t.seed) if key is None else key, num_seeds=num_slots or t.num_seeds,
                seed_index=seed_index, init_args=init_args, sharding=env_sharding(t.num_envs, shard))  # fmt: skip


def compile_ahead(cfg: RunConfig, *, num_slots=None, seed_index=None, init_args=None, shard=None, key=None):
    """Starts compiling, in a background thread, the program that ``measure(cfg, ...)`` with the same arguments
    will run, and returns ``wait()`` to pass it as ``compiled`` (``train.compile_ahead``): a suite compiles its
    next program while the current one runs. Everything, building the agent included, happens in that thread, so
    an error reaches whoever waits for the program, not the run beside it."""

    def build():
        init, step = make_system(make_agent(cfg))
        slots = _slots(cfg, num_slots, seed_index, init_args, shard, key)
        return compile_chunk(step, cfg.train.steps // cfg.train.chunks, program(init, slots.pop("key"), **slots))

    return in_background(build)


def summarize(window: Window, episodic: bool, suffix: str = "") -> dict:
    """The part of a summary every command shares, from one window: ``reward_per_step{suffix}`` (mean over
    seeds, and ``…_by_seed`` with its interval), ``reward_by_drive``, and in an episodic world
    ``episode_return{suffix}`` likewise (None where no episode ended)."""
    reward = window.per_seed("reward")
    out = {
        f"reward_per_step{suffix}": float(reward.mean()),
        f"reward_per_step{suffix}_by_seed": mean_ci(reward),
        "reward_by_drive": {k.split("/", 1)[1]: float(window.per_seed(k).mean()) for k in window.names()
                            if k.startswith("reward/")},  # fmt: skip
    }
    if episodic:
        ret = window.per_seed("episode_return")
        out[f"episode_return{suffix}"] = float(np.nanmean(ret)) if np.isfinite(ret).any() else None
        out[f"episode_return{suffix}_by_seed"] = mean_ci(ret)
    return out


def behaviour(window: Window, cfg: RunConfig) -> dict[str, np.ndarray]:
    """Per-seed behavioural measures over a window, what ``agi ablate`` and ``agi experiment`` compare: reward,
    reward by drive, the drives' signals and logged diagnostics (what a drive's ablation did to the body state it
    measures: its reward row only says it was silenced), episode return where episodes end, and the world's own
    (``WorldSpec.behaviour``)."""
    out = {"reward_per_step": window.per_seed("reward")}
    out.update({k: window.per_seed(k) for k in sorted(window.names())
                if k.startswith(("reward/", "signal/", "diagnostic/"))})  # fmt: skip
    if "episodes" in window.sums:
        out["episode_return"] = window.per_seed("episode_return")
    spec = world_spec(cfg.world.name)
    if spec.behaviour is not None:
        out.update(spec.behaviour(window, cfg))
    return out
