"""A user's own world and drive, registered by a plugin and run by the unmodified CLI: train, ablate, eval,
resume; and one clear line (exit 2, nothing written) for each bad use of the registry."""

import json
import shlex
import sys
from pathlib import Path

import jax
import jax.numpy as jnp
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
    # what the drive measured, not only what it paid: its signal and its logged diagnostic, beside the gains
    half = results["variants"][2]
    assert {"signal/near", "diagnostic/distance"} <= set(half["metrics"]) & set(half["vs_first"])
    assert "signal/near" not in dropped
    assert "| signal/near |" in (out / "report.md").read_text()
    command = (out / "report.md").read_text().split("```\n")[1].splitlines()[0]
    assert shlex.split(command) == ["agi", *args]  # the report's command pastes back into a shell


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


def test_make_train_trains_an_agent_built_from_objects():
    """``make_train(cfg, agent)``: the whole run of an unregistered world's agent, seeds vmapped."""
    import agi_beacon.world as bw

    from steering import Drive, drive_out

    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["train.steps=6", "train.chunks=1"])
    world = bw.make_beacon(agi.override(cfg, ["beacon.n_agents=2"]))._replace(name="my-beacon")  # cfg says 1
    far = Drive("far", lambda: (), lambda s, senses, p: (s, drive_out(reward=senses["beacon_distance"] / 10)))
    agent = agi.make_agent(cfg, world=world, drives=[far])
    state, metrics = jax.jit(jax.vmap(agi.make_train(cfg, agent)))(jax.random.split(jax.random.PRNGKey(0), 2))
    assert metrics["reward/far"].shape == (2, 6, 2) and np.all(metrics["reward/far"] >= 0)  # [seeds, steps, bodies]
    assert state.brain.assessors.shape[:2] == (2, 2)  # seeds, brains: the agent's world, not cfg's


def _beacon_broken(how):
    """The beacon world with one mistake a user could make."""
    import agi_beacon.world as bw

    w = bw.make_beacon(agi.preset("tiny", "beacon", plugins=("agi_beacon",)))
    grow = lambda f: lambda *a: (lambda out: (out[0], jnp.pad(out[1], ((0, 0), (0, 1))), *out[2:]))(f(*a))
    no_axis = lambda f: lambda *a: (lambda out: (out[0], {**out[1], "extra": jnp.zeros(())}, out[2]))(f(*a))
    wider_state = lambda f: lambda k, s, a: (lambda out: ((out[0][0], out[0][1][None]), *out[1:]))(f(k, s, a))
    return {
        "views change shape": w._replace(observe=grow(w.observe)),
        "declared extero_dim": w._replace(extero_dim=5),
        "float actions": w._replace(num_actions=5.0),
        "continuous actions": w._replace(num_actions=None),
        "a sense without the body axis": w._replace(step=no_axis(w.step)),
        "a state that changes shape": w._replace(step=wider_state(w.step)),
        "done without the body axis": w._replace(step=lambda k, s, a: (*w.step(k, s, a)[:2], jnp.zeros((), bool))),
        "step returns two values": w._replace(step=lambda k, s, a: w.step(k, s, a)[:2]),
        "integer views": w._replace(reset=lambda k: (lambda out: (out[0], out[1].astype(jnp.int32), out[2]))(
            w.reset(k))),
    }[how]


@pytest.mark.parametrize("how, message", [
    ("views change shape", "observe returned views of shape (1, 5); expected [num_agents, extero_dim] = (1, 4)"),
    ("declared extero_dim", "reset returned views of shape (1, 4); expected [num_agents, extero_dim] = (1, 5)"),
    ("float actions", "num_actions=5.0: expected an integer >= 1"),
    ("continuous actions", "num_actions=None: expected an integer >= 1 (worlds with continuous actions"),
    ("a sense without the body axis", "step returned the sense 'extra' of shape (); every sense needs the body axis"),
    ("a state that changes shape", "step returned a state whose structure, shapes or dtypes differ from reset's"),
    ("done without the body axis", "step returned done of shape (); expected [1]"),
    ("step returns two values", "step(key, state, actions [N]) returned 2 values; expected three"),
    ("integer views", "reset returned views of dtype int32; expected float32"),
])  # fmt: skip
def test_a_broken_world_is_one_clear_error_before_anything_compiles(how, message):
    cfg = agi.preset("tiny", "beacon", plugins=("agi_beacon",))
    with pytest.raises(agi.ConfigError) as e:
        agi.make_agent(cfg, world=_beacon_broken(how))
    assert message in str(e.value) and "\n" not in str(e.value), str(e.value)


