"""``agi ablate``: what changes if a steering signal is gone? Variants × seeds, with paired intervals.

The variant language (variants separated by ``;``, tokens inside a variant by spaces, an optional label first)::

    base                          the configuration as given
    -NAME                         drop drive NAME                      (= drop:NAME)
    NAME.gain=G                   scale drive NAME's reward by G       (= gain:NAME=G)
    gate:SIGNAL=off               the head of SIGNAL never learns      (= cut_gate:SIGNAL)
    gate:SIGNAL=open              the head of SIGNAL learns every step (= open_gate:SIGNAL, its gating removed)
    clamp:SIGNAL=V                SIGNAL is V wherever it is produced
    mode:SIGNAL=override|defer    force SIGNAL's ground truth to the innate value / the head's own prediction
    drop:NAME  gain:NAME=G  cut_gate:SIGNAL  open_gate:SIGNAL      the steering.ablations spellings
    SECTION.KEY=VALUE             any config override, e.g. steering.friend_enemy.prior=-1
                                  world.social.characters=friend,elder (old flat spellings: config.ALIASES),
                                  or of a registered world's or drive's section (beacon.speed=0.5; not .gain)
    LABEL:                        (first token) a name for the variant in tables and plots

Example: ``"base; -compassion_spite; compassion_spite.gain=0.5; gate:finder_pleasure=open;
enemy: steering.friend_enemy.prior_kin=-1 steering.friend_enemy.rate=0"``.

Every variant trains the same seeds (the same master seed), so differences are paired seed by seed. Seeds are a
vmapped axis, and variants that differ only in drive gains share one compiled program: their gains become
run-time knobs (``gain:NAME=@KNOB``) and the variants are stacked along the seed axis.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

import jax
import numpy as np

from agi.config import ConfigError, RunConfig, override
from agi.measure import behaviour, compile_ahead, declared, measure
from agi.metrics import Window
from agi.registry import sections
from agi.rundir import claim, save_figure, write_atomic, write_json
from agi.stats import mean_ci, paired

SECTIONS = ("world", "steering", "agent", "train")
KINDS = ("drop", "gain", "clamp", "cut_gate", "open_gate", "mode")
HELP = ("expected base, -DRIVE, DRIVE.gain=G, gate:SIGNAL=off|open, clamp:SIGNAL=V, mode:SIGNAL=override|defer, "
        "drop:/gain:/cut_gate:/open_gate: forms, or SECTION.KEY=VALUE")  # fmt: skip


class Variant(NamedTuple):
    label: str
    text: str
    ablations: tuple[str, ...]
    overrides: tuple[str, ...]


def parse_variants(text: str) -> list[Variant]:
    """Parses the variant language (module docstring); a bad token raises ``ConfigError`` naming it."""
    parts = [p.strip() for p in text.split(";")]
    if not any(parts):
        raise ConfigError("--variants is empty; e.g. \"base; -compassion_spite\"")
    variants = [parse_variant(p, i + 1) for i, p in enumerate(parts) if p]
    labels = [v.label for v in variants]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ConfigError(f"variant labels must be unique; repeated: {dup}")
    return variants


def parse_variant(text: str, index: int = 1) -> Variant:
    """One variant (``index`` numbers it in error messages)."""
    tokens = text.split()
    label = None
    first = tokens[0][:-1] if tokens else ""
    if tokens and tokens[0].endswith(":") and first and ":" not in first and first not in (*KINDS, "gate"):
        label, tokens = tokens[0][:-1], tokens[1:]
    ablations, overrides = [], []

    def bad(tok, why=HELP):
        return ConfigError(f"variant {index} ({text!r}): bad token {tok!r}: {why}")

    for tok in tokens:
        kind, colon, rest = tok.partition(":")
        key, eq, value = tok.partition("=")
        if tok == "base":
            continue
        if tok.startswith("-") and len(tok) > 1 and not eq and not colon:
            ablations.append(f"drop:{tok[1:]}")
        elif colon and kind == "gate":
            name, eq2, state = rest.partition("=")
            if not name or state not in ("off", "open"):
                raise bad(tok, "expected gate:SIGNAL=off (never learns) or gate:SIGNAL=open (always learns)")
            ablations.append(f"{'cut_gate' if state == 'off' else 'open_gate'}:{name}")
        elif colon and kind in KINDS:
            if not rest:
                raise bad(tok)
            ablations.append(tok)
        elif eq and "." in key and not colon:
            head, _, attr = key.partition(".")
            if key in ("train.seed", "train.num_seeds"):
                raise bad(tok, "every variant trains the same seeds (set --seeds / --set for the base instead)")
            if head in SECTIONS or (attr != "gain" and head in sections()):  # a registered world's or drive's
                overrides.append(tok)
            elif attr == "gain" and head:
                try:
                    float(value)
                except ValueError:
                    raise bad(tok, f"{value!r} is not a number") from None
                ablations.append(f"gain:{head}={value}")
            else:
                raise bad(tok, f"a drive has only .gain; config sections are {(*SECTIONS, *sections())}")
        else:
            raise bad(tok)
    return Variant(label or (text.strip() or "base"), text.strip(), tuple(ablations), tuple(overrides))


def variant_config(base: RunConfig, v: Variant) -> RunConfig:
    """``base`` with the variant's overrides and ablations, checked by building the agent once."""
    from agi.assemble import make_agent

    try:
        cfg = override(base, v.overrides)
        cfg = dataclasses.replace(
            cfg, steering=dataclasses.replace(cfg.steering, ablations=cfg.steering.ablations + v.ablations)
        )
        make_agent(cfg)
    except (ConfigError, ValueError) as e:
        from agi.registry import drive_names

        drive = re.match(r"unknown config key '([^'.]+)\.", str(e))
        hint = ""
        if drive and drive[1] in drive_names():  # a typo of the one key every drive has in a variant
            hint = f" (or {drive[1]}.gain=G, which scales the drive's reward)"
        raise ConfigError(f"variant {v.label!r}: {e}{hint}") from None
    return cfg


