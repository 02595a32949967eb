"""The command line: ``agi train [--preset P] [--world W] [--steps N] [--seeds S] [--out DIR] [--set k=v ...]``,
``agi eval --run DIR [--episodes N] [--steps N] [--out PATH]``, ``agi ablate --variants "base; -DRIVE" ...`` and
``agi experiment NAME|all [--preset P] [--out DIR]``.

This file is intentionally kept short: the logic lives in ``agi.run`` and ``agi.evaluate``. Bad input gets a
one-line error and exit status 2, with nothing written.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import json
import os
import shlex
import sys
from pathlib import Path

from agi.assemble import make_agent
from agi.config import PRESETS, ConfigError, field_docs, load_config, override, preset
from agi.registry import load_plugins, world_names


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2
        sys.stderr.write(f"agi: error: {message}\n")
        sys.exit(2)


EXIT_STATUS = """exit status: 0 done (or nothing to do); 2 bad input, a folder in use or holding another run, an
unusable checkpoint, a failed write (full disk, read-only); 3 a NaN or infinity stopped the run (the last good
checkpoint is kept); 130 interrupted by Ctrl-C or SIGTERM after saving (the message gives the resume command)"""


def _config_help() -> str:
    """Every config field with its type, default (of the ``default`` preset's foraging world) and docstring."""
    lines = ["config fields (--set SECTION.FIELD=VALUE; presets and worlds change some defaults):"]
    for key, typ, default, doc in field_docs():
        lines.append(f"  {key} ({typ}, default {default!r}): {doc}")
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="agi", description="A brain-like agent: train, ablate, compare.", epilog=EXIT_STATUS)
    p.add_argument("--version", action="version", version=f"agi (brainlike-agi) {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("train", help="train on a world and write config, metrics, plots and a summary",
                       epilog=_config_help() + "\n\n" + EXIT_STATUS,
                       formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    t.add_argument("--preset", default=None, help=f"one of {sorted(PRESETS)} (default: default)")
    t.add_argument("--world", default=None, help=f"one of {world_names()}, e.g. gymnax:Acrobot-v1 or "
                   "jaxmarl:coin_game (default: foraging)")  # fmt: skip
    t.add_argument("--config", metavar="FILE", help="start from a run's config.json (then --steps, --seeds, --set)")
    t.add_argument("--steps", type=int, help="environment steps per agent (with --resume: extend the run to N)")
    t.add_argument("--seeds", type=int, help="number of independent seeds")
    t.add_argument("--out", default=None, help="output folder (default: a new runs/WORLD-DATE-TIME)")
    t.add_argument("--overwrite", action="store_true", help="replace the run already in --out (its files only)")
    t.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config field (listed below)")  # fmt: skip
    t.add_argument("--tensorboard", action=argparse.BooleanOptionalAction, default=None,
                   help="also log every chunk's metrics to OUT/tensorboard (--no-tensorboard: not, even on --resume of "
                        "a run that did)")  # fmt: skip
    t.add_argument("--baseline", action=argparse.BooleanOptionalAction, default=None,
                   help="measure the random-policy baseline (the default; --no-baseline skips it, and a resumed run "
                        "keeps its choice unless given again)")  # fmt: skip
    t.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        metavar="N",
        help="save the whole training state every N steps (default: every chunk); keeps the last 3",
    )
    t.add_argument("--resume", metavar="DIR", help="continue the run stored in DIR with its own config (and --steps "
                   "to extend it)")  # fmt: skip
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
    a.add_argument("--world", default="social", help=f"one of {world_names()} (default: social)")
    a.add_argument("--preset", default="default", help=f"one of {sorted(PRESETS)} (default: default)")
    a.add_argument("--variants", help='e.g. "base; -compassion_spite; compassion_spite.gain=0.5; '
                   'gate:finder_pleasure=open" (see agi.ablate for the language)')  # fmt: skip
    a.add_argument("--seeds", type=int, default=8, help="seeds per variant, paired across variants (default: 8)")
    a.add_argument("--steps", type=int, help="environment steps per agent")
    a.add_argument("--out", default=None, help="output folder (default: a new runs/ablate-DATE-TIME)")
    a.add_argument("--overwrite", action="store_true", help="replace the suite already in --out (its files only)")
    a.add_argument("--resume", metavar="DIR", help="finish the suite in DIR: train only the programs not yet saved")
    a.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override the base config")
    a.add_argument("--quiet", action="store_true", help="no progress bar")
    _device_flags(a)
    x = sub.add_parser("experiment", help="run the built-in experiments of DESIGN.md §9: PASS/FAIL per prediction")
    x.add_argument("name", nargs="?", help="an experiment name or all")
    x.add_argument("--preset", default="default", help=f"one of {sorted(PRESETS)} (default: default)")
    x.add_argument("--seeds", type=int, default=8, help="seeds per variant, paired across variants (default: 8)")
    x.add_argument("--out", default=None, help="output folder (default: a new runs/experiments-DATE-TIME)")
    x.add_argument("--overwrite", action="store_true", help="replace the results already in --out")
    x.add_argument("--resume", metavar="DIR", help="finish the experiments in DIR: train only what is not saved")
    x.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override every config")
    x.add_argument("--quiet", action="store_true", help="no progress bar")
    x.add_argument("--as-shipped", action="store_true",
                   help="run on the default preset as it is today, not as it was when the experiment was registered")
    x.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"),
                   help="print a markdown table of two finished runs' statistics side by side (trains nothing)")
    _device_flags(x)
    return p


