"""``agi experiment``: the seven experiments of DESIGN.md §9, each a named config + variants + the statistics it
tests + the direction the seeds predict.

A prediction's effect is computed per seed (seeds are paired across variants by index), summarised by its mean
and a Student-t 95% interval over seeds, and PASSES when the interval lies entirely on the predicted side of 0.
A FAIL is a finding to report, not a reason to change the statistic, its direction or the budget.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from agi.ablate import behaviour, parse_variants, run_variants
from agi.config import ConfigError, override, preset
from agi.rundir import claim, write_atomic, write_json
from agi.stats import excludes_zero, mean_ci


class Prediction(NamedTuple):
    name: str
    statistic: str  # what is measured, in words
    direction: str  # ">" or "<": the sign of the effect the seeds predict
    effect: Callable  # {label: VariantRun} -> per-seed effect [seeds]


class Experiment(NamedTuple):
    name: str
    seed: str  # where the seeds predict it
    question: str
    overrides: tuple[str, ...]  # on top of the preset for the social world
    variants: str  # the ablate variant language
    predictions: tuple[Prediction, ...]


def _agents(run, key, window="last"):
    """Per-seed mean over learners of ``social/KEY/i`` in a window."""
    w = getattr(run, window)
    return np.mean([w.mean(f"social/{key}/{i}") for i in range(run.cfg.world.n_agents)], axis=0)


def _ratio(run, num, den, window="last"):
    with np.errstate(invalid="ignore", divide="ignore"):
        return _agents(run, num, window) / _agents(run, den, window)


def _diff(f, a, b):
    return lambda runs: f(runs[a]) - f(runs[b])


def _corr(run, name):
    from agi.worlds.social.report import correlation

    return correlation(run.last.mean)[name]


def _food_premium(run):
    """Mean valence guess with food in view minus without."""
    food = _agents(run, "food_in_view")
    with np.errstate(invalid="ignore", divide="ignore"):
        return _agents(run, "valence_food") / food - _agents(run, "valence_nofood") / (1.0 - food)


def _afraid_minus_calm(run):
    """Threaten rate while afraid minus while calm."""
    afraid, both, when_afraid = _agents(run, "afraid"), _agents(run, "threaten"), _agents(run, "threaten_afraid")
    with np.errstate(invalid="ignore", divide="ignore"):
        return when_afraid / afraid - (both - when_afraid) / (1.0 - afraid)


def _cs_eye_share(run):
    eye, other = _agents(run, "cs_eye_contact"), _agents(run, "cs_other")  # both already |reward|
    with np.errstate(invalid="ignore", divide="ignore"):
        return eye / (eye + other)


ONE_FRIEND = ("world.n_agents=1", "world.characters=friend", "world.n_food=6", "steering.hunger_rate=0.01")

EXPERIMENTS = {
    e.name: e
    for e in (
        Experiment(
            "stranger_danger", "002 'stranger danger'",
            "Is fear near a stranger high at first meeting and lower after benign encounters?",
            ("world.n_agents=1", "world.characters=stranger"), "base",
            (Prediction("fear_falls", "fear felt while the stranger is close: first 10% of steps minus last 10%",
                        ">", lambda r: _ratio(r["base"], "fear_close", "close", "first")
                        - _ratio(r["base"], "fear_close", "close")),),
        ),
        Experiment(
            "compassion_spite", "001 §5",
            "With a friend (fe > 0) do agents help more than with the circuit ablated; with an enemy, hinder more?",
            ONE_FRIEND,
            "base; ablated: compassion_spite.gain=0; enemy: steering.fe_prior_friend=-1 steering.fe_rate=0",
            (Prediction("friend_helps", "give rate: base minus ablated", ">",
                        _diff(lambda r: _agents(r, "give"), "base", "ablated")),
             Prediction("enemy_gives_less", "give rate: fixed enemy prior minus ablated", "<",
                        _diff(lambda r: _agents(r, "give"), "enemy", "ablated")),
             Prediction("enemy_threatens_more", "threaten rate: fixed enemy prior minus ablated", ">",
                        _diff(lambda r: _agents(r, "threaten"), "enemy", "ablated"))),
        ),
        Experiment(
            "liked_admired", "001 §6",
            "Is compassion reward concentrated in eye contact, is an elder's norm learned, and does ablating "
            "eye-contact arousal weaken it?",
            ("world.n_agents=1", "world.characters=elder,friend", "steering.fe_prior=0.5"),
            "base; ablated: compassion_spite.gain=0; no_eye_arousal: steering.a_eye=0",
            (Prediction("eye_contact_share", "share of |compassion reward| in eye contact minus share of oriented "
                        "steps in eye contact (base)", ">",
                        lambda r: _cs_eye_share(r["base"]) - _ratio(r["base"], "eye_oriented", "oriented")),
             Prediction("norm_learned", "eating while the elder watches, per watched step: base minus ablated",
                        "<", _diff(lambda r: _ratio(r, "eat_watched", "watched"), "base", "ablated")),
             Prediction("eye_arousal_weakens_norm", "eating while watched: eye-contact arousal ablated minus base",
                        ">", _diff(lambda r: _ratio(r, "eat_watched", "watched"), "no_eye_arousal", "base"))),
        ),
        Experiment(
            "concept_finder_gating", "001 §3.2",
            "Is the pleasure finder a better probe of one's own pleasure with its learning-rate gate than with "
            "the gate held open (learning from empathetic simulations too)?",
            (), "base; open: gate:finder_pleasure=open",
            (Prediction("gate_keeps_probe_accurate", "r(finder, own pleasure) on thoughts about oneself: base "
                        "minus gate open", ">", lambda r: _corr(r["base"], "probe") - _corr(r["open"], "probe")),),
        ),
        Experiment(
            "halo_effect", "000 §4.5.1",
            "Does food, which a liked friend is seen enjoying, gain valence beyond its own worth?",
            ONE_FRIEND, "base; ablated: compassion_spite.gain=0",
            (Prediction("food_valence_rises", "valence with food in view minus without: base minus ablated", ">",
                        _diff(_food_premium, "base", "ablated")),),
        ),
        Experiment(
            "feared", "001 §7.1",
            "Do agents learn to threaten only with the drive to feel feared on, and not while afraid?",
            ("world.n_agents=1", "world.characters=stranger"), "base; ablated: -feared",
            (Prediction("threaten_with_drive", "threaten rate: base minus ablated", ">",
                        _diff(lambda r: _agents(r, "threaten"), "base", "ablated")),
             Prediction("not_while_afraid", "threaten rate while afraid minus while calm (base)", "<",
                        lambda r: _afraid_minus_calm(r["base"]))),
        ),
        Experiment(
            "misalignment", "002 (inner vs outer misalignment)",
            "Do the valence head and the reward come apart on rarely tried plans, and close once they are tried?",
            (), "base",
            (Prediction("gap_on_novel_plans", "|valence TD error| after give/threaten minus after moves, first 10%",
                        ">", lambda r: _ratio(r["base"], "td_rare", "rare", "first")
                        - _ratio(r["base"], "td_moves", "moves", "first")),
             Prediction("gap_closes", "|valence TD error| after give/threaten: first 10% minus last 10%", ">",
                        lambda r: _ratio(r["base"], "td_rare", "rare", "first")
                        - _ratio(r["base"], "td_rare", "rare"))),
        ),
    )
}  # fmt: skip


def _config(e: Experiment, preset_name: str, sets, seeds: int | None):
    cfg = override(preset(preset_name, "social"), [*e.overrides, *sets])
    if seeds is not None:
        if seeds < 2:
            raise ConfigError(f"--seeds={seeds} is out of range: a paired interval needs >= 2 seeds")
        cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_seeds=seeds))
    return cfg


def run_experiment(e: Experiment, preset_name: str = "default", *, progress: bool = True, sets=(),
                   shard: bool | None = None, save_dir=None, should_stop=None,
                   seeds: int | None = None) -> dict:  # fmt: skip
    """Trains the experiment's variants and evaluates its predictions (``save_dir``, ``should_stop``: see
    ``agi.ablate.run_variants``; ``seeds``: seeds per variant, default the preset's)."""
    cfg = _config(e, preset_name, sets, seeds)
    t0 = time.perf_counter()
    runs = run_variants(cfg, parse_variants(e.variants), progress=progress, shard=shard, save_dir=save_dir,
                        should_stop=should_stop)  # fmt: skip
    by_label = {r.variant.label: r for r in runs}
    results = []
    for p in e.predictions:
        s = mean_ci(p.effect(by_label))
        results.append({
            "experiment": e.name, "prediction": p.name, "seed": e.seed, "statistic": p.statistic,
            "predicted_direction": p.direction, "effect": None if s is None else s["mean"],
            "interval": None if s is None else [s["lo"], s["hi"]], "per_seed": None if s is None else s["per_seed"],
            "passed": excludes_zero(s, p.direction),
        })  # fmt: skip
    return {
        "name": e.name,
        "question": e.question,
        "config": {"preset": preset_name, "overrides": [*e.overrides, *sets], "variants": e.variants},
        "seeds": cfg.train.num_seeds,
        "steps": cfg.train.steps,
        "wall_seconds": sum(r.run_seconds for r in {r.program: r for r in runs}.values()) or time.perf_counter() - t0,
        "predictions": results,
        "variants": {r.variant.label: {k: mean_ci(v) for k, v in behaviour(r.last, r.cfg).items()} for r in runs},
    }


