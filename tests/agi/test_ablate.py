"""The ablation harness: the variant language, the interval arithmetic, and a tiny end-to-end run."""

import json
import math
import subprocess
import sys

import numpy as np
import pytest

from agi import override, preset
from agi.ablate import ablate, parse_variants, variant_config
from agi.config import ConfigError
from agi.measure import compile_ahead
from agi.stats import excludes_zero, mean_ci, paired, t95


def test_parser_covers_every_ablation():
    vs = parse_variants(
        "base; -compassion_spite; compassion_spite.gain=0.5; gate:finder_pleasure=off; gate:finder_fear=open; "
        "clamp:fear=0 mode:arousal=defer; enemy: steering.fe_prior_friend=-1 steering.fe_rate=0 drop:feared"
    )
    assert [v.label for v in vs][:2] == ["base", "-compassion_spite"]
    assert vs[0].ablations == () and vs[0].overrides == ()
    assert vs[1].ablations == ("drop:compassion_spite",)
    assert vs[2].ablations == ("gain:compassion_spite=0.5",)
    assert vs[3].ablations == ("cut_gate:finder_pleasure",)
    assert vs[4].ablations == ("open_gate:finder_fear",)
    assert vs[5].ablations == ("clamp:fear=0", "mode:arousal=defer")
    assert vs[6].label == "enemy" and vs[6].ablations == ("drop:feared",)
    assert vs[6].overrides == ("steering.fe_prior_friend=-1", "steering.fe_rate=0")


@pytest.mark.parametrize(
    "text, token",
    [
        ("base; compassion_spite.gian=0.5", "compassion_spite.gian=0.5"),
        ("gate:finder_pleasure=maybe", "gate:finder_pleasure=maybe"),
        ("base; frobnicate", "frobnicate"),
        ("x.gain=lots", "x.gain=lots"),
        ("drop:", "drop:"),
        ("base; train.seed=3", "train.seed=3"),
    ],
)
def test_parser_errors_name_the_bad_token(text, token):
    with pytest.raises(ConfigError, match="bad token " + repr(token).replace("[", r"\[")):
        parse_variants(text)


def test_duplicate_labels_and_unknown_drives_are_errors():
    with pytest.raises(ConfigError, match="unique"):
        parse_variants("base; base")
    cfg = preset("tiny")
    (v,) = parse_variants("-no_such_drive")
    with pytest.raises(ConfigError, match="no_such_drive"):
        variant_config(cfg, v)


def test_intervals_against_a_slow_reference():
    rng = np.random.default_rng(0)
    for n in (2, 4, 8, 40):
        x = rng.normal(size=n)
        mean = sum(x) / n
        var = sum((v - mean) ** 2 for v in x) / (n - 1)
        t = {2: 12.706, 4: 3.182, 8: 2.365, 40: 2.023}[n]  # printed t tables, df = n - 1
        s = mean_ci(x)
        assert s["mean"] == pytest.approx(mean) and s["ci95"] == pytest.approx(t * math.sqrt(var / n), rel=2e-4)
        assert s["lo"] == pytest.approx(mean - s["ci95"]) and s["per_seed"] == pytest.approx(list(x))
    y = rng.normal(size=4)
    x = y + np.array([1.0, 1.1, 0.9, 1.0])
    d = paired(x, y)
    assert d["mean"] == pytest.approx(1.0) and excludes_zero(d, ">") and not excludes_zero(d, "<")
    partial = mean_ci([np.nan, 1.0, 3.0])  # a diverged seed keeps its place, so seeds stay aligned
    assert partial["per_seed"] == [None, 1.0, 3.0] and partial["n"] == 2 and partial["mean"] == 2.0
    assert mean_ci([]) is None and math.isnan(mean_ci([2.0])["ci95"]) and abs(t95(3) - 3.182) < 1e-3
    assert abs(t95(40) - 2.021) < 1e-3  # exact past 30 degrees of freedom (no fallback to 1.96)


@pytest.mark.slow  # ~40 s; the CLI ablate path also runs in test_plugins.py (make test-slow runs this)
def test_tiny_end_to_end(tmp_path):
    cfg = override(preset("tiny"), ["train.steps=40", "train.chunks=2"])
    res = ablate(cfg, "base; nopain: -pain", tmp_path, progress=False)
    assert [v["label"] for v in res["variants"]] == ["base", "nopain"]
    nopain = res["variants"][1]
    assert "reward/pain" not in nopain["metrics"] and "reward_per_step" in nopain["vs_first"]
    assert len(nopain["metrics"]["reward_per_step"]["per_seed"]) == cfg.train.num_seeds
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["variants"][1]["ablations"] == ["drop:pain"]
    # what the drives measured, besides what they paid: the signals (pain's own is gone with it)
    assert "signal/hunger" in nopain["metrics"] and "signal/hunger" in nopain["vs_first"]
    assert "signal/pain" in res["variants"][0]["metrics"] and "signal/pain" not in nopain["metrics"]
    report = (tmp_path / "report.md").read_text()
    assert "| reward_per_step |" in report and "| signal/hunger |" in report and "metrics.png" in report
    assert (tmp_path / "metrics.png").stat().st_size > 0 and (tmp_path / "reward_by_drive.png").stat().st_size > 0