def _device_flags(p):
    p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                   help="import MODULE first: a package that registers its own worlds and drives (agi.register_world, "
                   "agi.register_drive); recorded in config.json for --resume and eval")  # fmt: skip
    p.add_argument(
        "--distributed",
        action="store_true",
        help="call jax.distributed.initialize() first (multi-host: run the same command on every host)",
    )
    p.add_argument("--no-shard", action="store_true", help="keep the run on one device even if there are several")


def _chunks_for(steps: int, chunks: int) -> int:
    """The largest number of chunks <= ``chunks`` that divides ``steps``."""
    return next(c for c in range(min(chunks, steps), 0, -1) if steps % c == 0)


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("brainlike-agi")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_config(args):
    if getattr(args, "config", None):
        if args.preset or args.world:
            raise ConfigError("--config FILE already holds the preset's values and the world; drop --preset/--world")
        cfg = load_config(args.config, "--config")
        cfg = dataclasses.replace(cfg, plugins=tuple(dict.fromkeys([*cfg.plugins, *args.plugin])))
    else:
        world = args.world or ("social" if args.command == "ablate" else "foraging")
        cfg = preset(args.preset or "default", world, plugins=tuple(args.plugin))
    train = cfg.train
    if args.steps is not None:
        if args.steps < 1:
            raise ConfigError(f"--steps={args.steps} is out of range: expected >= 1")
        chunks = _chunks_for(args.steps, train.chunks)
        if chunks < train.chunks and not any(a.startswith("train.chunks=") for a in args.set):
            alone = " (one chunk: no metrics line, checkpoint or early stop before the end)" if chunks == 1 else ""
            cut = f"{chunks} chunk{'s' if chunks > 1 else ''}{alone}"
            print(f"agi: warning: --steps {args.steps} is not a multiple of train.chunks={train.chunks}, so the run is "
                  f"cut into {cut}; a multiple of {train.chunks} keeps {train.chunks}", file=sys.stderr)  # fmt: skip
        train = dataclasses.replace(train, steps=args.steps, chunks=chunks)
    if args.seeds is not None:
        train = dataclasses.replace(train, num_seeds=args.seeds)
    cfg = override(dataclasses.replace(cfg, train=train), args.set)
    make_agent(cfg)  # validates the config and builds the Steering Subsystem (ablations included)
    _warn_unused_sections(cfg, args.set)
    return cfg


def _warn_unused_sections(cfg, assignments) -> None:
    """One stderr line per ``--set`` of a registered world's or drive's section that this run does not use (the
    value is kept in config.json but changes nothing): ``--set beacon.speed=0.3`` with another world, or
    ``--set nearness.gain=2`` without ``steering.drives=nearness``."""
    from agi.registry import drive_names, world_names

    worlds, drives, in_run = set(world_names()), set(drive_names()), set(cfg.drives_in_run())
    for item in assignments:  # (a section of a name without a config was refused by ``override``)
        section = item.partition("=")[0].partition(".")[0]
        if section in drives and section not in in_run:  # (a world's own drive may read a registered section)
            print(f"agi: warning: --set {item}: the drive {section!r} is not in this run (add it with --set "
                  f"steering.drives={section})", file=sys.stderr)  # fmt: skip
        elif section in worlds and section not in drives and section != cfg.world.name:
            print(f"agi: warning: --set {item}: {section!r} is not this run's world ({cfg.world.name!r})",
                  file=sys.stderr)