class VariantRun(NamedTuple):
    variant: Variant
    cfg: RunConfig  # the variant's own config (as if it had run alone)
    first: Any  # agi.metrics.Window over the first 10% of steps
    last: Any  # and over the last 10%
    history: list  # per-chunk rows (means over seeds)
    compile_seconds: float  # of the program it ran in (shared by the variants merged into it)
    run_seconds: float
    program: int  # which compiled program it ran in


class _Group(NamedTuple):
    cfg: RunConfig  # the merged config: the variants' common ablations + gains and settings read from knobs
    members: list  # [(Variant, own cfg, {drive: gain})]
    drives: tuple  # drives whose gain is a knob
    settings: tuple = ()  # drive settings (full config keys) read from knobs: ``steering.knobs``
    random: bool = False  # some members act at random (``agent.selection=random``): ``agent.random_knob``


def _split_gains(ablations):
    """``({drive: gain}, other ablations)``: numeric gains are what merged variants may differ in."""
    gains, rest = {}, []
    for a in ablations:
        kind, _, arg = a.partition(":")
        name, eq, value = arg.partition("=")
        if kind == "gain" and eq and not value.startswith("@"):
            gains[name] = gains.get(name, 1.0) * float(value)
        else:
            rest.append(a)
    return gains, tuple(rest)


RANDOM = "agent.selection=random"
"""The random-policy variant's override: where other variants in its group do not act at random, it becomes the
run-time knob ``knob/random_policy`` (``agent.random_knob``)."""


def _setting_key(base: RunConfig, override_text: str) -> str | None:
    """The full config key of an override if it sets a drive's float setting (one that can be a run-time knob,
    ``steering.knobs``), else None."""
    key = override_text.partition("=")[0]
    try:
        return override(base, [f"steering.knobs={key}"]).knob_keys()[0]
    except ConfigError:
        return None