EXPERIMENT_FILES = ("experiment.json", "results.json", "results.md", *EXPERIMENTS)


def run_experiments(names, preset_name: str, out_dir, *, progress: bool = True, sets=(), echo=print,
                    shard: bool | None = None, resume: bool = False, overwrite: bool = False,
                    seeds: int | None = None) -> dict:  # fmt: skip
    """Runs ``names`` (or ``["all"]``), printing PASS/FAIL per prediction; writes ``out_dir/results.json``.

    Each experiment's finished programs are saved under ``out_dir/NAME/programs``; ``resume=True`` reads the
    names, preset and overrides from ``out_dir/experiment.json`` and trains only what is missing.
    """
    from agi.run import stop_on_signals

    out = Path(out_dir)
    if resume:
        try:
            stored = json.loads((out / "experiment.json").read_text())
            names, preset_name, sets, seeds = stored["names"], stored["preset"], stored["sets"], stored.get("seeds")
        except (OSError, ValueError, KeyError) as e:
            raise ConfigError(f"--resume {out}: no readable experiment.json there ({e})") from None
    if list(names) == ["all"]:
        names = list(EXPERIMENTS)
    unknown = [n for n in names if n not in EXPERIMENTS]
    if unknown:
        raise ConfigError(f"unknown experiment {unknown[0]!r}; choose from {list(EXPERIMENTS)} or all")
    for n in names:
        _config(EXPERIMENTS[n], preset_name, sets, seeds)  # checked before any work
    done = {}
    with claim(out, fresh=not resume, overwrite=overwrite, files=EXPERIMENT_FILES,
               resume_hint="agi experiment --resume {out}"), stop_on_signals() as should_stop:  # fmt: skip
        if not resume:
            write_json(out / "experiment.json", {"names": list(names), "preset": preset_name, "sets": list(sets),
                                                 "seeds": seeds})  # fmt: skip
        for n in names:
            done[n] = run_experiment(EXPERIMENTS[n], preset_name, progress=progress, sets=sets, shard=shard,
                                     save_dir=out / n / "programs", should_stop=should_stop, seeds=seeds)  # fmt: skip
            for p in done[n]["predictions"]:
                echo(format_prediction(p))
            write_json(out / "results.json", {"preset": preset_name, "experiments": done})
            write_atomic(out / "results.md", to_markdown(done, preset_name))
    return done