def test_a_broken_world_is_named_as_it_was_registered(monkeypatch):
    """A factory registered under a second name: its errors name the world the user asked for."""
    from agi import registry

    agi.load_plugins(["agi_beacon"], entry_points=False)
    monkeypatch.setattr(registry, "_WORLDS", dict(registry._WORLDS))
    agi.register_world("beacon_wide", lambda cfg: _beacon_broken("declared extero_dim"))
    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["world.name=beacon_wide"])
    with pytest.raises(agi.ConfigError, match="^world 'beacon_wide': reset returned views of shape"):
        agi.make_agent(cfg)


def test_a_world_may_keep_python_numbers_and_read_its_own_signals():
    """What a scan carries and what ``observe`` may read are not refused: a Python number in the state that
    becomes a typed array after a step, and a signal read by key (a world whose own drives provide it)."""
    import agi_beacon.world as bw

    cfg = agi.preset("tiny", "beacon", plugins=("agi_beacon",))
    w = bw.make_beacon(cfg)
    reset = lambda key: (lambda out: ((out[0], 0), *out[1:]))(w.reset(key))
    step = lambda key, s, a: (lambda out: ((out[0], jnp.int8(1)), *out[1:]))(w.step(key, s[0], a))
    observe = lambda s, signals, orient: ((s[0], s[1]), w.observe(s[0], signals, orient)[1] + signals["glow"][:, None],
                                          orient)  # fmt: skip
    from steering import Drive, drive_out

    glow = Drive("glower", lambda: (), lambda s, senses, p: (s, drive_out(signals={"glow": 1.0})), ("glow",))
    agent = agi.make_agent(cfg, world=w._replace(reset=reset, step=step, observe=observe), drives=[glow])
    assert agent.head_names == ("valence", "glow")


def test_a_broken_drive_is_one_clear_error():
    from steering import Drive, Head, drive_out

    cfg = agi.preset("tiny", "beacon", plugins=("agi_beacon",))
    make = lambda *drives: agi.make_agent(cfg, drives=drives)
    quiet = lambda name, **kw: Drive(name, lambda: (), lambda s, senses, p: (s, drive_out(**kw)))
    cases = [
        ((Drive("sniff", lambda: (), lambda s, senses, p: (s, drive_out(reward=senses["smell"]))),),
         "drive 'sniff' reads (or logs) 'smell', which neither the world nor an earlier drive provides"),
        ((quiet("loud", signals={"x": 1.0}),), "drive 'loud' writes the signals ['x'] without listing them"),
        ((quiet("bad", signals={"x": 1.0})._replace(provides=("x",), heads={"x": Head(gamma=1.5)}),),
         "drive 'bad': Head(gamma=1.5) for 'x' is out of range"),
        ((lambda cfg: None,), "expected steering.Drive objects, got function"),
        # reserved names: the reward total later drives read, and the valence head
        ((quiet("total", signals={"reward": 0.0})._replace(provides=("reward",)),),
         "drive 'total' provides ['reward']: reserved names"),
        ((quiet("guess", signals={"valence": 0.0})._replace(provides=("valence",)),),
         "drive 'guess' provides ['valence']: reserved names"),
        ((quiet("tally", diagnostics={"reward": 3.0}),), "drive 'tally' writes ['reward'] as a signal or diagnostic"),
        # one body's outputs are scalars; a state keeps its shapes (a scan carries it)
        ((quiet("wide", reward=jnp.ones(2)),), "drive 'wide' returned a reward of shape (2,)"),
        ((quiet("tall", signals={"x": jnp.ones(1)})._replace(provides=("x",)),),
         "drive 'tall' wrote the signal 'x' of shape (1,)"),
        ((Drive("grow", lambda: jnp.zeros(1), lambda s, senses, p: (jnp.append(s, 0.0), drive_out())),),
         "drive 'grow': step returned a state whose structure or shapes differ from init's"),
    ]
    for drives, message in cases:
        with pytest.raises(agi.ConfigError) as e:
            make(*drives)
        assert message in str(e.value), str(e.value)
    with pytest.raises(agi.ConfigError, match="takes an agi.World or a WorldSpec, not function"):
        agi.make_agent(cfg, world=lambda cfg: None)


def test_a_drive_registered_under_another_name_is_refused(monkeypatch):
    from agi import registry
    from steering import Drive

    monkeypatch.setattr(registry, "_DRIVES", dict(registry._DRIVES))
    agi.register_drive("eager2", lambda c: Drive("eager", lambda: (), lambda s, senses, p: (s, None)))
    cfg = agi.override(agi.preset("tiny", "foraging"), ["steering.drives=eager2"])
    with pytest.raises(agi.ConfigError, match="the drive registered as 'eager2' is named 'eager'"):
        agi.make_agent(cfg)