def _setting(cfg: RunConfig, key: str) -> float:
    return float(cfg.value(key))


def plan(base: RunConfig, variants, settings: bool = True) -> list[_Group]:
    """Groups the variants into as few programs as possible: variants with the same non-numeric ablations and
    the same other overrides differ only in drive gains and (``settings``) drive settings that are numbers
    (``steering.arousal.a_spider=0``), which become run-time knobs of one program. A group whose settings cannot
    be knobs (a drive that branches on one, or whose heads or signals depend on it) runs as before: one program
    per distinct set of overrides."""
    groups: dict[tuple, list] = {}
    for v in variants:
        gains, rest = _split_gains(v.ablations)
        fixed = tuple(o for o in v.overrides if not (settings and (o == RANDOM or _setting_key(base, o))))
        groups.setdefault((fixed, rest), []).append((v, variant_config(base, v), gains))
    out = []
    for (fixed, rest), members in groups.items():
        keys = tuple(dict.fromkeys(_setting_key(base, o) for v, _, _ in members for o in v.overrides
                                   if o not in fixed and o != RANDOM))  # fmt: skip
        good = keys if not keys or _settings_can_be_knobs(base, fixed, rest, keys, members) else tuple(
            k for k in keys if _settings_can_be_knobs(base, fixed, rest, (k,), members))  # fmt: skip
        split: dict[tuple, list] = {}  # by the settings that cannot be knobs, each value its own program
        for m in members:
            own = tuple(o for o in m[0].overrides
                        if o not in fixed and o != RANDOM and _setting_key(base, o) not in good)  # fmt: skip
            split.setdefault(own, []).append(m)
        for own, ms in split.items():
            knobs = tuple(k for k in good if len({_setting(c, k) for _, c, _ in ms}) > 1)
            if knobs and not _settings_can_be_knobs(base, fixed + own, rest, knobs, ms):
                out += _each_alone(base, rest, ms)
                continue
            same = tuple(o for o in dict.fromkeys(o for v, _, _ in ms for o in v.overrides)
                         if o not in fixed + own and o != RANDOM and _setting_key(base, o) not in knobs)  # fmt: skip
            rand = [c.agent.selection == "random" for _, c, _ in ms]
            same += (RANDOM,) if all(rand) and RANDOM not in fixed else ()
            try:
                out.append(_group(base, fixed + own + same, rest, ms, knobs, any(rand) and not all(rand)))
            except ConfigError:  # the merged config does not build
                out += _each_alone(base, rest, ms)
    return out


def _each_alone(base: RunConfig, rest: tuple, members: list) -> list[_Group]:
    """One program for each distinct set of overrides among ``members`` (their gains still shared)."""
    alone: dict[tuple, list] = {}
    for m in members:
        alone.setdefault(m[0].overrides, []).append(m)
    return [_group(base, o, rest, g, ()) for o, g in alone.items()]


def _group(base: RunConfig, overrides: tuple, rest: tuple, members: list, settings: tuple,
           random: bool = False) -> _Group:  # fmt: skip
    drives = tuple(dict.fromkeys(d for _, _, g in members for d in g))
    knobs = (f"steering.knobs={','.join((*base.steering.knobs, *settings))}",) if settings else ()
    knobs += ("agent.random_knob=true",) if random else ()
    merged = Variant("merged", "", rest + tuple(f"gain:{d}=@gain_{d}" for d in drives), overrides + knobs)
    return _Group(variant_config(base, merged), members, drives, settings, random)


