"""``train_and_evaluate``: one training run, its random-policy baseline, and the files a run leaves behind.

Writes ``config.json``, ``metrics.jsonl`` (one line per chunk), ``reward.png`` (reward per drive over time),
``summary.json`` and ``checkpoints/`` into the output folder, and returns the summary. A run with checkpoints
can be resumed (``resume=True``) and then ends bit-for-bit where an uninterrupted run would have.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import signal
import threading
import time
from pathlib import Path

import jax
from tqdm.auto import tqdm

from agi.assemble import make_agent
from agi.config import ConfigError, RunConfig, normalised
from agi.measure import NonFinite, declared, measure, summarize  # noqa: F401 (NonFinite: raised by train_and_evaluate)
from agi.memory import check_memory
from agi.metrics import Window, chunk_row
from agi.registry import world_spec
from agi.rundir import MetricsLog, claim, provenance, save_figure, write_atomic, write_json
from agi.sharding import env_sharding
from agi.stats import mean_ci
from agi.system import make_system
from train import Checkpointer, CheckpointError, state_digest


class Interrupted(Exception):
    """The run was stopped by SIGINT or SIGTERM after saving what it had done."""

    def __init__(self, message: str, step: int = 0, out_dir=None):
        super().__init__(message)
        self.step, self.out_dir = step, out_dir


class Complete(Exception):
    """``--resume`` of a run that has already run to its length and written its summary: nothing to do."""


_active_stop = None


@contextlib.contextmanager
def stop_on_signals():
    """SIGINT, SIGTERM and SIGHUP set a flag instead of killing the process, so the current chunk finishes and saves; a
    second signal exits at once (status 130), keeping the last checkpoint and every line already written.

    The signals are counted by a thread reading Python's wakeup fd, not by a Python handler: a handler runs only
    when the main thread is back in the interpreter, which it is not while a compiled chunk runs.
    """
    global _active_stop
    if _active_stop is not None:  # an outer command already counts the signals
        yield _active_stop
        return
    flag = {"stop": False}
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    r, w = os.pipe()
    os.set_blocking(w, False)

    def say(text: bytes):
        with contextlib.suppress(OSError):  # a hung-up terminal
            os.write(2, text)

    hup = getattr(signal, "SIGHUP", None)

    def detach():  # the terminal is gone: what the run prints from now on goes nowhere instead of failing
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def count():
        while data := os.read(r, 64):
            for sig in data:  # (the wakeup fd carries each signal's number)
                if hup is not None and sig == hup:
                    detach()
                if flag["stop"]:
                    say(b"\nagi: second interrupt: exiting now; the last checkpoint is kept\n")
                    os._exit(130)
                flag["stop"] = True
                say(b"\nagi: stopping after this chunk (interrupt again to exit at once)\n")

    # SIGHUP too: a closed ssh session ends the run as Ctrl-C would, saving what is done, unless it is ignored
    # (nohup), in which case the run goes on.
    keep_hup = hup is not None and signal.getsignal(hup) is not signal.SIG_IGN
    sigs = (signal.SIGINT, signal.SIGTERM, *((hup,) if keep_hup else ()))
    old = {sig: signal.signal(sig, lambda signum, frame: None) for sig in sigs}
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    watcher = threading.Thread(target=count, daemon=True, name="agi-signals")
    watcher.start()
    _active_stop = lambda: flag["stop"]
    try:
        yield _active_stop
    finally:
        _active_stop = None
        signal.set_wakeup_fd(old_fd)
        for sig, h in old.items():
            signal.signal(sig, h)
        os.close(w)
        watcher.join(timeout=1)
        os.close(r)


def same_program(a: dict, b: dict) -> list[str]:
    """The config keys (``section.field``) in which two ``to_dict`` configs differ, leaving out the run's length
    (``train.steps``, ``train.chunks``), which a resume may extend without changing the compiled chunk."""
    x, y = _flat(a), _flat(b)
    length = ("train.steps", "train.chunks")
    return [k for k in sorted(set(x) | set(y)) if k not in length and x.get(k) != y.get(k)]


def _flat(d: dict, prefix: str = "") -> dict:
    """``{"section.field": value}`` (nested sections of registered worlds and drives as ``sections.NAME.field``),
    tuples as lists."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flat(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = list(v) if isinstance(v, tuple | list) else v
    return out