def test_a_factory_that_cannot_take_its_section_is_one_clear_error(monkeypatch):
    """``register_drive`` calls ``make(section)``: a factory of the drive's settings themselves is named."""
    from agi import registry
    from steering import Drive

    monkeypatch.setattr(registry, "_DRIVES", dict(registry._DRIVES))

    def make_boredom(w, rate):
        return Drive("boredom", lambda: (), lambda s, senses, p: (s, None))

    agi.register_drive("boredom", make_boredom)
    cfg = agi.override(agi.preset("tiny", "foraging"), ["steering.drives=boredom"])
    with pytest.raises(agi.ConfigError) as e:
        agi.make_agent(cfg)
    assert str(e.value).startswith("register_drive('boredom', make): agi calls make with one argument, its config "
                                   "section"), str(e.value)  # fmt: skip
    assert "make_boredom(w, rate) cannot take it" in str(e.value)


def test_a_section_the_run_does_not_use_is_warned_about(capsys):
    from agi.cli import _warn_unused_sections

    agi.load_plugins(["agi_beacon"], entry_points=False)
    cfg = agi.preset("tiny", "foraging", plugins=("agi_beacon",))
    _warn_unused_sections(cfg, ["nearness.gain=2", "beacon.speed=0.3", "agent.lr=1e-3"])
    err = capsys.readouterr().err.splitlines()
    assert err == ["agi: warning: --set nearness.gain=2: the drive 'nearness' is not in this run (add it with --set "
                   "steering.drives=nearness)", "agi: warning: --set beacon.speed=0.3: 'beacon' is not this run's "
                   "world ('foraging')"]  # fmt: skip
    used = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["steering.drives=nearness"])
    _warn_unused_sections(used, ["nearness.gain=2", "beacon.speed=0.3"])
    assert capsys.readouterr().err == ""


def test_a_worlds_own_plugin_drive_is_stored_and_its_section_not_warned_about(monkeypatch, capsys):
    """A world that builds a registered drive into its own Steering Subsystem: the drive's section is in
    ``config.json`` (so a run replays with its settings when the plugin's defaults change), and ``--set`` of it
    is not called unused."""
    import dataclasses

    from agi_beacon.drive import make_nearness

    from agi import registry
    from agi.cli import _warn_unused_sections

    agi.load_plugins(["agi_beacon"], entry_points=False)
    monkeypatch.setattr(registry, "_WORLDS", dict(registry._WORLDS))
    spec = registry.world_spec("beacon")
    own = lambda cfg: ([make_nearness(cfg.section("nearness"))], ())
    monkeypatch.setitem(registry._WORLDS, "beacon", dataclasses.replace(spec, steering=own))
    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["nearness.gain=3"])
    assert cfg.drives_in_run() == ["nearness"]
    assert cfg.to_dict()["sections"]["nearness"]["gain"] == 3
    _warn_unused_sections(cfg, ["nearness.gain=3"])
    assert capsys.readouterr().err == ""
    plain = agi.preset("tiny", "beacon", plugins=("agi_beacon",))
    assert "nearness" in plain.to_dict()["sections"]  # the defaults too, not only what was set
    knobbed = agi.override(plain, ["steering.knobs=nearness.gain"])  # its settings may be run-time knobs too
    assert knobbed.knob_keys() == ("nearness.gain",)
    assert {k: float(v) for k, v in agi.make_agent(knobbed).knobs.items()} == {"knob/nearness.gain": 1.0}