def _settings_can_be_knobs(base: RunConfig, fixed, rest, keys, members) -> bool:
    """Whether the drives built with each member's values of ``keys`` (the rest as ``fixed`` and ``rest`` set
    it) have the same structure (names, signals, heads, body) and the system builds and traces with the values
    as run-time knobs."""
    from agi.assemble import build_steering, make_agent

    def structure(cfg):
        steering = build_steering(cfg)
        return repr(([(d.name, d.provides, d.heads, d.log) for d in steering.drives], steering.body))

    try:
        common = variant_config(base, Variant("merged", "", rest, fixed))
        if len({structure(common.with_values({k: _setting(c, k) for k in keys})) for _, c, _ in members}) > 1:
            return False
        make_agent(override(common, [f"steering.knobs={','.join((*base.steering.knobs, *keys))}"]))
    except (ConfigError, TypeError, ValueError):
        return False
    return True


def run_variants(base: RunConfig, variants, *, progress: bool = True, shard: bool | None = None, save_dir=None,
                 should_stop=None, compile_next: bool | None = None,
                 settings: bool = True) -> list[VariantRun]:  # fmt: skip
    """Trains every variant on the same seeds, variants that differ only in gains and (``settings``) drives'
    number settings inside one program (``plan``; configs are all checked before anything trains). Returns the
    runs in the order of ``variants``.

    ``save_dir``: each finished program's windows and curves are saved there (``program-I.json``) and read back
    instead of trained again when the same program is asked for, so an interrupted suite resumes where it
    stopped; a saved program of another config, variants or gains is never overwritten (``ConfigError``: use
    a fresh folder). ``should_stop()`` (a signal flag) ends the current program early: ``agi.run.Interrupted``.
    ``compile_next``: while a program trains, the next one not yet saved compiles in a background thread, from
    the end of the first chunk (the same results; a program's ``compile_seconds`` is then the time its run
    waited for it).
    None (default): on where the runs are not on the CPU, whose cores the compiler would take from the run
    (measured on a 2-core CPU: no faster, benchmarks/README.md "compile_ahead.py").
    """
    from agi.run import Interrupted

    ahead = jax.default_backend() != "cpu" if compile_next is None else compile_next
    groups = plan(base, variants, settings)
    keys = [{"config": json.loads(g.cfg.to_json()), "members": [m[0].text for m in g.members],
             "gains": [m[2] for m in g.members]} for g in groups]  # fmt: skip
    saves = [_load_program(save_dir, i, k) for i, k in enumerate(keys)]
    todo = [i for i, saved in enumerate(saves) if saved is None]
    compiling = {}  # program -> wait(): the next program compiles while the current one runs

    def start_next(program):
        """Once ``program`` has run a chunk, its own compile is done (two compiles at once only queue up): the
        next one's begins."""
        i = next((i for i in todo if i > program), None)
        if ahead and i is not None and i not in compiling and not (should_stop is not None and should_stop()):
            compiling[i] = compile_ahead(groups[i].cfg, **_measure_slots(groups[i], shard))

    runs = {}
    try:
        for program, (g, key, saved) in enumerate(zip(groups, keys, saves, strict=True)):
            if saved is None:
                saved = _train(g, key, program, len(groups), progress, should_stop, shard, compiling.pop(program, None),
                               lambda program=program: start_next(program))  # fmt: skip
                if save_dir is not None:
                    Path(save_dir).mkdir(parents=True, exist_ok=True)
                    write_json(Path(save_dir) / f"program-{program}.json", saved)
            first, last = (Window(0, 0, declared(g.cfg)).load(saved[k]) for k in ("first", "last"))
            s = g.cfg.train.num_seeds
            for i, (variant, cfg, _) in enumerate(g.members):
                idx = np.arange(i * s, (i + 1) * s)
                runs[variant.label] = VariantRun(variant, cfg, first.select(idx), last.select(idx),
                                                 saved["histories"][i], saved["compile_seconds"],
                                                 saved["wall_seconds"], program)  # fmt: skip
    except Interrupted as e:
        done = f"{program} of {len(groups)} programs saved in {save_dir}" if save_dir else "nothing saved"
        raise Interrupted(f"{e}; {done}", e.step, e.out_dir) from None
    finally:  # a compile still running when the suite stops ends before the interpreter does
        for wait in compiling.values():
            with contextlib.suppress(Exception):
                wait()
    return [runs[v.label] for v in variants]


