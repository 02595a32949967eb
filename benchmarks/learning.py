"""Benchmark: how fast the learner learns. Return against env-steps per seed, mean and 95% interval over seeds,
the previous learner beside the current one, in one run.

    python benchmarks/learning.py [--quick] [--json PATH] [--seeds N] [--tasks a,b] [--png PATH]

Tasks: gymnax CartPole-v1 and Acrobot-v1 and MinAtar Breakout (episode return), the foraging world (reward per
step), and ``beacon`` (examples/agi_beacon: only being near a moving beacon is rewarded; reward per step = the
share of steps spent near it, against the same world under a random policy), seen as coordinates (``beacon``)
or only through a 5x5 egocentric window (``beacon-view``), and the social world at twice its default budget
(``social-long``, 60k steps × 16 environments: does its reward level off within the default budget?). Each task's
budget is in env-steps per seed (``train.steps × train.num_envs``); a point of the curve is one chunk's mean
(``metrics.jsonl``).
``previous`` is the learner as it was before issue 13 (``PREVIOUS``: for CartPole the gymnax preset's valence step
size and run-and-tumble β, for foraging the generic step size of the Thought Generator; the other worlds have no
``previous`` row: the social world's change was measured at its default budget in a registered comparison,
docs/results.md), ``current`` the presets as they are. ``--set KEY=VALUE`` applies to every run, after
``previous``'s settings (``--set train.seed=1`` repeats the benchmark on fresh seeds; a ``--set`` of a setting
``previous`` changes makes the two rows alike).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import write_json  # imports the ``learning`` package first (this script is named like it)

from agi import load_plugins, override, preset, train_and_evaluate
from agi.stats import mean_ci

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PREVIOUS = {"cartpole": ("agent.alpha=0.1", "agent.beta=5.0"), "foraging": ("agent.lr=0.0003",)}
"""Per world, the settings of its learner before issue 13 (at the same budget): CartPole departs from the gymnax
preset, foraging from the generic step size."""

TASKS = {  # name: (world, env-steps per seed, num_envs, extra settings, metric)
    "cartpole": ("cartpole", 500_000, 64, ("train.chunks=20",), "episode_return"),
    "acrobot": ("gymnax:Acrobot-v1", 500_000, 64, ("train.chunks=20",), "episode_return"),
    "breakout-minatar": ("gymnax:Breakout-MinAtar", 500_000, 64, ("train.chunks=20",), "episode_return"),
    "foraging": ("foraging", 320_000, 16, (), "reward"),
    "beacon": ("beacon", 320_000, 16, ("steering.drives=nearness",), "reward"),
    "beacon-view": ("beacon", 320_000, 16, ("steering.drives=nearness", "beacon.view_radius=2"), "reward"),
    "social-long": ("social", 960_000, 16, (), "reward"),
}
DEFAULT_BUDGET = {"social-long": preset("default", "social").train.steps * TASKS["social-long"][2]}
"""Tasks run past their world's default budget (env-steps per seed), to show where the curve levels off; the plot
marks the default budget."""


def config(task: str, seeds: int, learner: tuple[str, ...], scale: float = 1.0, sets: tuple[str, ...] = ()):
    world, budget, envs, extra, _ = TASKS[task]
    steps = max(20, int(budget * scale) // envs // 20 * 20)
    cfg = preset("default", world, plugins=("agi_beacon",) if world == "beacon" else ())
    cfg = override(cfg, [*extra, *learner, f"train.num_envs={envs}", f"train.num_seeds={seeds}", *sets])
    return dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, steps=steps))


def curve(task: str, cfg, out: Path, random: bool = False) -> dict:
    """Trains ``cfg`` (or, with ``random``, runs it under a random policy without learning) into ``out``;
    returns ``{"env_steps": [...], "per_seed": [[...] per point], "last": mean_ci}``."""
    if random:
        cfg = dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, selection="random", learn=False))
    train_and_evaluate(cfg, out, progress=False, baseline=False, overwrite=True)
    metric = TASKS[task][4]
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    env_steps = [r["step"] * cfg.train.num_envs for r in rows]
    per_seed = [[np.nan if v is None else v for v in r["per_seed"].get(metric, [None] * cfg.train.num_seeds)]
                for r in rows]  # fmt: skip
    last = np.nanmean(np.asarray(per_seed[-2:], np.float64), axis=0)  # the last 10% of the run
    return {"env_steps": env_steps, "per_seed": per_seed, "last": mean_ci(last)}


def plot(rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = list(dict.fromkeys(r["task"] for r in rows))
    fig, axes = plt.subplots(1, len(tasks), figsize=(4.2 * len(tasks), 3.4), squeeze=False)
    colors = {"previous": "tab:grey", "current": "tab:blue", "random": "tab:red"}
    for ax, task in zip(axes[0], tasks, strict=True):
        for r in (r for r in rows if r["task"] == task):
            x = np.asarray(r["env_steps"]) / 1e6
            y = np.asarray(r["per_seed"], np.float64)
            m = np.nanmean(y, axis=1)
            half = np.array([(mean_ci(v) or {"ci95": np.nan})["ci95"] for v in y])
            ax.plot(x, m, color=colors[r["learner"]], label=r["learner"])
            ax.fill_between(x, m - half, m + half, color=colors[r["learner"]], alpha=0.2, lw=0)
        if task in DEFAULT_BUDGET:
            ax.axvline(DEFAULT_BUDGET[task] / 1e6, color="k", ls=":", lw=1, label="default budget")
        ax.set(title=task, xlabel="env-steps per seed (M)", ylabel=TASKS[task][4].replace("_", " "))
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="a tenth of each budget, 2 seeds (a smoke test)")
    p.add_argument("--json", type=Path, help="write the rows here")
    p.add_argument("--png", type=Path, default=Path(__file__).parent / "results" / "learning.png")
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--tasks", default=",".join(TASKS), help=f"comma-separated, from {list(TASKS)}")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override every run's config")
    args = p.parse_args(argv)
    sys.path.insert(0, str(EXAMPLES))
    load_plugins(["agi_beacon"])
    seeds, scale = (2, 0.1) if args.quick else (args.seeds, 1.0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for task in args.tasks.split(","):
            world = TASKS[task][0]
            learners = {"previous": PREVIOUS[world], "current": ()} if world in PREVIOUS else {"current": ()}
            for learner, sets in learners.items():
                r = curve(task, config(task, seeds, sets, scale, args.set), Path(tmp) / f"{task}-{learner}")
                rows.append({"task": task, "learner": learner, **r})
                last = r["last"]
                print(f"{task:>17} {learner:>9}: last 10% {last['mean']:+.3f} ± {last['ci95']:.3f} "
                      f"({seeds} seeds, {r['env_steps'][-1]:,} env-steps per seed)", flush=True)  # fmt: skip
            if TASKS[task][4] == "reward":  # continuing worlds: what a random policy gets
                r = curve(task, config(task, seeds, (), scale, args.set), Path(tmp) / f"{task}-random", random=True)
                rows.append({"task": task, "learner": "random", **r})
                print(f"{task:>17} {'random':>9}: {r['last']['mean']:+.3f} ± {r['last']['ci95']:.3f}", flush=True)
    args.png.parent.mkdir(parents=True, exist_ok=True)
    plot(rows, args.png)
    write_json(args.json, rows)
    print(f"plot: {args.png}")
    return rows


if __name__ == "__main__":
    main()