def random_baseline(cfg: RunConfig) -> RunConfig:
    """The same world, seeds and length with uniformly random plans and no learning."""
    return dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, selection="random", learn=False))


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
    overwrite: bool = False,
    sinks=(),
    options: dict | None = None,
) -> dict:
    """Trains ``cfg``, measures the random baseline, writes the run's files into ``out_dir``; returns the summary.

    ``checkpoint_every`` (steps, a multiple of the chunk length; default: every chunk) saves the whole state to
    ``out_dir/checkpoints``; ``resume=True`` continues from the latest checkpoint there, to ``cfg.train.steps``
    (which may extend the run). ``shard=None`` splits the environments over all devices when there are several
    and they divide ``num_envs``; ``False`` never. A fresh run refuses a folder that holds one unless
    ``overwrite``; the folder is locked while the run writes it (``agi.rundir``). ``sinks``: callables
    ``sink(step, row)`` called with each chunk's ``metrics.jsonl`` row (e.g. ``agi.sinks.TensorBoard``).
    ``options``: the command's own settings, kept in the run folder as ``options.json`` (``agi train --resume``
    reads them back and writes what it ran with: ``checkpoint_every``, ``tensorboard``, ``no_shard``, ``baseline``).

    Raises ``Interrupted`` after SIGINT/SIGTERM (everything done is saved), ``NonFinite`` on a NaN or infinity,
    ``Complete`` when resuming a finished run (nothing is rewritten).
    """
    cfg.validate()
    out = Path(out_dir)
    chunk_len = cfg.train.steps // cfg.train.chunks
    every = checkpoint_every or chunk_len
    if every % chunk_len:
        raise ConfigError(f"checkpoint_every={every} is not a multiple of the chunk length {chunk_len}")
    sharded = env_sharding(cfg.train.num_envs, shard) is not None
    check_memory(cfg, *make_system(make_agent(cfg)), devices=len(jax.devices()) if sharded else 1)
    # Over several hosts every process trains its share, but only the first writes the run's small files:
    # processes writing one shared folder at once could leave a torn summary.json (checkpoints are orbax's own).
    primary = _is_primary()
    with claim(out, fresh=not resume, overwrite=overwrite, primary=primary), stop_on_signals() as should_stop:
        if primary and options:  # (a resume's own options, merged with the stored ones by the caller)
            write_json(out / "options.json", options)
        return _train_in(cfg, out, primary=primary, progress=progress, baseline=baseline, every=every,
                         resume=resume, shard=shard, sinks=sinks, should_stop=should_stop)  # fmt: skip


def _train_in(cfg, out, *, primary, progress, baseline, every, resume, shard, sinks, should_stop) -> dict:
    ckpt = Checkpointer(out / "checkpoints")
    try:
        if resume:
            latest = ckpt.latest_step()
            if latest is None:
                raise CheckpointError(f"no checkpoint to resume in {out / 'checkpoints'}: the run stopped before "
                                      f"its first one; start it again with --overwrite")  # fmt: skip
            if latest > cfg.train.steps:
                raise ConfigError(f"--steps {cfg.train.steps:,} is shorter than the {latest:,} steps {out} has run")
            if latest == cfg.train.steps and (out / "summary.json").exists():
                raise Complete(f"{out} is complete at {latest:,} steps; nothing to do (to go on, add --steps N "
                               f"with N > {latest:,})")  # fmt: skip
            log, history = MetricsLog.recover(out / "metrics.jsonl", latest, enabled=primary)
        else:
            log, history = MetricsLog(out / "metrics.jsonl", enabled=primary), []
        if primary:
            write_atomic(out / "config.json", cfg.to_json())

        reductions = declared(cfg)

        def on_chunk(end, metrics):
            row = chunk_row(end, metrics, reductions)
            history.append(row)
            log.append(row)
            for sink in sinks:
                sink(end, row)
            if progress:
                tqdm.write(
                    f"step {end:>9,}  reward/step {row['reward']:+.4f}"
                    + (f"  episode return {row['episode_return']:.1f}" if "episode_return" in row else "")
                )

        t0 = time.perf_counter()
        try:
            agent, result, first, last, timing = measure(
                cfg, progress=progress, desc="train", on_chunk=on_chunk, checkpoint=(ckpt, every, resume),
                should_stop=should_stop, shard=shard, same_program=same_program,
            )  # fmt: skip
        except NonFinite as e:  # the folder says why the run stopped, whatever becomes of stderr
            if primary:
                write_json(out / "stopped.json", {"reason": "non-finite", "message": str(e)})
            raise
        finally:
            log.close()
    finally:
        ckpt.close()
    if result.steps < cfg.train.steps:
        raise Interrupted(f"interrupted at step {result.steps:,}; resume with: agi train --resume {out}",
                          result.steps, out)  # fmt: skip
    summary = _summary(cfg, agent, result, first, last, timing)
    # This session's training loop, compile excluded: the share spent inside compiled chunks (the rest is
    # metrics, checkpoints and the progress bar between them).
    loop = time.perf_counter() - t0 - result.compile_seconds
    summary["session"] = {"loop_seconds": loop, "chunk_seconds": result.run_seconds,
                          "chunk_share": result.run_seconds / max(loop, 1e-9)}  # fmt: skip
    rlast = None
    if baseline:
        rlast = _baseline(cfg, out, progress=progress, shard=shard, should_stop=should_stop, primary=primary)
        random = summarize(rlast, agent.world.episodic)
        summary["random_policy_reward_per_step"] = random["reward_per_step"]
        summary["random_policy_reward_per_step_by_seed"] = random["reward_per_step_by_seed"]
        if agent.world.episodic:
            summary["random_policy_episode_return"] = random["episode_return"]
    spec = world_spec(cfg.world.name)
    if spec.summary is not None:  # the world's own report (the social rates, ...), its plain-words lines too
        summary.update(spec.summary(last, rlast, cfg, mean_ci))
    final = result.state
    if jax.process_count() > 1:  # the environments are spread over hosts: gather them to hash them
        from jax.experimental import multihost_utils

        final = multihost_utils.process_allgather(final, tiled=True)
    summary["state_digest"] = state_digest(final)
    summary["plots"] = [str(out / "reward.png")]
    summary["provenance"] = provenance()
    if primary:
        plot_rewards(history, out / "reward.png", title=f"{cfg.world.name}: reward per drive",
                     random_reward=summary.get("random_policy_reward_per_step"))  # fmt: skip
        write_json(out / "summary.json", summary)
        (out / "stopped.json").unlink(missing_ok=True)  # (an earlier session's stop, which this one went past)
    return summary