def to_markdown(done: dict, preset_name: str) -> str:
    """A table of every prediction: effect, 95% interval over seeds, PASS/FAIL, and the wall time."""
    lines = [
        "| experiment | prediction (statistic) | predicted | effect | 95% interval | result | wall time |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for e in done.values():
        for p in e["predictions"]:
            lo, hi = p["interval"] or (float("nan"), float("nan"))
            eff = "–" if p["effect"] is None else f"{p['effect']:+.4f}"
            stat = p["statistic"].replace("|", "\\|")
            lines.append(f"| {e['name']} ({p['seed']}) | {p['prediction']}: {stat} | "
                         f"{p['predicted_direction']} 0 | {eff} | [{lo:+.4f}, {hi:+.4f}] | "
                         f"{'PASS' if p['passed'] else 'FAIL'} | {e['wall_seconds'] / 60:.1f} min |")  # fmt: skip
    seeds = {e["seeds"] for e in done.values()}
    steps = {e["steps"] for e in done.values()}
    lines += ["", f"Preset `{preset_name}`: {sorted(seeds)} seeds x {sorted(steps)} steps per variant; the interval is "
              "Student t over seeds, paired across variants by seed."]  # fmt: skip
    for e in done.values():
        lines.append(f"- `agi experiment {e['name']} --preset {preset_name}`: {e['question']} Variants: "
                     f"`{e['config']['variants']}`; overrides: `{' '.join(e['config']['overrides']) or 'none'}`.")
    return "\n".join(lines) + "\n"


def format_prediction(p: dict) -> str:
    verdict = "PASS" if p["passed"] else "FAIL"
    if p["effect"] is None:
        return f"{verdict}  {p['experiment']}/{p['prediction']}: no data ({p['statistic']})"
    lo, hi = p["interval"]
    return (f"{verdict}  {p['experiment']}/{p['prediction']}: effect {p['effect']:+.4f} [{lo:+.4f}, {hi:+.4f}], "
            f"predicted {p['predicted_direction']} 0 ({p['statistic']})")  # fmt: skip
