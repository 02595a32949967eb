"""Each drive's formula on hand-computed cases, the composition, and every kind of ablation."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

import steering as st
from steering.drives import (
    arousal_valence,
    make_arousal,
    make_arousal_valence,
    make_env_reward,
    make_fear,
    make_homeostasis,
    make_pain,
    make_sensory_heuristics,
)

f = lambda x: jnp.asarray(x, jnp.float32)


def test_homeostasis_formula():
    d = make_homeostasis(w_eat=2.0, w_hunger=0.5, rate=0.1, satiation=0.4, init_hunger=0.6)
    h, out = d.step(d.init(), {"ate": f(1.0)}, {})
    # hunger = clip(0.6 + 0.1 - 0.4) = 0.3; pleasure = 0.6; r = 2*0.6 - 0.5*0.3
    np.testing.assert_allclose(h, 0.3, rtol=1e-6)
    np.testing.assert_allclose(out.signals["pleasure"], 0.6, rtol=1e-6)
    np.testing.assert_allclose(out.reward, 1.2 - 0.15, rtol=1e-6)
    h, out = d.step(f(0.95), {"ate": f(0.0)}, {})
    np.testing.assert_allclose(h, 1.0)  # clipped
    np.testing.assert_allclose(out.reward, -0.5)


def test_pain_formula():
    d = make_pain(w_pain=2.0, decay=0.5)
    p, out = d.step(f(0.0), {"bitten": f(1.0)}, {})
    assert p == 1.0 and out.reward == -2.0
    p, out = d.step(p, {"bitten": f(0.0)}, {})
    np.testing.assert_allclose([p, out.reward], [0.5, -1.0])


def test_fear_override_then_defer_with_safety():
    d = make_fear(w_fear=1.0, tau_safe=10.0, safety_pull=0.5)
    s, out = d.step(d.init(), {"spider_detected": f(1.0), "bitten": f(0.0)}, {"fear": f(0.2)})
    assert out.signals["fear"] == 1.0 and out.diagnostics["fear_override"] == 1.0 and s == 0.0
    # Override: the head's target is the innate 1, with nothing bootstrapped.
    assert out.cumulants["fear"] == 1.0 and out.discounts["fear"] == 0.0
    # No spider: defer to the prediction, pulled down by one step of safety evidence.
    s, out = d.step(s, {"spider_detected": f(0.0), "bitten": f(0.0)}, {"fear": f(0.8)})
    safety = 1 - np.exp(-1 / 10)
    np.testing.assert_allclose(out.signals["fear"], 0.8 * (1 - 0.5 * safety), rtol=1e-6)
    np.testing.assert_allclose(out.reward, -out.signals["fear"])
    assert out.diagnostics["innate_fear"] == 0.0
    # The head's target bootstraps on its own next prediction, pulled down the same way (DESIGN.md §3).
    assert out.cumulants["fear"] == 0.0
    np.testing.assert_allclose(out.discounts["fear"], 1 - 0.5 * safety, rtol=1e-6)


def test_arousal_phasic_tonic():
    d = make_arousal(a_spider=0.8, a_bite=1.0, a_defer=0.3, decay=0.9)
    senses = {"spider_detected": f(1.0), "bitten": f(0.0)}
    tonic, out = d.step(d.init(), senses, {"arousal": f(0.0)})
    np.testing.assert_allclose(tonic, 0.1 * 0.8, rtol=1e-6)
    np.testing.assert_allclose(out.signals["arousal"], 0.8 + 0.08, rtol=1e-6)
    # Deferred part: the arousal head's prediction when nothing innate fires.
    tonic, out = d.step(f(0.0), {"spider_detected": f(0.0), "bitten": f(0.0)}, {"arousal": f(1.0)})
    np.testing.assert_allclose(out.diagnostics["phasic_arousal"], 0.3, rtol=1e-6)


def test_arousal_valence_formula():
    # r = -1, arousal 2: kappa*a*r - rho*relu(a - theta)
    np.testing.assert_allclose(arousal_valence(f(-1.0), f(2.0), 0.5, 0.2, 1.0, 0.1), -1.0 - 0.2, rtol=1e-6)
    # strongly positive reward: no overwhelm
    np.testing.assert_allclose(arousal_valence(f(1.0), f(2.0), 0.5, 0.2, 1.0, 0.1), 1.0, rtol=1e-6)


def test_sensory_heuristics_fooled_by_decoys():
    d = make_sensory_heuristics(legs_channel=2, food_channel=1, radius=1)
    view = jnp.zeros((5, 5, 4)).at[2, 3, 2].set(1.0)  # legs next to the agent, no "dark": a decoy
    _, out = d.step((), {"view": view, "ate": f(0), "bitten": f(0)}, {})
    assert out.diagnostics["spider_detected"] == 1.0
    far = jnp.zeros((5, 5, 4)).at[0, 0, 2].set(1.0)
    _, out = d.step((), {"view": far, "ate": f(0), "bitten": f(0)}, {})
    assert out.diagnostics["spider_detected"] == 0.0


def _subsystem():
    drives = [
        make_homeostasis(2.0, 0.5, 0.1, 0.4, init_hunger=0.6),
        make_pain(1.0, 0.5),
        make_fear(1.0, 10.0, 0.5),
        make_arousal(0.8, 1.0, 0.3, 0.9),
        make_arousal_valence(0.5, 0.2, 1.0, 0.1),
    ]
    return st.make_steering(drives, body=("hunger", "pain", "fear", "arousal", "pleasure"))


SENSES = {"ate": f(1.0), "bitten": f(1.0), "spider_detected": f(1.0)}
PREDS = {"fear": f(0.3), "arousal": f(0.2), "valence": f(0.0)}


def test_composition_sums_named_contributions_and_builds_interoception():
    s = _subsystem()
    state, out = jax.jit(lambda x: st.step(s, x, SENSES, PREDS))(st.init(s))
    chex.assert_shape(out.interoception, (5,))
    total = sum(out.reward_by_drive.values())
    np.testing.assert_allclose(out.reward, total, rtol=1e-6)
    base = out.reward_by_drive["homeostasis"] + out.reward_by_drive["pain"] + out.reward_by_drive["fear"]
    a = out.signals["arousal"]
    np.testing.assert_allclose(out.reward_by_drive["arousal_valence"], arousal_valence(base, a, 0.5, 0.2, 1.0, 0.1))
    np.testing.assert_allclose(out.interoception[0], out.signals["hunger"])
    np.testing.assert_allclose(out.attention_mask, np.ones(5))


def test_duplicate_drive_names_rejected():
    with pytest.raises(ValueError, match="duplicate"):
        st.make_steering([make_pain(1.0, 0.5), make_pain(1.0, 0.5)])


def test_a_signal_has_one_writer():
    """A second drive providing ``hunger`` would overwrite it for the hunger head and every later drive."""
    rival = st.Drive("rival", lambda: (), lambda s, senses, p: (s, st.drive_out(signals={"hunger": 1.0})),
                     provides=("hunger",))  # fmt: skip
    with pytest.raises(ValueError, match="drives 'homeostasis' and 'rival' both provide the signal 'hunger'"):
        st.make_steering([make_homeostasis(1.0, 0.1, 0.01, 0.5), rival])


def _run(s):
    return st.step(s, st.init(s), SENSES, PREDS)[1]


def test_ablation_drop():
    out = _run(st.drop(_subsystem(), "pain"))
    assert "pain" not in out.reward_by_drive and "pain" not in out.signals


def test_ablation_gain():
    base, scaled = _run(_subsystem()), _run(st.scale_gain(_subsystem(), "pain", 0.25))
    np.testing.assert_allclose(scaled.reward_by_drive["pain"], 0.25 * base.reward_by_drive["pain"])
    np.testing.assert_allclose(scaled.signals["pain"], base.signals["pain"])  # signals untouched


def test_ablation_clamp_is_seen_downstream():
    out = _run(st.clamp_signal(_subsystem(), "arousal", 0.0))
    assert out.signals["arousal"] == 0.0
    # arousal × valence reads the clamped arousal: no rescaling, no overwhelm
    assert out.reward_by_drive["arousal_valence"] == 0.0


def test_clamp_leaves_the_owning_drives_reward_alone():
    base, clamped = _run(_subsystem()), _run(st.clamp_signal(_subsystem(), "fear", 0.0))
    assert clamped.signals["fear"] == 0.0
    assert clamped.cumulants["fear"] == 0.0 and clamped.discounts["fear"] == 0.0  # the head is taught V too
    np.testing.assert_allclose(clamped.reward_by_drive["fear"], base.reward_by_drive["fear"])  # documented


def test_ablation_open_gate():
    steering = st.make_steering([st.stateless("g", lambda s, p: st.drive_out(signals={"x": 1.0}, gates={"x": 0.0}),
                                              ("x",))])  # fmt: skip
    _, out = st.step(st.open_gate(steering, "x"), st.init(steering), {}, {})
    assert out.gates["x"] == 1.0
    _, out = st.step(st.apply_ablations(steering, ["open_gate:x"]), st.init(steering), {}, {})
    assert out.gates["x"] == 1.0


def test_ablation_cut_gate():
    out = _run(st.cut_gate(_subsystem(), "fear"))
    assert out.gates["fear"] == 0.0


def test_ablation_force_mode():
    s = _subsystem()
    deferred = _run(st.force_mode(s, "fear", "defer"))
    np.testing.assert_allclose(deferred.signals["fear"], PREDS["fear"])
    # Deferring: the target is the head's own next prediction (cumulant 0, discount 1), not its current one,
    # which would give a TD error of 0 and freeze the head.
    assert deferred.cumulants["fear"] == 0.0 and deferred.discounts["fear"] == 1.0
    no_spider = {**SENSES, "spider_detected": f(0.0), "bitten": f(0.0)}
    out = st.step(st.force_mode(s, "fear", "override"), st.init(s), no_spider, PREDS)[1]
    assert out.signals["fear"] == 0.0  # the innate circuit alone says: no spider, no fear
    assert out.cumulants["fear"] == 0.0 and out.discounts["fear"] == 0.0


@pytest.mark.parametrize(
    "spec,msg",
    [("drop:nope", "unknown drive"), ("clamp:nope=1", "no drive provides"), ("gain:pain=x", "not a number"),
     ("mode:fear=maybe", "override"), ("explode:pain", "bad ablation")],
)  # fmt: skip
def test_ablation_errors(spec, msg):
    with pytest.raises(ValueError, match=msg):
        st.apply_ablation(_subsystem(), spec)


def test_apply_ablations_parses_config_strings():
    s = st.apply_ablations(_subsystem(), ["drop:pain", "gain:fear=0", "cut_gate:fear", "mode:fear=defer"])
    out = _run(s)
    assert "pain" not in out.reward_by_drive and out.reward_by_drive["fear"] == 0.0 and out.gates["fear"] == 0.0


def test_env_reward():
    d = make_env_reward(0.1)
    _, out = d.step((), {"env_reward": f(1.0)}, {})
    np.testing.assert_allclose(out.reward, 0.1)


ALL_DRIVES = [
    (make_homeostasis(2.0, 0.5, 0.1, 0.4), SENSES),
    (make_pain(1.0, 0.5), SENSES),
    (make_fear(1.0, 10.0, 0.5), SENSES),
    (make_arousal(0.8, 1.0, 0.3, 0.9), SENSES),
    (make_arousal_valence(0.5, 0.2, 1.0, 0.1), {**SENSES, "reward": f(-0.5), "arousal": f(1.5)}),
    (make_env_reward(1.0), {"env_reward": f(1.0)}),
    (make_sensory_heuristics(2, 1, 1), {"view": jnp.zeros((3, 3, 4)), "ate": f(0), "bitten": f(0)}),
]


@pytest.mark.parametrize("drive,senses", ALL_DRIVES, ids=lambda x: getattr(x, "name", ""))
def test_every_drive_is_jit_compatible_with_scalar_outputs(drive, senses):
    state = drive.init()
    eager = drive.step(state, senses, PREDS)
    jitted = jax.jit(drive.step)(state, senses, PREDS)
    chex.assert_trees_all_close(eager, jitted)
    chex.assert_shape(jitted[1].reward, ())
    for v in [*jitted[1].signals.values(), *jitted[1].diagnostics.values()]:
        chex.assert_shape(v, ())