def test_cli_bad_variant_is_one_line_exit_2(tmp_path):
    cmd = [sys.executable, "-m", "agi.cli", "ablate", "--preset", "tiny", "--variants", "base; pain.gian=2",
           "--out", str(tmp_path / "x")]  # fmt: skip
    p = subprocess.run(cmd, capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert "pain.gian=2" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()


def test_variants_differing_only_in_gains_share_one_program_and_match_separate_runs(tmp_path, monkeypatch):
    """Gain variants share a program and match separate runs; the next program compiles while one runs; with
    ``save_dir`` a finished program is read back instead of trained again (an interrupted suite resumes), and a
    folder holding another program's results is refused rather than silently overwritten."""
    import agi.ablate as ablate
    from agi.ablate import run_variants

    cfg = override(preset("tiny"), ["train.steps=20", "train.chunks=2", "world.n_spiders=4"])  # bites happen
    vs = parse_variants("base; half: pain.gain=0.5; -fear")
    assert [len(g.members) for g in ablate.plan(cfg, vs)] == [2, 1]
    waited = []

    def ahead(*a, **k):
        wait = compile_ahead(*a, **k)
        return lambda: waited.append(a) or wait()

    monkeypatch.setattr(ablate, "compile_ahead", ahead)
    merged = run_variants(cfg, vs, progress=False, save_dir=tmp_path, compile_next=True)
    assert [r.program for r in merged] == [0, 0, 1] and len(waited) == 1  # program 1 was compiled while 0 ran
    # (a chunk compiled ahead runs exactly as one compiled in line: tests/train/test_loop.py)
    assert "reward/fear" in merged[0].last.names() and "reward/fear" not in merged[2].last.names()  # no fear drive
    vs = vs[:2]
    saved = (tmp_path / "program-0.json").read_text()
    again = run_variants(cfg, vs, progress=False, save_dir=tmp_path)  # read back, not trained
    assert again[1].run_seconds == merged[1].run_seconds and again[1].last.to_json() == merged[1].last.to_json()
    with pytest.raises(ConfigError, match="another program.*gains"):
        run_variants(cfg, parse_variants("base; half: pain.gain=0.25"), progress=False, save_dir=tmp_path)
    with pytest.raises(ConfigError, match="another program.*config"):
        run_variants(override(cfg, ["train.steps=10"]), vs, progress=False, save_dir=tmp_path)
    assert (tmp_path / "program-0.json").read_text() == saved
    (alone,) = run_variants(cfg, vs[1:], progress=False)  # the gain variant alone, a constant in its program
    for k in ("reward", "reward/pain", "reward/fear"):
        np.testing.assert_allclose(merged[1].last.mean(k), alone.last.mean(k), rtol=1e-5, atol=1e-7)
    assert not np.allclose(merged[1].last.mean("reward/pain"), merged[0].last.mean("reward/pain"))


def test_variants_differing_in_drive_settings_share_one_program_and_match_separate_runs():
    """Number settings of the drives become run-time knobs (``steering.knobs``): variants that differ only in
    them (and in gains) run in one program, each as it runs alone with the value compiled in."""
    import agi.ablate as ablate
    from agi.ablate import run_variants

    cfg = override(preset("tiny"), ["train.steps=20", "train.chunks=2", "world.n_spiders=4"])
    vs = parse_variants("base; calm: steering.a_spider=0.1 steering.a_bite=0; "
                        "both: steering.a_spider=1.5 pain.gain=0.5")
    (group,) = ablate.plan(cfg, vs)
    assert group.settings == ("steering.arousal.a_spider", "steering.arousal.a_bite") and group.drives == ("pain",)
    assert [len(g.members) for g in ablate.plan(cfg, vs, settings=False)] == [1, 1, 1]  # as before
    merged = run_variants(cfg, vs, progress=False)
    assert [r.program for r in merged] == [0, 0, 0]
    for i in (1, 2):
        (alone,) = run_variants(cfg, vs[i:i + 1], progress=False)  # the values compiled in
        assert not alone.cfg.steering.knobs
        for k in ("reward", "reward/pain", "reward/fear", "signal/arousal"):
            np.testing.assert_allclose(merged[i].last.mean(k), alone.last.mean(k), rtol=1e-5, atol=1e-7)
    assert not np.allclose(merged[1].last.mean("signal/arousal"), merged[0].last.mean("signal/arousal"))


def test_a_random_policy_variant_shares_the_program_and_matches_its_run_alone():
    import agi.ablate as ablate
    from agi.ablate import run_variants

    cfg = override(preset("tiny"), ["train.steps=20", "train.chunks=2", "world.n_spiders=4"])
    vs = parse_variants("base; random: agent.selection=random; random_calm: agent.selection=random pain.gain=0")
    (group,) = ablate.plan(cfg, vs)
    assert group.random and group.cfg.agent.random_knob and group.cfg.agent.selection == "run_and_tumble"
    (alone,) = ablate.plan(cfg, vs[1:])  # every member random: no knob, the mode compiled in
    assert not alone.random and alone.cfg.agent.selection == "random"
    merged = run_variants(cfg, vs, progress=False)
    for i in (0, 1):
        (one,) = run_variants(cfg, vs[i:i + 1], progress=False)
        for k in ("reward", "reward/pain", "tumbled", "valence_guess"):
            np.testing.assert_allclose(merged[i].last.mean(k), one.last.mean(k), rtol=1e-5, atol=1e-7)
    tumbled = [np.asarray(r.last.mean("tumbled")) for r in merged]
    assert np.all(tumbled[1] == 1.0) and tumbled[0].mean() < 1.0  # a random policy always tumbles


def test_knobs_of_the_base_config_keep_their_values_beside_the_variants_knobs():
    import agi.ablate as ablate

    cfg = override(preset("tiny"), ["steering.knobs=steering.fear.w", "steering.fear.w=0.7", "agent.random_knob=true"])
    (group,) = ablate.plan(cfg, parse_variants("base; calm: steering.a_spider=0.1"))
    knobs = ablate._measure_slots(group, None)["init_args"]
    s = cfg.train.num_seeds
    np.testing.assert_allclose(knobs["knob/steering.arousal.a_spider"], [0.8] * s + [0.1] * s)
    np.testing.assert_allclose(knobs["knob/steering.fear.w"], 0.7)  # the base's own knob, at its value
    np.testing.assert_array_equal(knobs["knob/random_policy"], 0.0)


def test_a_setting_that_shapes_the_program_runs_as_its_own_program():
    """The friend/enemy rate decides whether its head exists: it cannot be a knob, so its variant runs alone."""
    import agi.ablate as ablate

    cfg = override(preset("tiny", "social"), ["train.steps=20", "train.chunks=2"])
    vs = parse_variants("base; still: steering.fe_rate=0; prior: steering.fe_prior_friend=-0.3")
    groups = ablate.plan(cfg, vs)
    assert [[m[0].label for m in g.members] for g in groups] == [["base", "prior"], ["still"]]
    assert groups[0].settings == ("steering.friend_enemy.prior_kin",) and groups[1].settings == ()
    with pytest.raises(ConfigError, match="steering.knobs.*cannot be a run-time knob"):
        from agi.assemble import make_agent

        make_agent(override(cfg, ["steering.knobs=steering.fe_rate"]))


def test_a_suite_written_before_settings_were_knobs_resumes_with_its_own_programs(tmp_path):
    from agi.ablate import _load_program, _stored_suite

    (tmp_path / "ablate.json").write_text(json.dumps({"config": preset("tiny").to_dict(), "variants": "base"}))
    assert _stored_suite(tmp_path)[3] is False
    old = preset("tiny").to_dict()  # a program saved before the config had these fields
    del old["steering"]["knobs"], old["agent"]["random_knob"]
    key = {"config": preset("tiny").to_dict(), "members": ["base"], "gains": [{}]}
    (tmp_path / "program-0.json").write_text(json.dumps({**key, "config": old, "first": {}}))
    assert _load_program(tmp_path, 0, key)["first"] == {}


def test_a_setting_the_world_measures_with_cannot_be_a_knob():
    from agi.assemble import make_agent

    with pytest.raises(ConfigError, match="feared.theta is read by the social world's measurements"):
        make_agent(override(preset("tiny", "social"), ["steering.knobs=steering.feared.theta"]))


def test_behaviour_compares_what_the_drives_measured_as_well_as_what_they_paid():
    from agi.measure import behaviour
    from agi.metrics import Window

    w = Window(0, 10)
    w.add(0, {"reward": np.ones((2, 10)), "reward/pain": np.zeros((2, 10)), "signal/hunger": np.full((2, 10, 1), 0.5),
              "diagnostic/distance": np.arange(20.0).reshape(2, 10), "loss/total": np.ones((2, 10))})  # fmt: skip
    out = behaviour(w, preset("tiny"))
    assert set(out) == {"reward_per_step", "reward/pain", "signal/hunger", "diagnostic/distance"}
    np.testing.assert_allclose(out["signal/hunger"], [0.5, 0.5])
    np.testing.assert_allclose(out["diagnostic/distance"], [4.5, 14.5])


def test_one_seed_is_warned_about(tmp_path, capsys):
    from agi.cli import main

    # (a bad variant after it ends the command before anything trains)
    assert main(["ablate", "--preset", "tiny", "--seeds", "1", "--variants", "base; pain.gian=2", "--out",
                 str(tmp_path / "x")]) == 2  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("agi: warning: --seeds 1: one seed gives no interval (± nan)") and "pain.gian" in err[1]
