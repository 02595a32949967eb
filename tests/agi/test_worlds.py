"""One world interface for N bodies: every registered kind of world (built-in, gymnax as N = 1, JaxMARL as
N > 1) through the one system step, with the interface's shapes, and the CLI's errors for worlds it cannot run."""

import json

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, make_system, preset
from agi.cli import main
from agi.worlds import make_world, random_rollout

POISON = ["--plugin", "agi_poison", "--set", "steering.drives=poison"]  # tests/plugins: NaN reward from poison.at

WORLDS = ["foraging", "social", "cartpole", "gymnax:Acrobot-v1", "jaxmarl:coin_game", "jaxmarl:MPE_simple_spread_v3"]
TINY = ["--preset", "tiny", "--steps", "20", "--seeds", "2", "--quiet", "--no-baseline"]


@pytest.mark.parametrize("name", WORLDS)
def test_the_world_interface_carries_the_agent_axis(name):
    w = make_world(preset("tiny", name))
    n = w.num_agents
    state, extero, senses = w.reset(jax.random.PRNGKey(0))
    chex.assert_shape(extero, (n, w.extero_dim))
    assert all(v.shape[0] == n for v in senses.values()) and "env_reward" in senses
    state, senses, done = jax.jit(w.step)(jax.random.PRNGKey(1), state, jnp.zeros((n,), jnp.int32))
    chex.assert_shape(done, (n,))
    assert all(v.shape[0] == n for v in senses.values())
    state, extero, oriented = jax.jit(w.observe)(state, {}, jnp.zeros((n,)))
    chex.assert_shape((extero, oriented), ((n, w.extero_dim), (n,)))
    assert jax.jit(random_rollout(w, 5))(jax.random.PRNGKey(2)).shape == (5,)


@pytest.mark.parametrize("name", ["social", "jaxmarl:coin_game"])
def test_one_system_step_gives_each_body_its_own_brain(name):
    cfg = preset("tiny", name)
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s = jax.jit(init)(jax.random.PRNGKey(0))
    s, metrics = jax.jit(step)(s, jax.random.PRNGKey(1))
    n, e = agent.world.num_agents, cfg.train.num_envs
    assert n >= 2
    chex.assert_shape(s.brain.assessors, (n, len(agent.head_names), agent.feature_dim))
    chex.assert_shape(s.agents.h, (e, n, cfg.agent.hidden))
    assert all(v.shape[:1] in ((), (n,)) for v in metrics.values())  # per body [N, ...], or per seed []
    chex.assert_shape(metrics["reward"], (n,))


def test_train_a_jaxmarl_world_through_the_cli(tmp_path):
    d = tmp_path / "coin"
    assert main(["train", *TINY, "--world", "jaxmarl:coin_game", "--out", str(d)]) == 0
    s = json.loads((d / "summary.json").read_text())
    assert s["world"] == "jaxmarl:coin_game" and s["agent_steps"] == 20 * 2 * 2 * 2  # steps x envs x seeds x 2


@pytest.mark.parametrize(
    "world, message",
    [
        ("jaxmarl:nope", "JaxMARL has no 'nope'"),
        ("jaxmarl:MPE_simple_facmac_v1", "has continuous actions"),
        ("gymnax:Pendulum-v1", "has continuous actions"),
        ("jaxmarl:MPE_simple_tag_v3", "its agents observe different numbers of values {'adversary_0': 16, "),
        ("nowhere", "unknown world 'nowhere'"),
        ("jaxmarl:LearnedPolicyEnemySMAX", "cannot be made from its id alone: LearnedPolicyEnemySMAX.__init__()"),
    ],
)
def test_worlds_the_agent_cannot_run_are_one_line(tmp_path, capsys, world, message):
    # (run first in a process, "jaxmarl:nope" also checks that importing JaxMARL leaves sys.stderr to capsys)
    out = tmp_path / "out"
    assert main(["train", *TINY, "--world", world, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1, err
    assert not out.exists()


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_the_nan_guard_holds_in_a_world_of_many_bodies(tmp_path, capsys):
    out = tmp_path / "nan"
    args = ["train", *TINY, "--world", "social", *POISON, "--set", "poison.at=5", "--out", str(out)]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "non-finite" in err and len(err.strip().splitlines()) == 1


def test_importing_jaxmarl_through_agi_keeps_the_process_streams():
    """JaxMARL's mabrax module resets sys.stdout/stderr to the originals on import; agi's import puts them back
    (in a fresh process: this one may have imported JaxMARL already)."""
    import subprocess
    import sys

    code = ("import io, sys; out, err = io.StringIO(), io.StringIO(); sys.stdout, sys.stderr = out, err\n"
            "from agi.worlds.jaxmarl import _jaxmarl; _jaxmarl()\n"
            "ok = sys.stdout is out and sys.stderr is err; sys.stdout = sys.__stdout__; print(ok)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip().splitlines()[-1] == "True", done.stdout + done.stderr


def test_jaxmarl_observations_one_entry_per_agent_or_agent_axis_first():
    """``_per_agent``: a tuple with one tree per agent (STORM 2p's), a dict keyed by agent, leaves with the agent
    axis first (a leaf without it is left out, with a warning), and a clear error when none has it."""
    from agi.worlds.jaxmarl import _per_agent

    agents = ["a", "b"]
    per = ({"inv": jnp.ones(3), "obs": jnp.zeros((2, 2))}, {"inv": 2 * jnp.ones(3), "obs": jnp.ones((2, 2))})
    want = np.stack([np.r_[np.ones(3), np.zeros(4)], np.r_[2 * np.ones(3), np.ones(4)]])
    np.testing.assert_array_equal(_per_agent(per, agents), want)
    np.testing.assert_array_equal(_per_agent(dict(zip(agents, per, strict=True)), agents), want)
    with pytest.warns(UserWarning, match=r"leaves of shapes \[\(5,\)\] have no agent axis first"):
        out = _per_agent({"x": jnp.arange(4.0).reshape(2, 2), "y": jnp.ones(5)}, agents)
    np.testing.assert_array_equal(out, [[0, 1], [2, 3]])
    both = (jnp.arange(4.0).reshape(2, 2), jnp.ones((2, 3)))  # a pair of agent-first leaves, not one per agent
    np.testing.assert_array_equal(_per_agent(both, agents), [[0, 1, 1, 1, 1], [2, 3, 1, 1, 1]])
    with pytest.raises(ValueError, match="neither keyed by agent nor carry the 2 agents on a first axis"):
        _per_agent({"y": jnp.ones(5)}, agents)
