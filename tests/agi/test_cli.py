"""The CLI end to end on the tiny preset, and its one-line errors for bad input."""

import json

import numpy as np
import pytest

from agi.cli import main


def test_train_tiny_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--preset", "tiny", "--out", str(out), "--quiet", "--set", "agent.lr=0.001"]) == 0
    for name in ("config.json", "metrics.jsonl", "reward.png", "summary.json"):
        assert (out / name).stat().st_size > 0
    s = json.loads((out / "summary.json").read_text())
    for key in ("steps", "agent_steps_per_second", "reward_per_step_first", "reward_per_step_last",
                "random_policy_reward_per_step", "reward_by_drive"):  # fmt: skip
        assert key in s
    assert set(s["reward_by_drive"]) == {"senses", "homeostasis", "pain", "fear", "arousal", "arousal_valence"}
    assert json.loads((out / "config.json").read_text())["agent"]["lr"] == 0.001
    rows = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == [100, 200]
    assert "reward per agent-step" in capsys.readouterr().out


def test_train_tiny_cartpole_reports_episodes(tmp_path):
    out = tmp_path / "cp"
    assert main(["train", "--preset", "tiny", "--world", "cartpole", "--steps", "300", "--out", str(out),
                 "--quiet", "--no-baseline"]) == 0  # fmt: skip
    s = json.loads((out / "summary.json").read_text())
    assert s["steps"] == 300 and s["episode_return_last"] > 0


def test_any_discrete_gymnax_environment_trains_and_evaluates(tmp_path):
    out = tmp_path / "acrobot"
    assert main(["train", "--preset", "tiny", "--world", "gymnax:Acrobot-v1", "--steps", "200", "--out", str(out),
                 "--quiet", "--no-baseline"]) == 0  # fmt: skip
    s = json.loads((out / "summary.json").read_text())
    assert s["world"] == "gymnax:Acrobot-v1" and np.isfinite(s["reward_per_step_last"])
    assert set(s["reward_by_drive"]) == {"env_reward"}  # steered by the environment's reward alone
    assert main(["eval", "--run", str(out), "--steps", "100", "--episodes", "1", "--gif-steps", "3", "--quiet"]) == 0
    assert (out / "eval" / "episode.gif").exists()  # drawn as the state's numbers


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--preset", "huge"], "unknown preset"),
        (["--world", "mars"], "unknown world"),
        (["--world", "gymnax:Mars-v0"], "gymnax has no 'Mars-v0'"),
        (["--world", "gymnax:Pendulum-v1"], "continuous actions"),
        (["--set", "agent.nope=1"], "unknown config key"),
        (["--set", "agent.lr=fast"], "expected a value of type float"),
        (["--set", "agent.gamma=1.5"], "out of range"),
        (["--steps", "0"], "out of range"),
        (["--set", "agent.selection=psychic"], "agent.selection"),
        (["--set", "steering.ablations=drop:telepathy"], "unknown drive"),
        (["--set", "lr"], "expected key=value"),
        (["--set", "steering.ablations=drop:arousal"], "which neither the world nor an earlier drive provides"),
        (["--set", "steering.detect_radius=3"], "world.foraging.view_radius"),  # an old flat spelling (an alias)
        (["--set", "agent.entropy_coef=nan"], "agent.entropy_coef"),
        (["--set", "steering.fear.safety_pull=2"], "steering.fear.safety_pull"),  # the fear head's discount, in [0, 1]
        (["--set", "steering.fear=1"], "is a section"),
        (["--set", "steering.fear.w.x=1"], "not a section"),
        (["--seeds", "many"], "invalid int value"),
        (["--world", "cartpole", "--set", "agent.reward_center=0.01"], "for worlds without episodes"),
        (["--set", "agent.adam_b2=1"], "agent.adam_b2"),
    ],
)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, capsys, args, needle):
    out = tmp_path / "never"
    try:
        code = main(["train", "--out", str(out), *args])
    except SystemExit as e:  # argparse's own errors
        code = e.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_steps_that_do_not_divide_into_the_chunks_are_warned_about(capsys):
    import argparse

    from agi.cli import build_config

    args = lambda steps: argparse.Namespace(config=None, preset="tiny", world="foraging", plugin=[], command="train",
                                            steps=steps, seeds=None, set=[])  # fmt: skip
    assert build_config(args(301)).train.chunks == 1
    err = capsys.readouterr().err
    assert err.startswith("agi: warning: --steps 301 is not a multiple of train.chunks=2, so the run is cut into 1 "
                          "chunk (one chunk: no metrics line, checkpoint or early stop before the end)")  # fmt: skip
    assert build_config(args(300)).train.chunks == 2 and capsys.readouterr().err == ""
