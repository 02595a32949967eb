"""A user's own world and drive, registered by a plugin and run by the unmodified CLI: train, ablate, eval,
resume; and one clear line (exit 2, nothing written) for each bad use of the registry."""

import json
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

import agi
from agi.cli import main
from agi.registry import RegistryError, world_spec

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLUGIN = ["--plugin", "agi_beacon"]
TINY = ["--preset", "tiny", "--steps", "40", "--seeds", "2", "--quiet", "--no-baseline"]


@pytest.fixture(autouse=True)
def examples_on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))


def test_train_eval_and_resume_a_plugin_world_with_a_plugin_drive(tmp_path, capsys):
    d = tmp_path / "run"
    args = ["train", *PLUGIN, *TINY, "--world", "beacon", "--set", "steering.drives=nearness",
            "--set", "nearness.gain=2", "--set", "beacon.n_agents=2", "--out", str(d)]  # fmt: skip
    assert main(args) == 0
    cfg = json.loads((d / "config.json").read_text())
    assert cfg["plugins"] == ["agi_beacon"] and cfg["sections"]["nearness"]["gain"] == 2.0
    s = json.loads((d / "summary.json").read_text())
    assert s["world"] == "beacon" and "nearness" in s["reward_by_drive"]
    row = json.loads((d / "metrics.jsonl").read_text().splitlines()[-1])
    assert row["diagnostic/distance"] >= 0 and len(row["per_seed"]["diagnostic/distance"]) == 2  # declared, logged
    assert s["agent_steps"] == 40 * 2 * 2 * 2  # steps x envs x seeds x bodies
    assert main(["train", "--resume", str(d), "--steps", "80", "--quiet", "--no-baseline"]) == 0
    assert json.loads((d / "summary.json").read_text())["steps"] == 80
    assert main(["eval", "--run", str(d), "--steps", "20", "--gif-steps", "5", "--quiet"]) == 0
    assert (d / "eval" / "episode.gif").exists()  # drawn as text: the world declares no drawing


@pytest.mark.slow  # CI time; plugin worlds and drives train, evaluate and resume in the default set
def test_ablate_a_plugin_drive(tmp_path):
    out = tmp_path / "ablate"
    args = ["ablate", *PLUGIN, "--world", "beacon", "--preset", "tiny", "--steps", "20", "--seeds", "2", "--quiet",
            "--set", "steering.drives=nearness", "--variants", "base; -nearness; half: nearness.gain=0.5",
            "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    results = json.loads((out / "results.json").read_text())
    labels = [v["label"] for v in results["variants"]]
    assert labels == ["base", "-nearness", "half"]
    dropped = results["variants"][1]["metrics"]
    assert "reward/nearness" not in dropped and dropped["reward_per_step"]["mean"] == 0.0


def test_a_drive_declares_its_heads():
    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["steering.drives=nearness"])
    agent = agi.make_agent(cfg)
    assert agent.head_names == ("valence", "near")
    near = agent.head_settings["near"]
    assert (near.gamma, near.lam, near.reads) == (0.8, 0.5, "all")
    np.testing.assert_allclose(np.asarray(agent.heads.gamma), [cfg.agent.gamma, 0.8])


def test_make_agent_takes_user_objects():
    """A World and Drive objects, without registering anything."""
    import agi_beacon.world as bw

    from steering import Drive, drive_out

    cfg = agi.preset("tiny", "beacon", plugins=("agi_beacon",))
    world = bw.make_beacon(cfg)._replace(name="my-beacon")
    far = Drive("far", lambda: (), lambda s, senses, p: (s, drive_out(reward=senses["beacon_distance"] / 10)))
    agent = agi.make_agent(cfg, world=world, drives=[far])
    assert agent.world.name == "my-beacon" and agent.steering.names == ("env_reward", "far")
    init, step = agi.make_system(agent)
    s, m = jax.jit(step)(init(jax.random.PRNGKey(0)), jax.random.PRNGKey(1))
    assert m["reward/far"].shape == (agent.world.num_agents,) and np.all(m["reward/far"] > 0)  # per body


def _bad(tmp_path, monkeypatch, name, text):
    (tmp_path / f"{name}.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--plugin", "no_such_plugin"], "plugin 'no_such_plugin' does not import: ModuleNotFoundError"),
        (["--plugin", "bad_twice"], "a world named 'foraging' is already registered"),
        (["--plugin", "bad_raises"], "plugin 'bad_raises' does not import: RuntimeError: boom"),
        (["--plugin", "agi_beacon", "--world", "foraging", "--set", "steering.drives=nearness"],
         "the signal 'beacon_distance', which no drive or sense provides"),
        (["--plugin", "agi_beacon", "--world", "beacon", "--set", "beacon.size=big"],
         "beacon.size='big': expected a value of type int"),
        (["--plugin", "agi_beacon", "--world", "beacon", "--set", "beacon.size=1"], "beacon: size >= 2"),
        (["--world", "nowhere"], "unknown world 'nowhere'"),
        (["--set", "steering.drives=nowhere"], "unknown drive 'nowhere'"),
    ],
)  # fmt: skip
def test_bad_plugins_and_plugin_config_are_one_line(tmp_path, monkeypatch, capsys, args, message):
    _bad(tmp_path, monkeypatch, "bad_twice", "import agi\nagi.register_world('foraging', lambda cfg: None)\n")
    _bad(tmp_path, monkeypatch, "bad_raises", "raise RuntimeError('boom')\n")
    out = tmp_path / "out"
    assert main(["train", *TINY, *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and message in err, err
    assert not out.exists()


def test_register_checks_names_and_sections():
    with pytest.raises(RegistryError, match="already taken"):
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class C:
            x: int = 1

        agi.register_drive("agent", lambda c: None, config=C)
    with pytest.raises(RegistryError, match="without spaces"):
        agi.register_world("two words", lambda cfg: None)
    with pytest.raises(ValueError, match="gymnax has no 'Nope-v0'"):
        world_spec("gymnax:Nope-v0")
    assert "agi_beacon" not in sys.modules or world_spec("beacon").name == "beacon"


def test_the_beacon_seen_through_an_egocentric_window():
    """``beacon.view_radius=1``: a 3x3 window of walls and beacon, the beacon marked where it is."""
    import jax.numpy as jnp

    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["beacon.view_radius=1"])
    world = agi.make_agent(cfg).world
    assert world.extero_dim == 2 * 3 * 3
    state, extero, senses = world.reset(jax.random.PRNGKey(3))
    pos, beacon = (np.asarray(x) for x in state)
    grid = np.asarray(extero).reshape(1, 3, 3, 2)
    offset = beacon - pos[0]
    visible = np.all(np.abs(offset) <= 1)
    assert grid[..., 1].sum() == visible and float(senses["beacon_distance"][0]) == np.abs(offset).sum()
    if visible:
        assert grid[0, offset[0] + 1, offset[1] + 1, 1] == 1
    corner = world.observe((jnp.asarray([[0, 0]]), jnp.asarray([4, 4])), {}, jnp.zeros((1,)))[1]
    assert np.asarray(corner).reshape(3, 3, 2)[0, :, 0].tolist() == [1, 1, 1]  # the wall above row 0