def _measure_slots(g: _Group, shard) -> dict:
    """``measure``'s batch slots for a group: its variants stacked along the seed axis, what they differ in as
    knobs (every other knob of the merged config at its default)."""
    from agi.agent import default_knobs

    s, v = g.cfg.train.num_seeds, len(g.members)
    knobs = {f"knob/gain_{d}": np.repeat(np.asarray([gains.get(d, 1.0) for _, _, gains in g.members], np.float32), s)
             for d in g.drives}  # fmt: skip
    for k in g.settings:
        knobs[f"knob/{k}"] = np.repeat(np.asarray([_setting(c, k) for _, c, _ in g.members], np.float32), s)
    if g.random:
        knobs["knob/random_policy"] = np.repeat(np.asarray([c.agent.selection == "random" for _, c, _ in g.members],
                                                           np.float32), s)  # fmt: skip
    if knobs:
        knobs = {**{k: np.full(s * v, x, np.float32) for k, x in default_knobs(g.cfg).items()}, **knobs}
    return dict(num_slots=s * v, seed_index=np.tile(np.arange(s), v), init_args=knobs or None, shard=shard)


def _train(g: _Group, key: dict, program: int, programs: int, progress, should_stop, shard, compiled,
           after_chunk) -> dict:  # fmt: skip
    """Trains one program; returns what ``save_dir`` keeps of it (``Interrupted`` if it was stopped early)."""
    from agi.run import Interrupted

    s = g.cfg.train.num_seeds
    histories = [[] for _ in g.members]

    def on_chunk(end, m):
        for i, h in enumerate(histories):
            rows = {k: float(x[i * s:(i + 1) * s].mean()) for k, x in m.items() if k.startswith("reward")}
            h.append({"step": end, **rows})
        after_chunk()

    t0 = time.perf_counter()
    desc = " | ".join(m[0].label for m in g.members)
    _, result, first, last, _ = measure(g.cfg, progress=progress, desc=desc, on_chunk=on_chunk, should_stop=should_stop,
                                        compiled=compiled, **_measure_slots(g, shard))  # fmt: skip
    if result.steps < g.cfg.train.steps:
        raise Interrupted(f"interrupted in program {program + 1} of {programs} ({desc}) at step {result.steps:,}",
                          result.steps)  # fmt: skip
    return {**key, "first": first.to_json(), "last": last.to_json(), "histories": histories,
            "compile_seconds": result.compile_seconds, "wall_seconds": time.perf_counter() - t0}  # fmt: skip


def _load_program(save_dir, program: int, key: dict) -> dict | None:
    """The saved results of ``program`` if ``save_dir`` holds them for the same config, variants and gains."""
    if save_dir is None:
        return None
    path = Path(save_dir) / f"program-{program}.json"
    try:
        saved = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    from agi.config import normalised

    # (configs compared as this version writes them: a folder saved before a field was added still matches)
    same = lambda k, v: (normalised(saved.get(k)) == normalised(v) if k == "config"
                         else saved.get(k) == json.loads(json.dumps(v)))  # fmt: skip
    differ = [k for k, v in key.items() if not same(k, v)]
    if differ:
        raise ConfigError(f"{path} holds the results of another program (its {', '.join(differ)} differ); "
                          "save this suite in a fresh folder, or remove that file to train it again")
    return saved


