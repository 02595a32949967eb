"""``agi eval``: a trained run's agents with learning frozen: summary statistics and a GIF of one episode.

``evaluate(run_dir)`` restores the latest checkpoint of a run written by ``agi train`` and builds the system
from the run's own config with ``agent.learn=False`` (the state has the same structure; the brain and the
optimiser state are the checkpoint's and stay unchanged). Every agent starts afresh in a new world (a new
episode), or, with ``keep_state=True`` (``--keep-state``), goes on from where training left it: its memory,
traces, Steering's running estimates (the friend/enemy values, the hedonic baseline) and its world. It runs
for ``steps`` steps, or, in episodic worlds, until every seed has finished ``episodes`` episodes. It writes
``eval.json`` (reward per step, reward by drive, episode return, as ``summary.json`` does for training) and
``episode.gif``: seed 0, environment 0, the world beside strips of its valence guess, arousal and each
drive's reward over time. The episode return over the episodes that end within the run counts a failing
policy's many short episodes more often than its long ones; episodic worlds (agents started afresh) also get
``fresh_episodes``: the return of one whole episode in each of ``episodes`` fresh environments per seed
(``episode_returns``), as RL baselines are evaluated.

References: DESIGN.md §8; issue 6 ("looking at a trained agent").
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from agi.assemble import make_agent
from agi.config import ConfigError, RunConfig, load_config, normalised
from agi.measure import measure, summarize
from agi.run import same_program
from agi.rundir import write_json
from agi.system import make_system
from agi.worlds import make_world
from train import Checkpointer, CheckpointError
from train.sharding import with_shardings

CHUNK = 100
"""Steps per compiled chunk of the evaluation (the progress bar moves by this much)."""
STEPS = 1000
"""Default evaluation length of a world without episodes."""
MAX_EPISODIC_STEPS = 10_000
"""Default cap on the evaluation of an episodic world while it collects ``episodes`` per seed."""
GIF_STEPS, GIF_EPISODE_STEPS = 200, 500
"""Default animation lengths: steps of a world without episodes; the cap on one episode."""


class Evaluation(NamedTuple):
    summary: dict
    state: Any  # the final SystemState of the frozen run: [seeds, ...] leaves, brain as restored


def _restore_latest(directory: Path, abstract, tries: int = 3, adapt=None):
    """``Checkpointer.restore`` of the latest checkpoint; a run still training may prune the one being read (it
    keeps the last few), and then the new latest is read instead."""
    for attempt in range(tries):
        ckpt = Checkpointer(directory)
        latest = ckpt.latest_step()
        try:
            return ckpt.restore(abstract, adapt=adapt)
        except (CheckpointError, OSError):
            if attempt + 1 == tries or latest is None or (directory / str(latest)).exists():
                raise  # a checkpoint that is there and unreadable
        finally:
            ckpt.close()


def load_run(run_dir) -> tuple[RunConfig, int, Any]:
    """``(config, step, state)`` of the latest checkpoint of the run in ``run_dir`` (on this process's first device).

    Raises ConfigError (no such run, unreadable config) or CheckpointError (no or bad checkpoint).
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ConfigError(f"--run {run_dir}: no such folder")
    if not (run_dir / "config.json").exists():
        raise ConfigError(f"--run {run_dir}: no config.json there (not a folder written by agi train)")
    cfg = load_config(run_dir / "config.json", f"--run {run_dir}")
    directory = run_dir / "checkpoints"
    if not directory.is_dir() or not any(p.name.isdigit() for p in directory.iterdir()):
        raise CheckpointError(f"no checkpoint in {directory}")
    agent = make_agent(cfg)
    init, _ = make_system(agent)
    keys = jax.random.split(jax.random.PRNGKey(0), cfg.train.num_seeds)
    abstract = jax.eval_shape(lambda k: jax.lax.map(init, k), keys)
    step, state, host = _restore_latest(directory, with_shardings(abstract), adapt=agent.adapt_checkpoint)
    saved = normalised(host.get("config"))
    changed = ["the whole config"] if saved is None else same_program(saved, cfg.to_dict())
    if changed:  # the run's length may differ: an extension interrupted before its next checkpoint
        raise CheckpointError(f"the checkpoint in {directory} was written by a different config than config.json "
                              f"({', '.join(changed[:4])} differ)")  # fmt: skip
    return cfg, step, state


def frozen(cfg: RunConfig, **train) -> RunConfig:
    """The same run with learning off (``agent.learn=False``) and ``train`` fields replaced."""
    return dataclasses.replace(
        cfg,
        agent=dataclasses.replace(cfg.agent, learn=False),
        train=dataclasses.replace(cfg.train, **train),
    )


def _with_brain(fresh, trained):
    """``fresh`` agents and worlds under ``trained``'s brain, optimiser state, step counter and anchor copy."""
    return fresh._replace(brain=trained.brain, opt_state=trained.opt_state, step=trained.step, anchor=trained.anchor)


def start_state(fresh, trained, keep_state: bool):
    """Where an evaluation starts: ``trained`` as it is (``keep_state``), else ``fresh`` agents and worlds under
    its brain. With ``keep_state``, a ``fresh`` state with fewer environments (the animation's one) takes the
    first of ``trained``'s environments."""
    if not keep_state:
        return _with_brain(fresh, trained)
    envs = jax.tree.leaves(fresh.agents)[0].shape[0]
    first = lambda tree: jax.tree.map(lambda x: x[:envs], tree)
    # (the kept encoding's residuals are sized for the trained copies, and a frozen brain never reads them)
    return trained._replace(agents=first(trained.agents), world=first(trained.world), encoding=fresh.encoding)


def evaluate(
    run_dir,
    out_dir=None,
    *,
    episodes: int = 10,
    steps: int | None = None,
    gif_steps: int | None = None,
    gif: bool = True,
    progress: bool = True,
    shard: bool | None = None,
    keep_state: bool = False,
) -> Evaluation:
    """Runs the trained agents of ``run_dir`` with learning frozen; writes ``eval.json`` and ``episode.gif``.

    ``out_dir`` defaults to ``run_dir/eval``. ``steps`` (default 1000) is the length of the run in a world
    without episodes and a cap (default 10,000) in an episodic one, which stops once every seed has finished
    ``episodes`` episodes. ``gif_steps`` is the animation's length (default 200; episodic: one episode, at
    most 500 steps). ``keep_state`` continues the trained agents and worlds instead of starting them afresh.
    Returns the summary and the final state.
    """
    for name, value in (("episodes", episodes), ("steps", steps), ("gif_steps", gif_steps)):
        if value is not None and value < 1:
            raise ConfigError(f"--{name.replace('_', '-')}={value} is out of range: expected >= 1")
    cfg, ckpt_step, trained = load_run(run_dir)
    out = Path(out_dir) if out_dir is not None else Path(run_dir) / "eval"
    episodic = make_world(cfg).episodic  # the agent itself is built once, by measure
    steps = steps or (MAX_EPISODIC_STEPS if episodic else STEPS)
    chunk_len = min(CHUNK, steps)
    num_steps = math.ceil(steps / chunk_len) * chunk_len
    fcfg = frozen(cfg, steps=num_steps, chunks=num_steps // chunk_len)
    t = fcfg.train
    key = jax.random.fold_in(jax.random.PRNGKey(t.seed), 0xE7A1)  # not the training run's keys
    k_fresh, k_run, k_gif = jax.random.split(key, 3)
    ended = np.zeros(t.num_seeds)  # episodes ended per seed so far

    def fresh_state(abstract, init):
        fresh = jax.jit(lambda k: jax.lax.map(init, k))(jax.random.split(k_fresh, t.num_seeds))
        return 0, start_state(fresh, jax.tree.map(jnp.copy, trained), keep_state)  # copies: the run donates

    def count(end, metrics):
        if "episodes" in metrics:
            ended[:] += metrics["episodes"].reshape(t.num_seeds, -1).sum(axis=1)

    from agi.run import Interrupted, stop_on_signals

    with stop_on_signals() as interrupted:
        m = measure(fcfg, progress=progress, desc="eval", on_chunk=count, start=fresh_state, key=k_run, edge=1.0,
                    shard=shard, should_stop=lambda: (episodic and ended.min() >= episodes) or interrupted())
        stopped = interrupted()
    agent, result, window = m.agent, m.result, m.last

    per_step = t.num_envs * t.num_seeds * agent.world.num_agents
    summary = {
        "run": str(run_dir),
        "world": cfg.world.name,
        "checkpoint_step": ckpt_step,
        "learning": "frozen",
        "agents": "continued from the checkpoint" if keep_state else "fresh",
        "steps": result.steps,
        "num_seeds": t.num_seeds,
        "num_envs": t.num_envs,
        "agent_steps": result.steps * per_step,
        "agent_steps_per_second": result.steps * per_step / max(result.run_seconds, 1e-9),
        **summarize(window, episodic),
    }
    if episodic:
        summary["episodes"] = int(ended.sum())
    if episodic and not stopped and not keep_state:  # the unbiased figure: one whole episode per environment
        fresh = episode_returns(cfg, episodes, steps)(trained, jax.random.fold_in(key, 1))  # [seeds, episodes, N]
        finished = fresh[np.isfinite(fresh)]
        summary["fresh_episodes"] = {
            "per_seed": episodes,
            "return": float(finished.mean()) if finished.size else None,
            "return_by_seed": [float(r[np.isfinite(r)].mean()) if np.isfinite(r).any() else None for r in fresh],
            "unfinished": int(fresh.size - finished.size),
        }
    out.mkdir(parents=True, exist_ok=True)
    if stopped:
        summary["interrupted"] = True
        write_json(out / "eval.json", summary)
        raise Interrupted(f"eval interrupted after {result.steps:,} steps; what it measured is in {out / 'eval.json'}")
    if gif:
        length = gif_steps or (GIF_EPISODE_STEPS if episodic else GIF_STEPS)
        env_states, metrics = record(fcfg, trained, k_gif, length, keep_state)
        if episodic:  # one episode: up to its end (the state after the end is already the next episode's start)
            ends = np.flatnonzero(metrics["episodes"] > 0)
            keep = max(int(ends[0]), 1) if ends.size else length
            env_states = jax.tree.map(lambda x: x[:keep], env_states)
            metrics = {k: v[:keep] for k, v in metrics.items()}
        from agi.render import animate

        path = out / "episode.gif"
        frames = animate(cfg, env_states, strips(metrics), path, progress=progress)
        summary["animation"] = str(path)
        summary["animation_frames"] = frames
    write_json(out / "eval.json", summary)
    return Evaluation(summary, result.state)


def record(cfg: RunConfig, trained, key, num_steps: int, keep_state: bool = False):
    """One environment of seed 0 run for ``num_steps`` steps with the system's own step and no learning
    (``keep_state``: its first environment as training left it, else a fresh one).

    The system is built for one environment (``train.num_envs=1``), so its per-step metrics are that
    environment's own. Returns ``(env_states, metrics)``: the environment's state after each step (NumPy
    leaves ``[T, ...]``) and ``{name: [T]}`` (averaged over the world's bodies).
    """
    one = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=1))
    init, step = make_system(make_agent(frozen(one)))
    seed0 = jax.tree.map(lambda x: x[0], trained)

    @jax.jit
    def roll(key):
        k_init, k_run = jax.random.split(key)
        state = start_state(init(k_init), seed0, keep_state)

        def body(s, k):
            s, metrics = step(s, k)
            return s, (env_state_of(s), metrics)

        _, out = jax.lax.scan(body, state, jax.random.split(k_run, num_steps))
        return out

    env_states, metrics = jax.device_get(roll(key))
    return env_states, {k: np.asarray(v).reshape(num_steps, -1).mean(axis=1) for k, v in metrics.items()}


