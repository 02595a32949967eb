"""agi eval: a trained run's agents with learning frozen; statistics, a GIF, and an unchanged brain."""

import json
import types

import jax
import numpy as np
import pytest
from PIL import Image

from agi import preset
from agi.cli import main
from agi.evaluate import env_state_of, evaluate, load_run, strips
from agi.render import render_world

TINY = ["--preset", "tiny", "--steps", "200", "--quiet", "--no-baseline"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("trained")
    assert main(["train", *TINY, "--out", str(d)]) == 0
    return d


def test_eval_writes_statistics_and_an_animation(trained, capsys):
    assert main(["eval", "--run", str(trained), "--steps", "200", "--gif-steps", "12", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "learning frozen" in out and "reward per agent-step" in out
    s = json.loads((trained / "eval" / "eval.json").read_text())
    assert s["checkpoint_step"] == 200 and s["steps"] == 200 and s["learning"] == "frozen"
    assert {"reward_per_step", "reward_per_step_by_seed", "reward_by_drive", "animation"} <= set(s)
    assert set(s["reward_by_drive"]) >= {"homeostasis", "pain", "fear"}
    assert np.isfinite(s["reward_per_step"])
    gif = Image.open(trained / "eval" / "episode.gif")
    assert gif.n_frames == s["animation_frames"] == 12


def test_the_frozen_brain_is_unchanged(trained, tmp_path):
    _, step, before = load_run(trained)
    result = evaluate(trained, tmp_path, steps=100, gif=False, progress=False)
    assert step == 200 and int(result.state.step[0]) == 300  # the step counter goes on from the checkpoint's
    for x, y in zip(jax.tree.leaves((before.brain, before.opt_state)), jax.tree.leaves(
        (result.state.brain, result.state.opt_state)), strict=True):  # fmt: skip
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
    assert not (tmp_path / "episode.gif").exists() and (tmp_path / "eval.json").exists()


def test_keep_state_starts_from_the_trained_agents_and_worlds(trained, tmp_path):
    from agi.evaluate import frozen, start_state
    from agi.system import make_agent, make_system

    cfg, _, state = load_run(trained)
    init, _ = make_system(make_agent(frozen(cfg)))
    fresh = jax.lax.map(init, jax.random.split(jax.random.PRNGKey(7), cfg.train.num_seeds))
    equal = lambda a, b: all(np.array_equal(x, y) for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True))
    kept, new = start_state(fresh, state, True), start_state(fresh, state, False)
    assert equal(kept, state) and equal(new.agents, fresh.agents) and equal(new.brain, state.brain)
    assert not equal(new.agents, state.agents)
    one = jax.tree.map(lambda x: x[0], state)  # one seed; an animation's system has one environment
    one_env = jax.tree.map(lambda x: x[:1], one.agents)
    fresh_one = one._replace(agents=jax.tree.map(lambda x: x[:1] * 0, one.agents))
    assert equal(start_state(fresh_one, one, True).agents, one_env)
    assert main(["eval", "--run", str(trained), "--steps", "100", "--gif-steps", "3", "--keep-state", "--quiet",
                 "--out", str(tmp_path)]) == 0  # fmt: skip
    assert json.loads((tmp_path / "eval.json").read_text())["agents"] == "continued from the checkpoint"


def test_eval_errors_are_one_line_with_status_2(tmp_path, trained, capsys):
    assert main(["eval", "--run", str(tmp_path / "nothing")]) == 2
    assert "no such folder" in capsys.readouterr().err
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "config.json").write_text((trained / "config.json").read_text())
    assert main(["eval", "--run", str(tmp_path / "half")]) == 2
    err = capsys.readouterr().err.strip()
    assert "no checkpoint" in err and len(err.splitlines()) == 1
    assert main(["eval", "--run", str(trained), "--steps", "0"]) == 2


@pytest.mark.slow  # CI time; eval's animation is checked in the default set on foraging
def test_cartpole_eval_animates_one_episode(tmp_path):
    d = tmp_path / "cartpole"
    assert main(["train", *TINY, "--world", "cartpole", "--out", str(d)]) == 0
    s = evaluate(d, episodes=3, steps=500, progress=False).summary
    assert s["episodes"] >= 3 * s["num_seeds"] and s["episode_return"] > 0
    assert s["steps"] < 500  # stopped once every seed had its episodes
    fresh = s["fresh_episodes"]  # one whole episode in each of 3 fresh environments per seed
    assert fresh["per_seed"] == 3 and fresh["unfinished"] == 0 and len(fresh["return_by_seed"]) == s["num_seeds"]
    assert fresh["return"] == pytest.approx(np.mean(fresh["return_by_seed"])) and fresh["return"] > 0
    assert 1 < Image.open(d / "eval" / "episode.gif").n_frames == s["animation_frames"] <= 500


def test_render_dispatch(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    cart = types.SimpleNamespace(env=types.SimpleNamespace(x=np.float32(0.3), theta=np.float32(-0.1)))
    render_world(preset("tiny", "cartpole"), cart, ax)
    assert ax.get_xlabel() == "cart position"
    fig2, ax2 = plt.subplots()  # a world without a drawing of its own (another gymnax environment): its numbers
    render_world(preset("tiny", "gymnax:Acrobot-v1"), {"x": np.float32(0.3), "big": np.zeros(100)}, ax2)
    text = ax2.texts[0].get_text()
    assert "gymnax:Acrobot-v1" in text and "x = 0.3" in text and "big" not in text  # large leaves left out
    plt.close(fig)
    plt.close(fig2)


def test_strips_and_env_state_helpers():
    m = {"reward": np.zeros(3), "reward/pain": np.ones(3), "reward/senses": np.zeros(3), "valence_guess": np.ones(3),
         "signal/arousal": np.ones(3)}  # fmt: skip
    assert list(strips(m)) == ["valence guess", "arousal", "reward", "pain reward"]
    shared = {"grid": np.arange(4).reshape(2, 2)}
    assert env_state_of(types.SimpleNamespace(world=shared))["grid"].tolist() == [0, 1]


def test_render_the_social_world(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from agi import override, preset
    from agi.worlds import make_world

    cfg = override(preset("tiny", "social"), ["world.characters=friend,bully"])
    state, _, _ = make_world(cfg).reset(jax.random.PRNGKey(0))
    state = state._replace(pleasure=state.pleasure.at[0].set(0.9), fear=state.fear.at[2].set(0.8))
    fig, ax = plt.subplots()
    render_world(cfg, jax.tree.map(np.asarray, state), ax)
    labels = [t.get_text() for t in ax.texts if t.get_text()]  # (the facing arrows are empty annotations)
    assert labels == ["0 learner", "1 learner", "2 friend", "3 bully"]
    fig.savefig(tmp_path / "social.png")
    plt.close(fig)


def test_eval_of_a_run_still_training_reads_the_next_checkpoint_when_one_is_pruned(tmp_path, monkeypatch):
    """The trainer keeps its last few checkpoints: one pruned while eval reads it is not an error."""
    import agi.evaluate as ev

    (tmp_path / "200").mkdir()
    made = []

    class Pruned:  # the first reader finds 100 gone by the time it reads; the second reads 200
        def __init__(self, directory):
            made.append(self)

        def latest_step(self):
            return 100 if len(made) == 1 else 200

        def restore(self, abstract, adapt=None):
            if len(made) == 1:
                raise OSError(2, "No such file or directory")
            return 200, "state", {}

        def close(self):
            pass

    monkeypatch.setattr(ev, "Checkpointer", Pruned)
    assert ev._restore_latest(tmp_path, None) == (200, "state", {}) and len(made) == 2
    made.clear()
    (tmp_path / "100").mkdir()  # there, and unreadable: the error stands
    with pytest.raises(OSError):
        ev._restore_latest(tmp_path, None)


def test_episode_returns_match_a_slow_reference_episode_by_episode():
    """``episode_returns``: each fresh environment's first episode under the frozen brains, against the same
    environments stepped one at a time in Python, counting steps until the episode ends (CartPole pays 1 a step)."""
    import chex

    from agi.config import override
    from agi.evaluate import episode_returns, frozen, start_state
    from agi.system import make_agent, make_system

    cfg = override(preset("tiny", "cartpole"), ["train.num_seeds=2"])
    init, _ = make_system(make_agent(cfg))
    trained = jax.lax.map(init, jax.random.split(jax.random.PRNGKey(3), 2))  # untrained: short episodes
    episodes, max_steps, key = 3, 12, jax.random.PRNGKey(11)
    got = episode_returns(cfg, episodes, max_steps)(trained, key)
    chex.assert_shape(got, (2, episodes, 1))
    assert np.isfinite(got).any() and np.isnan(got).any()  # some end within 12 steps, some do not

    one = override(cfg, ["train.num_envs=1"])
    init1, step1 = make_system(make_agent(frozen(one)))
    step1 = jax.jit(step1)
    for s, k_seed in enumerate(jax.random.split(key, 2)):
        seed_state = jax.tree.map(lambda x, s=s: x[s], trained)
        for i, k in enumerate(jax.random.split(k_seed, episodes)):
            k_init, k_run = jax.random.split(k)
            state, total, want = start_state(init1(k_init), seed_state, False), 0.0, np.nan
            for k_t in jax.random.split(k_run, max_steps):
                state, m = step1(state, k_t)
                total += 1.0
                if m["episodes"][0] > 0:
                    want = total
                    break
            np.testing.assert_allclose(got[s, i, 0], want, rtol=1e-6)


def test_episode_returns_refuses_a_world_without_episodes():
    from agi.config import ConfigError
    from agi.evaluate import episode_returns

    with pytest.raises(ConfigError, match="no episodes"):
        episode_returns(preset("tiny", "foraging"), 4, 10)