def summarize(runs: list[VariantRun]) -> dict:
    """results.json: per variant, every metric's mean, interval and per-seed values, and paired differences
    against the first variant."""
    base = behaviour(runs[0].last, runs[0].cfg)
    out = []
    for r in runs:
        m = behaviour(r.last, r.cfg)
        out.append({
            "label": r.variant.label,
            "variant": r.variant.text,
            "ablations": list(r.cfg.steering.ablations),
            "overrides": list(r.variant.overrides),
            "program": r.program,
            "compile_seconds": r.compile_seconds,
            "wall_seconds": r.run_seconds,
            "metrics": {k: mean_ci(v) for k, v in m.items()},
            "vs_first": {k: paired(v, base[k]) for k, v in m.items() if k in base and r is not runs[0]},
        })  # fmt: skip
    cfg = runs[0].cfg
    return {
        "world": cfg.world.name,
        "seeds": cfg.train.num_seeds,
        "steps": cfg.train.steps,
        "window": "last 10% of training steps",
        "interval": "95%, Student t over seeds; vs_first pairs seeds by index",
        "programs": len({r.program for r in runs}),
        "variants": out,
    }


def _fmt(s, pct=False):
    if s is None:
        return "–"
    f = (lambda x: f"{100 * x:.2f}%") if pct else (lambda x: f"{x:+.4f}")
    half = (f"{100 * s['ci95']:.2f}%" if pct else f"{s['ci95']:.4f}") if np.isfinite(s["ci95"]) else "nan"
    return f"{f(s['mean'])} ± {half}"


KEY_METRICS = ("reward_per_step", "episode_return", "give_rate", "threaten_rate", "eye_contact_fraction",
               "empathy_r")  # fmt: skip


def _measured(variants) -> list[str]:
    """The ``KEY_METRICS`` some variant has a value of (no episode return where no episode ended)."""
    finite = lambda s: s is not None and s["mean"] is not None and np.isfinite(s["mean"])
    return [k for k in KEY_METRICS if any(finite(v["metrics"].get(k)) for v in variants)]


def write_report(results: dict, runs: list[VariantRun], out: Path, command: str = "") -> list[Path]:
    """Writes results.json, report.md and the plots into ``out``; returns the plot paths."""
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    plots = [_plot_metrics(results, out / "metrics.png"), _plot_rewards(runs, out / "reward_by_drive.png")]
    variants = results["variants"]
    metrics = _measured(variants)
    # drives that never reward, and signals that are never set, are left out
    drives = [k for k in variants[0]["metrics"] if k.startswith(("reward/", "signal/", "diagnostic/"))
              and any(v["metrics"].get(k) and any(v["metrics"][k]["per_seed"]) for v in variants)]
    lines = [f"# Ablation: {results['world']}, {results['seeds']} seeds × {results['steps']:,} steps", ""]
    if command:
        lines += ["```", command, "```", ""]
    lines += [f"Metrics over the {results['window']}; intervals {results['interval']}.", ""]
    head = "| metric | " + " | ".join(v["label"] for v in variants) + " |"
    lines += [head, "|" + " --- |" * (len(variants) + 1)]
    for k in metrics + drives:
        pct = k.endswith(("_rate", "_fraction"))
        cells = []
        for i, v in enumerate(variants):
            cell = _fmt(v["metrics"].get(k), pct)
            if i > 0 and v["vs_first"].get(k) is not None:
                cell += f" (Δ {_fmt(v['vs_first'][k], pct)})"
            cells.append(cell)
        lines.append(f"| {k} | " + " | ".join(cells) + " |")
    lines += ["", "Δ: paired difference from the first variant, seed by seed.", ""]
    lines += [f"![{p.stem}]({p.name})" for p in plots]
    write_atomic(out / "report.md", "\n".join(lines) + "\n")
    return plots


def _plt():
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    return plt