def episode_returns(cfg: RunConfig, episodes: int, max_steps: int):
    """``returns(trained, key) -> [seeds, episodes, bodies]``: the return of one whole episode in each of
    ``episodes`` fresh environments per seed, under ``trained``'s brains with learning frozen; how RL baselines
    are usually evaluated (e.g. PPO's 128 episodes per point of a learning curve).

    Each environment runs its first episode only, so short episodes are not over-counted as they are among the
    episodes that end first within a fixed number of steps. ``trained`` is a ``SystemState`` of ``cfg``'s system
    with a leading seeds axis (a training run's; it is read, not changed). The returns are float32, NaN for an
    episode still running after ``max_steps`` steps. Compiled once per returned function (on its first call).
    Raises ConfigError for a world without episodes.
    """
    if not make_world(cfg).episodic:
        raise ConfigError(f"world {cfg.world.name!r} has no episodes: there is no episode return to evaluate")
    if episodes < 1 or max_steps < 1:
        raise ConfigError(f"episodes={episodes}, max_steps={max_steps}: expected >= 1")
    one = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=1))
    init, step = make_system(make_agent(frozen(one)))

    def one_seed(seed_state, key):
        shared = seed_state.brain, seed_state.opt_state, seed_state.anchor  # one copy per seed, not per episode

        def one_episode(k):
            k_init, k_run = jax.random.split(k)
            fresh = init(k_init)._replace(brain=None, opt_state=None, anchor=None, step=seed_state.step)

            def body(carry, k):
                s, ret, ended = carry
                s, m = step(s._replace(brain=shared[0], opt_state=shared[1], anchor=shared[2]), k)
                now = m["episodes"] > 0  # [bodies]: this environment's episode ended at this step
                ret = jnp.where(now & ~ended, m["episode_return_sum"], ret)
                return (s._replace(brain=None, opt_state=None, anchor=None), ret, ended | now), None

            bodies = jax.tree.leaves(fresh.agents)[0].shape[1]
            start = (fresh, jnp.full(bodies, jnp.nan, jnp.float32), jnp.zeros(bodies, bool))
            (_, ret, _), _ = jax.lax.scan(body, start, jax.random.split(k_run, max_steps))
            return ret

        return jax.vmap(one_episode)(jax.random.split(key, episodes))

    run = jax.jit(jax.vmap(one_seed))

    def returns(trained, key) -> np.ndarray:
        seeds = jax.tree.leaves(trained.agents)[0].shape[0]
        return np.asarray(run(trained, jax.random.split(key, seeds)))

    return returns