def _summary(cfg, agent, result, first, last, timing) -> dict:
    t = cfg.train
    per_step = t.num_envs * agent.world.num_agents * t.num_seeds
    return {
        "world": cfg.world.name,
        "steps": t.steps,
        "num_seeds": t.num_seeds,
        "num_envs": t.num_envs,
        "agent_steps": t.steps * per_step,
        "compile_seconds": timing["compile_seconds"],
        "run_seconds": timing["run_seconds"],
        "agent_steps_per_second": timing["steps_run"] * per_step / max(timing["run_seconds"], 1e-9),
        "resumed_from_step": result.start_step,
        "windows": {"first": [first.lo, first.hi], "last": [last.lo, last.hi]},
        "reward_per_step_first": float(first.per_seed("reward").mean()),
        "reward_per_step_first_by_seed": mean_ci(first.per_seed("reward")),
        **summarize(last, agent.world.episodic, suffix="_last"),
    }


def _baseline(cfg, out, *, progress, shard, should_stop, primary) -> Window:
    """The random policy's last-10% window, measured now or read back from ``baseline.json`` (written by an
    earlier session of this run with the same config, e.g. one interrupted after training)."""
    rcfg = random_baseline(cfg)
    saved = out / "baseline.json"
    window = Window(0, 0, declared(cfg))
    if saved.exists():
        with contextlib.suppress(ValueError, KeyError, TypeError):
            d = json.loads(saved.read_text())
            if json.loads(json.dumps(normalised(d["config"]))) == json.loads(rcfg.to_json()):  # (fields added since)
                window.load(d["last"])
                return window
    _, result, _, rlast, _ = measure(rcfg, progress=progress, desc="random baseline", shard=shard,
                                      should_stop=should_stop)  # fmt: skip
    if result.steps < cfg.train.steps:
        raise Interrupted(f"training is complete and saved; its random-policy baseline was interrupted at step "
                          f"{result.steps:,}; finish with: agi train --resume {out}", result.steps, out)  # fmt: skip
    if primary:
        write_json(saved, {"config": json.loads(rcfg.to_json()), "last": rlast.to_json()})
    return rlast


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
        axes[0, 1].set(xlabel="step", ylabel="episode return (env_reward)", title="episodes ending in each chunk")
    fig.tight_layout()
    save_figure(fig, path)


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
    paid = ", ".join(f"{k} {v:+.4f}" for k, v in s["reward_by_drive"].items() if v != 0)
    lines.append("reward by drive (last 10%): " + (paid or "every drive's reward was 0"))
    lines += s.get("lines", [])
    lines.append("plots: " + ", ".join(s["plots"]))
    return "\n".join(lines)