def _plot_metrics(results, path):
    plt = _plt()
    variants = results["variants"]
    keys = _measured(variants)
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 3.4), squeeze=False)
    for ax, k in zip(axes[0], keys, strict=True):
        for i, v in enumerate(variants):
            s = v["metrics"].get(k)
            if s is None:
                continue
            ax.errorbar([i], [s["mean"]], yerr=[[abs(s["ci95"])] if np.isfinite(s["ci95"]) else [0]], fmt="o",
                        capsize=4)  # fmt: skip
            seeds = [v for v in s["per_seed"] if v is not None]
            ax.scatter([i] * len(seeds), seeds, s=8, color="grey", alpha=0.6)
        ax.set_xticks(range(len(variants)), [v["label"] for v in variants], rotation=30, ha="right", fontsize=8)
        ax.set_title(k, fontsize=9)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    return path


def _plot_rewards(runs, path):
    plt = _plt()
    fig, axes = plt.subplots(1, len(runs), figsize=(4 * len(runs), 3.4), squeeze=False, sharey=True)
    for ax, r in zip(axes[0], runs, strict=True):
        steps = [h["step"] for h in r.history]
        ax.plot(steps, [h["reward"] for h in r.history], color="black", lw=2, label="total")
        for k in sorted(k for k in r.history[0] if k.startswith("reward/")):
            if any(h[k] for h in r.history):
                ax.plot(steps, [h[k] for h in r.history], lw=1, label=k.split("/", 1)[1])
        ax.axhline(0, color="grey", lw=0.5)
        ax.set(title=r.variant.label, xlabel="step")
    axes[0, 0].set_ylabel("reward per agent-step")
    axes[0, -1].legend(fontsize=7)
    fig.tight_layout()
    save_figure(fig, path, dpi=100)
    return path


ABLATE_FILES = ("ablate.json", "programs", "results.json", "report.md", "metrics.png", "reward_by_drive.png")


def ablate(base: RunConfig, variants_text: str, out_dir, *, progress: bool = True, command: str = "",
           shard: bool | None = None, resume: bool = False, overwrite: bool = False) -> dict:  # fmt: skip
    """Parses, runs and reports; returns results.json's content.

    The folder is claimed as a run folder is (``agi.rundir.claim``): locked while written, refused if it holds
    another suite unless ``overwrite``. Each finished program is saved under ``out_dir/programs``;
    ``resume=True`` reads the suite's own ``ablate.json`` (its config and variants) and trains only what is
    missing. Ctrl-C or SIGTERM stops after the current program's chunk: ``agi.run.Interrupted``.
    """
    from agi.run import stop_on_signals

    out = Path(out_dir)
    settings = True  # drives' number settings as run-time knobs (folders written before 2026-12-07: not)
    if resume:
        base, variants_text, command, settings = _stored_suite(out)
    variants = parse_variants(variants_text)
    for v in variants:
        variant_config(base, v)  # every variant is checked before the folder is touched
    with claim(out, fresh=not resume, overwrite=overwrite, files=ABLATE_FILES,
               resume_hint="agi ablate --resume {out}"), stop_on_signals() as should_stop:  # fmt: skip
        if not resume:
            write_json(out / "ablate.json", {"config": base.to_dict(), "variants": variants_text,
                                             "command": command, "settings_as_knobs": settings})  # fmt: skip
        runs = run_variants(base, variants, progress=progress, shard=shard, save_dir=out / "programs",
                            should_stop=should_stop, settings=settings)  # fmt: skip
        results = summarize(runs)
        write_report(results, runs, out, command)
    return results


def _stored_suite(out: Path):
    """``(config, variants text, command, settings as knobs)`` of the suite in ``out``, from its ``ablate.json``."""
    from agi.config import from_dict

    try:
        d = json.loads((out / "ablate.json").read_text())
        return from_dict(d["config"]), d["variants"], d.get("command", ""), bool(d.get("settings_as_knobs", False))
    except FileNotFoundError:
        raise ConfigError(f"--resume {out}: no ablate.json there (not a folder written by agi ablate)") from None
    except (ValueError, KeyError, TypeError) as e:
        raise ConfigError(f"--resume {out}: ablate.json is unreadable ({e})") from None