def env_state_of(state):
    """Environment 0's world state in a seed's ``SystemState``."""
    return jax.tree.map(lambda x: x[0], state.world)


def strips(metrics: dict) -> dict:
    """The animation's strips: valence guess, arousal, total reward and each drive's non-zero reward."""
    out = {}
    if "valence_guess" in metrics:
        out["valence guess"] = metrics["valence_guess"]
    for name in ("signal/arousal", "arousal"):
        if name in metrics:
            out["arousal"] = metrics[name]
            break
    out["reward"] = metrics["reward"]
    for k in sorted(k for k in metrics if k.startswith("reward/")):
        if np.any(metrics[k]):  # drives that only write signals (detectors, gates) have no strip
            out[f"{k.split('/', 1)[1]} reward"] = metrics[k]
    return out


def format_eval(s: dict) -> str:
    """A few readable lines for the terminal."""
    lines = [
        f"{s['world']}, checkpoint at step {s['checkpoint_step']:,}, learning frozen"
        + (", agents continued" if s.get("agents", "fresh") != "fresh" else "")
        + f": {s['steps']:,} steps x "
        f"{s['num_envs']} envs x {s['num_seeds']} seeds ({s['agent_steps_per_second']:,.0f} agent-steps/s)",
        f"reward per agent-step: {s['reward_per_step']:+.4f}"
        + (f" ± {s['reward_per_step_by_seed']['ci95']:.4f}" if s["reward_per_step_by_seed"] else ""),
    ]
    if "episodes" in s:
        ret = s["episode_return"]
        lines.append(f"episode return: {ret:.1f} over {s['episodes']} episodes" if ret is not None else
                     "episode return: no episode finished")  # fmt: skip
    if "fresh_episodes" in s:
        f = s["fresh_episodes"]
        ret = "none finished" if f["return"] is None else f"{f['return']:.1f}"
        lines.append(f"episode return, one whole episode in each of {f['per_seed']} fresh environments per seed: "
                     f"{ret}" + (f" ({f['unfinished']} not finished)" if f["unfinished"] else ""))
    lines.append("reward by drive: " + ", ".join(f"{k} {v:+.4f}" for k, v in s["reward_by_drive"].items()))
    if "animation" in s:
        lines.append(f"animation ({s['animation_frames']} frames): {s['animation']}")
    return "\n".join(lines)