def _resume_config(args):
    """The stored config of ``--resume DIR``, extended to ``--steps``; any other change is refused, since it
    would change the compiled program the checkpoints belong to."""
    given = [f for f, v in (("--preset", args.preset), ("--world", args.world), ("--seeds", args.seeds),
                            ("--out", args.out), ("--config", args.config), ("--overwrite", args.overwrite),
                            ("--set", args.set)) if v]  # fmt: skip
    if given:
        raise ConfigError(f"--resume continues DIR with its own config; {', '.join(given)} would change it (only "
                          "--steps may extend it); start a new run instead")  # fmt: skip
    directory = Path(args.resume)
    if not (directory / "config.json").exists():
        raise ConfigError(f"--resume {directory}: no config.json there")
    cfg = load_config(directory / "config.json", f"--resume {directory}")
    if args.steps is None or args.steps == cfg.train.steps:
        return cfg
    t = cfg.train
    chunk_len = t.steps // t.chunks
    if args.steps < t.steps:
        raise ConfigError(f"--steps {args.steps:,}: the run in {directory} is {t.steps:,} steps long; a run can be "
                          "extended, not shortened")  # fmt: skip
    if args.steps % chunk_len:
        raise ConfigError(f"--steps {args.steps:,} must be a multiple of the run's chunk length {chunk_len:,}")
    if cfg.agent.lr_anneal:
        raise ConfigError("--steps: agent.lr_anneal=True anneals the step size over train.steps, so extending the "
                          "run would change its schedule; start a new run instead")  # fmt: skip
    train = dataclasses.replace(t, steps=args.steps, chunks=args.steps // chunk_len)
    return dataclasses.replace(cfg, train=train).validate()


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

    with _outcomes() as status:
        result = evaluate(
            args.run, args.out, episodes=args.episodes, steps=args.steps, gif_steps=args.gif_steps,
            gif=not args.no_gif, progress=not args.quiet, shard=False if args.no_shard else None,
            keep_state=args.keep_state,
        )  # fmt: skip
    if status.code:
        return status.code
    print(format_eval(result.summary))
    print(f"eval: {Path(args.out or Path(args.run) / 'eval') / 'eval.json'}")
    return 0


def _ablate(args, argv) -> int:
    from agi.ablate import ablate
    from agi.rundir import default_out

    with _outcomes() as status:
        if args.resume:
            given = [f for f, v in (("--variants", args.variants), ("--set", args.set), ("--steps", args.steps),
                                    ("--overwrite", args.overwrite)) if v]  # fmt: skip
            if given:
                raise ConfigError(f"--resume finishes the suite in DIR as it was started; drop {', '.join(given)}")
            cfg, out, text, command = None, args.resume, None, ""
        else:
            if not args.variants:
                raise ConfigError("--variants is required (or --resume DIR)")
            cfg, text = build_config(args), args.variants
            if cfg.train.num_seeds < 2:  # a paired t-interval needs two seeds
                print(f"agi: warning: --seeds {cfg.train.num_seeds}: one seed gives no interval (± nan) and no "
                      "paired difference to trust; use 8 (the experiments' number) to decide anything",
                      file=sys.stderr)  # fmt: skip
            out = args.out or default_out("ablate")
            command = "agi " + shlex.join(argv if argv is not None else sys.argv[1:])  # pastes back into a shell
        results = ablate(cfg, text, out, progress=not args.quiet, command=command, resume=bool(args.resume),
                         overwrite=args.overwrite, shard=False if args.no_shard else None)  # fmt: skip
    if status.code:
        return status.code
    for v in results["variants"]:
        r = v["metrics"]["reward_per_step"]
        print(f"{v['label']:>24}: reward/step {r['mean']:+.4f} ± {r['ci95']:.4f}")
    print(f"report: {Path(out) / 'report.md'}")
    return 0


def _compare(before, after) -> str:
    import json

    from agi.experiments import compare

    def read(d):
        try:
            return json.loads((Path(d) / "results.json").read_text())
        except (OSError, ValueError) as e:
            raise ConfigError(f"--compare {d}: no readable results.json there ({e})") from None

    return compare(read(before), read(after), (Path(before).name, Path(after).name))


def _experiment(args) -> int:
    from agi.experiments import run_experiments
    from agi.rundir import default_out

    with _outcomes() as status:
        if args.resume and (args.name or args.set or args.overwrite or args.as_shipped):
            raise ConfigError("--resume finishes the experiments in DIR as they were started; drop the name, --set, "
                              "--as-shipped and --overwrite")  # fmt: skip
        if args.compare:
            print(_compare(*args.compare), end="")
            return 0
        if not args.resume and not args.name:
            raise ConfigError("name an experiment (or all), or give --resume DIR")
        out = args.resume or args.out or default_out("experiments")
        run_experiments([args.name], args.preset, out, progress=not args.quiet, sets=args.set, resume=bool(args.resume),
                        overwrite=args.overwrite, shard=False if args.no_shard else None,
                        seeds=None if args.resume else args.seeds, as_shipped=args.as_shipped)  # fmt: skip
    if status.code:
        return status.code
    print(f"results: {Path(out) / 'results.json'}")
    return 0


def main(argv=None) -> int:
    """Entry point of the `agi` command; returns the exit status.

    SIGINT and SIGTERM are counted for the whole command (``agi.run.stop_on_signals``): the first lets the
    current chunk finish and save, the second exits at once.
    """
    try:  # before the parser, so that --help and --world know the plugins' worlds and config sections
        load_plugins(_plugins_in(sys.argv[1:] if argv is None else argv))
    except ValueError as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    args = _parser().parse_args(argv)
    _compile_cache()
    from agi.run import stop_on_signals

    with stop_on_signals():
        return _dispatch(args, argv)


def _compile_cache() -> None:
    """Keeps compiled programs on disk (``train.compile_cache``: a resumed run, a repeated experiment or eval
    loads its program instead of compiling it); ``AGI_COMPILE_CACHE=off`` switches it off."""
    from train import compile_cache

    folder = compile_cache.resolve()
    if folder is None:
        return
    try:
        compile_cache.enable(folder)
    except OSError as e:  # a read-only home: compile as before
        sys.stderr.write(f"agi: warning: no compile cache ({e}); set AGI_COMPILE_CACHE to a writable folder or off\n")


def _plugins_in(argv) -> list[str]:
    """The values of ``--plugin MODULE`` / ``--plugin=MODULE`` in ``argv``."""
    out = []
    for i, a in enumerate(argv):
        if a == "--plugin" and i + 1 < len(argv):
            out.append(argv[i + 1])
        elif a.startswith("--plugin="):
            out.append(a.split("=", 1)[1])
    return out


def script() -> None:
    """The console script: ``main``, then no traceback from a late Ctrl-C while the interpreter shuts down."""
    import signal

    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(code)


def _dispatch(args, argv) -> int:
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
        cfg = _resume_config(args) if args.resume else build_config(args)
        if args.resume:
            make_agent(cfg)
    except (ConfigError, ValueError, KeyError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        return 2
    from agi.run import Complete, format_summary, train_and_evaluate
    from agi.rundir import default_out

    out = Path(args.resume or args.out or default_out(cfg.world.name))
    # A resumed run keeps the options it was started with (options.json), unless given again.
    kept = _stored_options(out) if args.resume else {}
    options = {"checkpoint_every": args.checkpoint_every or kept.get("checkpoint_every"),
               "tensorboard": bool(kept.get("tensorboard") if args.tensorboard is None else args.tensorboard),
               "no_shard": bool(args.no_shard or kept.get("no_shard")),
               "baseline": bool(kept.get("baseline", True) if args.baseline is None else args.baseline)}  # fmt: skip
    sinks = []
    try:
        with _outcomes() as status:  # (a missing tensorboard package is one of its one-line errors)
            if options["tensorboard"]:
                from agi.sinks import TensorBoard

                sinks.append(TensorBoard(out / "tensorboard"))
            summary = train_and_evaluate(cfg, out, progress=not args.quiet, baseline=options["baseline"],
                                         checkpoint_every=options["checkpoint_every"], resume=bool(args.resume),
                                         shard=False if options["no_shard"] else None, overwrite=args.overwrite,
                                         sinks=sinks, options=options)  # fmt: skip
    except Complete as e:
        print(f"agi: {e}")
        return 0
    finally:
        for sink in sinks:
            sink.close()
    if status.code:
        return status.code
    print(format_summary(summary))
    print(f"summary: {out}/summary.json")
    return 0


def _stored_options(out: Path) -> dict:
    """The command options a run in ``out`` was started with (``options.json``; {} for runs from before it)."""
    try:
        return json.loads((out / "options.json").read_text())
    except (FileNotFoundError, ValueError):
        return {}


class _Status:
    code = 0


@contextlib.contextmanager
def _outcomes():
    """Turns the ways a long command can end into one line on stderr and an exit status (``EXIT_STATUS``)."""
    from agi.run import Interrupted, NonFinite
    from train import CheckpointError

    status = _Status()
    try:
        yield status
    except (ConfigError, CheckpointError, ValueError) as e:
        sys.stderr.write(f"agi: error: {e}\n")
        status.code = 2
    except NonFinite as e:
        sys.stderr.write(f"agi: error: {e}\n")
        status.code = 3
    except Interrupted as e:
        sys.stderr.write(f"agi: {e}\n")
        status.code = 130
    except KeyboardInterrupt:
        sys.stderr.write("agi: interrupted\n")
        status.code = 130
    except OSError as e:
        full = e.errno in (errno.ENOSPC, errno.EDQUOT)
        what = "writing it failed: the disk is full" if full else (e.strerror or str(e))
        sys.stderr.write(f"agi: error: {e.filename or 'a file of the run'}: {what}\n")
        status.code = 2


if __name__ == "__main__":
    script()
