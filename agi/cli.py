"""The command line: ``agi train [--preset P] [--world W] [--steps N] [--seeds S] [--out DIR] [--set k=v ...]``,
``agi eval --run DIR [--episodes N] [--steps N] [--out PATH]``, ``agi ablate --variants "base; -DRIVE" ...`` and
``agi experiment NAME|all [--preset P] [--out DIR]``.

This file is intentionally kept short: the logic lives in ``agi.run`` and ``agi.evaluate``. Bad input gets a
one-line error and exit status 2, with nothing written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from agi.agent import make_agent
from agi.config import PRESETS, ConfigError, from_dict, override, preset
from agi.worlds import WORLDS


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        sys.stderr.write(f"agi: error: {message}\n")
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="agi", description="A brain-like agent: train, ablate, compare.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train on a world and write config, metrics, plots and a summary")
    t.add_argument("--preset", default="default", help=f"one of {sorted(PRESETS)} (default: default)")
    t.add_argument(
        "--world", default="foraging", help=f"one of {list(WORLDS)} or gymnax:ENV_ID, e.g. gymnax:Acrobot-v1"
    )
    t.add_argument("--steps", type=int, help="environment steps per agent")
    t.add_argument("--seeds", type=int, help="number of independent seeds")
    t.add_argument("--out", default=None, help="output folder (default: runs/WORLD)")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a config field")
    t.add_argument("--no-baseline", action="store_true", help="skip the random-policy baseline")
    t.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        metavar="N",
        help="save the whole training state every N steps (default: every chunk); keeps the last 3",
    )
    t.add_argument("--resume", metavar="DIR", help="continue the run stored in DIR with its own config")  # fmt: skip
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    _device_flags(t)
    e = sub.add_parser("eval", help="run a trained run's agents with learning frozen: statistics and a GIF")
    e.add_argument("--run", required=True, metavar="DIR", help="a folder written by agi train (its latest checkpoint)")
    e.add_argument("--episodes", type=int, default=10, help="episodic worlds: episodes per seed (default: 10)")
    e.add_argument(
        "--steps",
        type=int,
        default=None,
        help="steps per agent (default: 1000; episodic worlds: at most 10,000 while collecting episodes)",
    )
    e.add_argument(
        "--gif-steps",
        type=int,
        default=None,
        metavar="N",
        help="length of the animation (default: 200; episodic worlds: one episode, at most 500)",
    )
    e.add_argument("--no-gif", action="store_true", help="skip the animation")
    e.add_argument(
        "--keep-state",
        action="store_true",
        help="go on from the trained agents' state (memory, traces, friend/enemy values, their worlds) instead of "
        "starting them afresh",
    )
    e.add_argument("--out", default=None, help="output folder (default: DIR/eval)")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    _device_flags(e)
    a = sub.add_parser("ablate", help="train variants of one config on the same seeds; paired differences, report")
    a.add_argument("--world", default="social", help=f"one of {list(WORLDS)} (default: social)")
    a.add_argument("--preset", default="default", help=f"one of {sorted(PRESETS)} (default: default)")
    a.add_argument("--variants", required=True, help='e.g. "base; -compassion_spite; compassion_spite.gain=0.5; '
                   'gate:finder_pleasure=open" (see agi.ablate for the language)')  # fmt: skip
    a.add_argument("--seeds", type=int, default=8, help="seeds per variant, paired across variants (default: 8)")
    a.add_argument("--steps", type=int, help="environment steps per agent")
    a.add_argument("--out", default="runs/ablate", help="output folder (default: runs/ablate)")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override the base config")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    _device_flags(a)
    x = sub.add_parser("experiment", help="run the built-in experiments of DESIGN.md §9: PASS/FAIL per prediction")
    x.add_argument("name", help="an experiment name or all")
    x.add_argument("--preset", default="default", help=f"one of {sorted(PRESETS)} (default: default)")
    x.add_argument("--out", default="runs/experiments", help="output folder (default: runs/experiments)")
    x.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override every config")
    x.add_argument("--quiet", action="store_true", help="no progress bar")
    _device_flags(x)
    return p


def _device_flags(p):
    p.add_argument(
        "--distributed",
        action="store_true",
        help="call jax.distributed.initialize() first (multi-host: run the same command on every host)",
    )
    p.add_argument("--no-shard", action="store_true", help="keep the run on one device even if there are several")


def _chunks_for(steps: int, chunks: int) -> int:
    """The largest number of chunks <= ``chunks`` that divides ``steps``."""
    return next(c for c in range(min(chunks, steps), 0, -1) if steps % c == 0)


def build_config(args):
    cfg = preset(args.preset, args.world)
    train = cfg.train
    if args.steps is not None:
        if args.steps < 1:
            raise ConfigError(f"--steps={args.steps} is out of range: expected >= 1")
        train = dataclasses.replace(train, steps=args.steps, chunks=_chunks_for(args.steps, train.chunks))
    if args.seeds is not None:
        train = dataclasses.replace(train, num_seeds=args.seeds)
    cfg = override(dataclasses.replace(cfg, train=train), args.set)
    make_agent(cfg)  # validates the config and builds the Steering Subsystem (ablations included)
    return cfg


def _resume_config(directory):
    path = Path(directory) / "config.json"
    try:
        return from_dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ConfigError(f"--resume {directory}: no config.json there") from None
    except (json.JSONDecodeError, TypeError) as e:
        raise ConfigError(f"--resume {directory}: config.json is unreadable ({e})") from None


def _initialize_distributed():
    """``jax.distributed.initialize()``, before anything touches a device.

    On TPU pods, SLURM and Open MPI every argument is detected; elsewhere set ``JAX_COORDINATOR_ADDRESS``
    (``host:port`` of process 0), ``JAX_NUM_PROCESSES`` and ``JAX_PROCESS_ID`` on every host.
    """
    import jax

    names = {"num_processes": "JAX_NUM_PROCESSES", "process_id": "JAX_PROCESS_ID"}
    jax.distributed.initialize(**{k: int(os.environ[v]) for k, v in names.items() if v in os.environ})


def _eval(args) -> int:
    from agi.evaluate import evaluate, format_eval
    from train import CheckpointError

    try:
        result = evaluate(
            args.run, args.out, episodes=args.episodes, steps=args.steps, gif_steps=args.gif_steps,
            gif=not args.no_gif, progress=not args.quiet, shard=False if args.no_shard else None,
            keep_state=args.keep_state,
        )  # fmt: skip
    except (ConfigError, CheckpointError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    print(format_eval(result.summary))
    print(f"eval: {Path(args.out or Path(args.run) / 'eval') / 'eval.json'}")
    return 0


def _ablate(args, argv) -> int:
    from agi.ablate import ablate

    try:
        cfg = build_config(args)
        command = "agi " + " ".join(argv if argv is not None else sys.argv[1:])
        results = ablate(cfg, args.variants, args.out, progress=not args.quiet, command=command,
                         shard=False if args.no_shard else None)  # fmt: skip
    except (ConfigError, ValueError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    for v in results["variants"]:
        r = v["metrics"]["reward_per_step"]
        print(f"{v['label']:>24}: reward/step {r['mean']:+.4f} ± {r['ci95']:.4f}")
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0


def _experiment(args) -> int:
    from agi.experiments import run_experiments

    try:
        run_experiments([args.name], args.preset, args.out, progress=not args.quiet, sets=args.set,
                        shard=False if args.no_shard else None)  # fmt: skip
    except ConfigError as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    print(f"results: {Path(args.out) / 'results.json'}")
    return 0


def main(argv=None) -> int:
    """Entry point of the `agi` command; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.distributed:
        try:
            _initialize_distributed()
        except (RuntimeError, ValueError) as e:
            sys.stderr.write(f"agi: error: --distributed: {str(e).splitlines()[0]}\n")
            return 2
    if args.command == "eval":
        return _eval(args)
    if args.command in ("ablate", "experiment"):
        return _ablate(args, argv) if args.command == "ablate" else _experiment(args)
    try:
        cfg = _resume_config(args.resume) if args.resume else build_config(args)
        if args.resume:
            make_agent(cfg)
    except (ConfigError, ValueError, KeyError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    from agi.run import Interrupted, NonFinite, format_summary, train_and_evaluate
    from train import CheckpointError

    out = args.resume or args.out or f"runs/{cfg.world.name.replace(':', '-')}"
    try:
        summary = train_and_evaluate(cfg, out, progress=not args.quiet, baseline=not args.no_baseline,
                                     checkpoint_every=args.checkpoint_every, resume=bool(args.resume),
                                     shard=False if args.no_shard else None)  # fmt: skip
    except (ConfigError, CheckpointError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    except NonFinite as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 3
    except Interrupted as e:
        sys.stderr.write(f"agi: {e}\n")
        return 130
    print(format_summary(summary))
    print(f"summary: {out}/summary.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