def test_an_added_drive_may_join_the_body_channels(monkeypatch):
    """``register_drive(..., body=("near",))``: the drive's signal becomes part of the body's interoception,
    after the world's own channels, so the Thought Generator senses (and predicts) it."""
    from agi_beacon.drive import NearnessConfig, make_nearness

    from agi import registry
    from steering import Drive, drive_out

    agi.load_plugins(["agi_beacon"], entry_points=False)
    monkeypatch.setattr(registry, "_DRIVES", dict(registry._DRIVES))
    agi.register_drive("felt", lambda c: make_nearness(NearnessConfig())._replace(name="felt"), body=("near",))
    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["steering.drives=felt"])
    agent = agi.make_agent(cfg)
    assert agent.steering.body == ("near",) and agent.generator.intero_dim == 1
    plain = agi.make_agent(agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)),
                                        ["steering.drives=nearness"]))  # fmt: skip
    assert plain.steering.body == () and plain.generator.intero_dim == 0
    with pytest.raises(RegistryError, match="body is a tuple of signal names"):
        agi.register_drive("felt2", lambda c: None, body="near")
    agi.register_drive("ghost", lambda c: make_nearness(NearnessConfig())._replace(name="ghost"), body=("far",))
    with pytest.raises(agi.ConfigError, match=r"\['far'\] are not signals this drive provides \['near'\]"):
        agi.make_agent(agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["steering.drives=ghost"]))
    agi.register_drive("hungry", lambda c: Drive("hungry", lambda: (), lambda s, senses, p: (s, drive_out(
        signals={"peckish": 1.0})), provides=("peckish",)), body=("peckish", "peckish"))  # fmt: skip
    with pytest.raises(agi.ConfigError, match=r"body channels \['peckish'\] are listed twice"):
        agi.make_agent(agi.override(agi.preset("tiny", "foraging"), ["steering.drives=hungry"]))
    with pytest.raises(ValueError, match=r"body channels \['ghost'\] are signals no drive provides"):
        from steering import make_steering

        make_steering([], body=("ghost",))


def test_a_misspelt_gain_of_a_registered_drive_names_the_gain():
    from agi.ablate import parse_variants, variant_config

    agi.load_plugins(["agi_beacon"], entry_points=False)
    cfg = agi.override(agi.preset("tiny", "beacon", plugins=("agi_beacon",)), ["steering.drives=nearness"])
    (v,) = parse_variants("x: nearness.gian=0")
    with pytest.raises(agi.ConfigError, match=r"'nearness.gian'.*\(or nearness.gain=G, which scales"):
        variant_config(cfg, v)


def test_the_assembly_answers_to_its_old_module():
    """``make_agent`` and friends moved to ``agi.assemble``; ``from agi.agent import make_agent`` still works."""
    import agi.agent
    import agi.assemble

    assert agi.agent.make_agent is agi.assemble.make_agent is agi.make_agent
    assert agi.agent.build_steering is agi.assemble.build_steering
    with pytest.raises(AttributeError):
        agi.agent.no_such_name  # noqa: B018


def test_registering_a_made_object_instead_of_its_factory_is_refused():
    with pytest.raises(RegistryError, match="make must be a factory .* not a Drive: pass make_x, not make_x"):
        from steering import Drive

        agi.register_drive("made", Drive("made", lambda: (), lambda s, senses, p: (s, None)))


def _bad(tmp_path, monkeypatch, name, text):
    (tmp_path / f"{name}.py").write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.parametrize(
    "args, message",
    [
        (["--plugin", "no_such_plugin"], "plugin 'no_such_plugin' does not import: ModuleNotFoundError"),
        (["--plugin", "bad_twice"], "a world named 'foraging' is already registered"),
        (["--plugin", "bad_raises"], "plugin 'bad_raises' does not import: RuntimeError: boom"),
        (["--plugin", "bad_raises.py"], "(--plugin takes a module name, e.g. --plugin my_plugin"),
        (["--plugin", "agi_beacon", "--world", "foraging", "--set", "steering.drives=nearness"],
         "drive 'nearness' reads (or logs) 'beacon_distance', which neither the world nor an earlier drive"),
        (["--plugin", "agi_beacon", "--world", "beacon", "--set", "beacon.size=big"],
         "beacon.size='big': expected a value of type int"),
        (["--plugin", "agi_beacon", "--world", "beacon", "--set", "beacon.size=1"], "beacon: size >= 2"),
        (["--world", "nowhere"], "unknown world 'nowhere'"),
        (["--set", "steering.drives=nowhere"], "unknown drive 'nowhere'"),
        (["--plugin", "agi_beacon", "--world", "beacon", "--set", "steering.ablations=drop:nearness"],
         "('nearness' is registered but not in this run: add it with --set steering.drives=...)"),
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


def test_the_readmes_drive_example_registers_and_builds(monkeypatch):
    """The README's ``boredom`` drive, run as written: registered, configured by ``--set``, and built."""
    from agi import registry

    monkeypatch.setattr(registry, "_DRIVES", dict(registry._DRIVES))
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = next(b for b in readme.split("```python\n")[1:] if "make_boredom" in b).split("```")[0]
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_boredom"})
    cfg = agi.override(agi.preset("tiny", "foraging"), ["steering.drives=boredom", "boredom.w=0.2"])
    agent = agi.make_agent(cfg)
    assert "boredom" in agent.steering.names and "boredom" in agent.head_names
