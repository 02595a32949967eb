"""The built-in experiments of DESIGN.md §9: each runs on the tiny preset and reports its predictions."""

import json
import math
from pathlib import Path

import pytest

from agi.config import ConfigError
from agi.experiments import EXPERIMENTS, REGISTERED, ROLES, format_prediction, run_experiments

SHORT = ("train.steps=20", "train.chunks=1")
KEYS = {"statistic", "predicted_direction", "effect", "interval", "passed"}


def _check(done, names):
    assert list(done) == list(names)
    for name in names:
        e = done[name]
        assert len(e["predictions"]) == len(EXPERIMENTS[name].predictions)
        for p in e["predictions"]:
            assert KEYS <= set(p) and p["predicted_direction"] in (">", "<") and p["role"] in ROLES
            assert isinstance(p["passed"], bool)
            if p["effect"] is not None and p["passed"]:
                lo, hi = p["interval"]
                assert (lo > 0) if p["predicted_direction"] == ">" else (hi < 0)
            assert format_prediction(p).startswith(("PASS", "FAIL"))


def test_the_registered_experiments_are_defined():
    assert list(EXPERIMENTS) == ["stranger_danger", "compassion_spite", "compassion_sated", "giving_decomposed",
                                 "giving_hungry", "giving_scaled", "giving_prior", "giving_learned",
                                 "giving_learned_long", "giving_default_long",
                                 "giving_which_setting", "giving_preset", "giving_preset_gain10",
                                 "giving_centred_gain10", "giving_centering_cost", "giving_gain10_16",
                                 "compassion_spares", "compassion_spares_sated", "compassion_gain_preset",
                                 "compassion_spares_kin",
                                 "liked_admired", "concept_finder_gating", "halo_effect", "liking",
                                 "liking_generous", "liking_contrast", "liking_alone", "liking_approach", "feared",
                                 "feared_strong_long", "feared_specific", "finder_gate_feared", "finder_gate_social",
                                 "arousal_hiding", "spider_hiding", "hiding_blinds_empathy",
                                 "empathy_envs", "misalignment"]  # fmt: skip


def test_experiments_run_the_preset_they_were_registered_with():
    """The social default preset scales the valence since 2026-12-07, and keeps plans by a threshold of 0.5 over
    30,000 steps since later that day, and centres the valence head's reward since the day's ninth session; the
    experiments registered before run as they were registered (unscaled,
    threshold 0, 20,000 steps), unless their own overrides say otherwise."""
    from agi.config import preset
    from agi.experiments import _config

    assert preset("default", "social").agent.reward_norm
    assert not _config(EXPERIMENTS["compassion_spite"], "default", (), None).agent.reward_norm
    assert _config(EXPERIMENTS["giving_learned"], "default", (), None).agent.reward_norm  # its own override
    assert _config(EXPERIMENTS["compassion_spite"], "default", ("agent.reward_norm=true",), None).agent.reward_norm
    as_registered = _config(EXPERIMENTS["compassion_spite"], "default", (), None)
    assert (as_registered.agent.threshold, as_registered.train.steps) == (0.0, 20_000)
    assert _config(EXPERIMENTS["giving_default_long"], "default", (), None).train.steps == 80_000  # its own budget
    for e in EXPERIMENTS.values():  # every one registered before the threshold keeps threshold 0
        centred = e.name in ("compassion_spares_sated", "giving_centred_gain10", "giving_centering_cost",
                              "giving_gain10_16", "compassion_gain_preset")
        expected = 0.5 if e.name in ("giving_preset", "giving_preset_gain10", "liking_approach") or centred else 0.0
        assert _config(e, "default", (), None).agent.threshold == expected, e.name
        assert _config(e, "default", (), None).agent.reward_center == (0.01 if centred else 0.0), e.name
    # --as-shipped: today's default preset, then the experiment's own overrides
    shipped = _config(EXPERIMENTS["compassion_spares"], "default", (), None, as_shipped=True)  # (no overrides)
    today = preset("default", "social")
    assert (shipped.agent, shipped.steering, shipped.train) == (today.agent, today.steering, today.train)
    assert _config(EXPERIMENTS["giving_default_long"], "default", (), None, as_shipped=True).train.steps == 80_000
    # the pins are the default preset's history: another preset runs as it is
    tiny = _config(EXPERIMENTS["compassion_spite"], "tiny", (), None)
    assert tiny.train.steps == preset("tiny", "social").train.steps


def test_every_experiment_has_a_negative_control_and_is_registered():
    """Each experiment carries a control that must fail where its mechanism is absent, and each statistic is
    written in the registration (docs/experiments.md) under its name, with the variants it compares."""
    text = (Path(__file__).parents[2] / REGISTERED).read_text()
    for e in EXPERIMENTS.values():
        assert any(p.role == "control" for p in e.predictions), e.name
        assert f"### {e.name}" in text, e.name
        section = text.split(f"### {e.name}\n", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
        assert e.variants in section, e.name  # in its own section (an identical string elsewhere does not count)
        for p in e.predictions:
            assert f"`{p.name}`" in section, (e.name, p.name)


@pytest.mark.slow  # ~55 s of training; kept out of the default run for CI time (make test-slow runs it)
def test_an_experiment_runs_on_tiny_and_writes_results(tmp_path):
    lines = []
    names = ["stranger_danger"]
    done = run_experiments(names, "tiny", tmp_path, progress=False, sets=SHORT, echo=lines.append, seeds=3)
    _check(done, names)
    e = done["stranger_danger"]
    assert e["seeds"] == 3 and len(e["variants"]["base"]["reward_per_step"]["per_seed"]) == 3
    assert len(lines) == len(EXPERIMENTS["stranger_danger"].predictions)
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["preset"] == "tiny" and set(saved["experiments"]) == set(names)
    p = saved["experiments"]["stranger_danger"]["predictions"][0]
    assert p["effect"] is None or math.isfinite(p["effect"])


def test_unknown_experiment_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="unknown experiment 'nope'"):
        run_experiments(["nope"], "tiny", tmp_path)
    with pytest.raises(ConfigError, match="needs >= 2 seeds"):
        run_experiments(["stranger_danger"], "tiny", tmp_path / "one", seeds=1)
    assert not (tmp_path / "one").exists()


@pytest.mark.slow
def test_every_experiment_runs_on_tiny(tmp_path):
    done = run_experiments(["all"], "tiny", tmp_path, progress=False, sets=SHORT, echo=lambda s: None)
    _check(done, list(EXPERIMENTS))


def _result(effect, lo, hi, passed, role="prediction"):
    return {
        "experiment": "e",
        "prediction": "p",
        "seed": "s",
        "statistic": "a | b",
        "role": role,
        "predicted_direction": ">",
        "effect": effect,
        "interval": [lo, hi],
        "per_seed": [],
        "passed": passed,
    }


def test_compare_puts_two_runs_side_by_side_and_the_cli_reads_them(tmp_path, capsys):
    from agi.cli import main
    from agi.experiments import compare

    before = {
        "experiments": {
            "e": {
                "predictions": [
                    _result(0.01, -0.1, 0.12, False),
                    {**_result(0.2, 0.1, 0.3, True, "control"), "prediction": "c"},
                ]
            }
        }
    }
    after = {"experiments": {"e": {"predictions": [_result(0.5, 0.4, 0.6, True)]}}}
    table = compare(before, after)
    rows = table.strip().splitlines()[2:]
    assert (
        len(rows) == 2
        and "+0.0100 [-0.1000, +0.1200] · FAIL" in rows[0]
        and "+0.5000 [+0.4000, +0.6000] · PASS" in rows[0]
    )
    assert "PASS: control did not fail" in rows[1] and rows[1].endswith("not run |") and "a \\| b" in rows[0]
    for name, run in (("a", before), ("b", after)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "results.json").write_text(json.dumps(run))
    assert main(["experiment", "--compare", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert capsys.readouterr().out == compare(before, after, ("a", "b"))
    assert main(["experiment", "--compare", str(tmp_path / "a"), str(tmp_path / "nope")]) == 2


def test_resume_refuses_a_changed_preset(tmp_path, capsys):
    """``--resume`` finishes a run as it was started: ``--as-shipped`` (like ``--set``) is refused beside it."""
    from agi.cli import main

    assert main(["experiment", "--resume", str(tmp_path), "--as-shipped"]) == 2
    assert "drop the name, --set, --as-shipped and --overwrite" in capsys.readouterr().err
