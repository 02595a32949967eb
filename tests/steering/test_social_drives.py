"""The social circuits on hand-computed cases: formulas, gating, sign flips, and their composition."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import steering as st
from steering.drives import make_arousal
from steering.drives.social import (
    make_compassion_spite,
    make_concept_finders,
    make_conspecific_detector,
    make_empathy_readout,
    make_familiarity,
    make_feared,
    make_friend_enemy,
    make_lack_of_attention,
    make_liked_admired,
    make_mood,
    make_social_attention,
)

f = lambda x: jnp.asarray(x, jnp.float32)


def _senses(**kw):
    base = dict(conspecific_in_view=0.0, conspecific_onset=0.0, conspecific_touch=0.0, eye_contact=0.0,
                conspecific_size=0.0, conspecific_close=0.0, conspecific_kin=0.0, looked_kin=0.0, oriented=0.0,
                bitten=0.0, threatened=0.0, reward=0.0)  # fmt: skip
    base.update(kw)
    return {k: f(v) for k, v in base.items()}


def test_conspecific_detector_onset_only_on_the_first_step_in_view():
    d = make_conspecific_detector()
    s, out = d.step(d.init(), _senses(conspecific_in_view=1.0), {})
    assert out.diagnostics["conspecific_onset"] == 1.0
    s, out = d.step(s, _senses(conspecific_in_view=1.0), {})
    assert out.diagnostics["conspecific_onset"] == 0.0
    s, out = d.step(s, _senses(), {})
    s, out = d.step(s, _senses(conspecific_in_view=1.0), {})
    assert out.diagnostics["conspecific_onset"] == 1.0


def test_social_attention_reflex_fires_on_onset_periodically_in_view_and_every_step_under_eye_contact():
    d = make_social_attention(period_view=3, period_eye=1, theta=0.5)
    quiet = {"social_attention": f(0.0)}
    fired = []
    s = d.init()
    for t in range(7):
        s, out = d.step(s, _senses(conspecific_in_view=1.0, conspecific_onset=float(t == 0)), quiet)
        fired.append(float(out.diagnostics["social_reflex"]))
    assert fired == [1, 0, 0, 1, 0, 0, 1]  # onset, then every 3rd step while in view
    assert out.signals["social_attention"] == 1.0  # the innate part is the head's ground truth
    for _ in range(3):
        s, out = d.step(s, _senses(conspecific_in_view=1.0, eye_contact=1.0), quiet)
        assert out.diagnostics["social_reflex"] == 1.0
    # Out of view the innate part is silent, but thinking of a conspecific (the head's prediction) fires it.
    s, out = d.step(s, _senses(), quiet)
    assert out.diagnostics["social_reflex"] == 0.0
    s, out = d.step(s, _senses(), {"social_attention": f(0.9)})
    assert out.diagnostics["social_reflex"] == 1.0 and out.signals["social_attention"] == 0.0


def test_touching_a_conspecific_fires_the_reflex_before_its_period():
    d = make_social_attention(period_view=4, period_eye=1, theta=0.5)
    quiet = {"social_attention": f(0.0)}
    s, out = d.step(d.init(), _senses(conspecific_in_view=1.0, conspecific_onset=1.0), quiet)
    fired = []
    for t in range(3):  # in view, no onset, period not reached: only the touch at t = 1 fires it
        s, out = d.step(s, {**_senses(conspecific_in_view=1.0), "conspecific_touch": f(float(t == 1))}, quiet)
        fired.append(float(out.diagnostics["social_reflex"]))
    assert fired == [0.0, 1.0, 0.0]
    assert out.signals["social_attention"] == 0.0
    det = make_conspecific_detector()  # a world without touch: the detector reports none
    no_touch = {k: v for k, v in _senses(conspecific_in_view=1.0).items() if k != "conspecific_touch"}
    _, out = det.step(det.init(), no_touch, {})
    assert out.diagnostics["conspecific_touch"] == 0.0


def test_lack_of_attention_masks_interoception_and_finder_gates_are_zero_on_simulated_thoughts():
    steering = st.make_steering([make_lack_of_attention(), make_concept_finders()],
                                body=("finder_pleasure", "finder_fear"))  # (two channels for the mask)
    senses = {**_senses(oriented=1.0, social_reflex=1.0), "pleasure": f(0.4), "fear": f(0.2)}
    _, out = st.step(steering, st.init(steering), senses, {})
    np.testing.assert_array_equal(out.attention_mask, [0.0, 0.0])
    assert out.gates["finder_pleasure"] == 0.0 and out.gates["finder_fear"] == 0.0
    assert out.signals["finder_pleasure"] == np.float32(0.4)  # ground truth: own pleasure
    senses.update(oriented=f(0.0), social_reflex=f(0.0))
    _, out = st.step(steering, st.init(steering), senses, {})
    np.testing.assert_array_equal(out.attention_mask, [1.0, 1.0])
    assert out.gates["finder_pleasure"] == 1.0


@pytest.mark.parametrize("readout", ["learned", "oracle"])
def test_empathy_readout_reads_the_finders_on_simulations_and_defers_to_its_heads_otherwise(readout):
    d = make_empathy_readout(readout)
    preds = {"finder_pleasure": f(0.7), "finder_fear": f(0.3), "conspecific_pleasure": f(0.4),
             "conspecific_fear": f(1.5)}  # fmt: skip
    senses = _senses(looked_pleasure=-0.5, looked_fear=0.9)
    _, out = d.step((), senses, preds)
    # not a simulation: the felt signal is the short-term predictor's guess (clipped), which does not learn
    np.testing.assert_allclose([out.signals["conspecific_pleasure"], out.signals["conspecific_fear"]], [0.4, 1.0])
    assert out.gates["conspecific_pleasure"] == 0.0 and out.cumulants["conspecific_fear"] == 0.0
    _, out = d.step((), {**senses, "oriented": f(1.0)}, preds)
    expected = (0.7, 0.3) if readout == "learned" else (-0.5, 0.9)
    np.testing.assert_allclose([out.signals["conspecific_pleasure"], out.signals["conspecific_fear"]], expected,
                               rtol=1e-6)  # fmt: skip
    # a simulation: the heads learn the readout (override)
    np.testing.assert_allclose([out.cumulants["conspecific_pleasure"], out.gates["conspecific_pleasure"]],
                               [expected[0], 1.0], rtol=1e-6)  # fmt: skip
    np.testing.assert_allclose(out.diagnostics["learned_conspecific_pleasure"], 0.7, rtol=1e-6)


def test_compassion_flips_to_spite_with_an_enemy():
    d = make_compassion_spite(w=2.0)
    senses = _senses(phasic_arousal=0.5, conspecific_pleasure=0.8)
    _, friend = d.step((), {**senses, "fe_looked": f(0.6)}, {})
    _, enemy = d.step((), {**senses, "fe_looked": f(-0.6)}, {})
    np.testing.assert_allclose(friend.reward, 2.0 * 0.6 * 0.5 * 0.8, rtol=1e-6)
    np.testing.assert_allclose(enemy.reward, -friend.reward, rtol=1e-6)
    # Schadenfreude: an enemy's displeasure is rewarding.
    _, out = d.step((), {**senses, "fe_looked": f(-0.6), "conspecific_pleasure": f(-0.8)}, {})
    assert out.reward > 0


def test_feared_is_silent_while_afraid():
    d = make_feared(w=1.0, theta=0.5)
    senses = _senses(phasic_arousal=0.5, conspecific_fear=0.8)
    _, calm = d.step((), {**senses, "fear": f(0.1)}, {})
    _, afraid = d.step((), {**senses, "fear": f(0.9)}, {})
    np.testing.assert_allclose(calm.reward, 0.4, rtol=1e-6)
    assert afraid.reward == 0.0


def test_friend_enemy_is_a_short_term_predictor_of_valence_while_someone_is_in_view():
    d = make_friend_enemy(prior=0.0, prior_kin=0.5, rate=0.1, baseline_rate=0.0)
    assert d.provides == ("friend_enemy",) and d.heads["friend_enemy"].alpha == 0.1
    state = d.init()
    state, out = d.step(state, _senses(reward=2.0, conspecific_in_view=1.0), {"friend_enemy": f(0.3)})
    # the first reward sets the baseline (it is its own mean): target 0; fe = prior + the head's guess
    assert out.signals["friend_enemy"] == 0.0 and out.gates["friend_enemy"] == 1.0
    np.testing.assert_allclose(out.diagnostics["fe_looked"], 0.3, rtol=1e-6)
    state, out = d.step(state, _senses(reward=-3.0, looked_kin=1.0), {"friend_enemy": f(0.8)})
    # target clip(-3 - 2, -1, 1) = -1, learned only while a conspecific is in view; kin prior 0.5 + 0.8 -> 1
    assert out.signals["friend_enemy"] == -1.0 and out.gates["friend_enemy"] == 0.0
    assert out.diagnostics["fe_looked"] == 1.0
    fixed = make_friend_enemy(prior=-1.0, prior_kin=-1.0, rate=0.0, baseline_rate=0.01)
    _, out = fixed.step(fixed.init(), _senses(reward=5.0, conspecific_in_view=1.0), {"friend_enemy": f(0.9)})
    assert out.diagnostics["fe_looked"] == -1.0 and out.gates["friend_enemy"] == 0.0  # rate 0: fixed at the prior


def test_no_social_circuit_reads_who_someone_is():
    """Steering's senses carry cues, never identity (001 §0.1, §5): the social drives run on senses without any
    ``oracle/`` key, and what they compute does not change when the world's identity senses change."""
    drives = [make_conspecific_detector(), make_familiarity(0.5, 20.0), make_friend_enemy(0.0, 0.5, 0.1, 0.01),
              make_empathy_readout(), make_compassion_spite(1.0), make_feared(0.5, 0.5)]  # fmt: skip
    steer = st.make_steering(drives)
    preds = {k: f(0.2) for k in ("conspecific_safe", "friend_enemy", "finder_pleasure", "finder_fear",
                                 "conspecific_pleasure", "conspecific_fear")}  # fmt: skip
    senses = {**_senses(conspecific_in_view=1.0, conspecific_close=1.0, oriented=1.0, looked_pleasure=0.5,
                        looked_fear=0.0, phasic_arousal=0.5, fear=0.0), "looked_eye_contact": f(0.0)}  # fmt: skip
    _, out = st.step(steer, st.init(steer), senses, preds)
    for who in ([1.0, 0.0], [0.0, 1.0]):
        identity = {"oracle/attended": f(who), "oracle/looked": f(who)}
        _, other = st.step(steer, st.init(steer), {**senses, **identity}, preds)
        assert jax.tree.map(lambda a, b: bool(jnp.all(a == b)), out, other) == jax.tree.map(lambda a: True, out)


def test_familiarity_is_the_learned_prediction_of_safety_watched_by_the_innate_circuit():
    d = make_familiarity(theta=0.5, tau_safe=10.0, rate=0.25)
    assert d.provides == ("conspecific_safe",) and d.heads["conspecific_safe"].alpha == 0.25
    close = _senses(conspecific_close=1.0)
    _, out = d.step(d.init(), close, {"conspecific_safe": f(0.1)})
    assert out.diagnostics["stranger_close"] == 1.0  # predicted unsafe: the override fires
    # the head's target is the safety evidence, 1 - exp(-steps since harm / tau), learned only while one is close
    np.testing.assert_allclose(out.signals["conspecific_safe"], 1.0 - np.exp(-1.0 / 10.0), rtol=1e-6)
    assert out.gates["conspecific_safe"] == 1.0
    _, out = d.step(f(4.0), close, {"conspecific_safe": f(0.7)})
    assert out.diagnostics["stranger_close"] == 0.0  # predicted safe: the circuit defers to the assessors
    _, out = d.step(d.init(), {**close, "conspecific_kin": f(1.0)}, {"conspecific_safe": f(0.0)})
    assert out.diagnostics["stranger_close"] == 0.0  # kin are innately familiar
    _, out = d.step(f(30.0), {**close, "threatened": f(1.0)}, {"conspecific_safe": f(0.9)})
    assert out.signals["conspecific_safe"] == 0.0  # harm resets the safety evidence
    _, out = d.step(d.init(), _senses(), {"conspecific_safe": f(0.0)})
    assert out.gates["conspecific_safe"] == 0.0 and out.diagnostics["stranger_close"] == 0.0


def test_liked_admired_rewards_approval_above_an_adapting_baseline():
    d = make_liked_admired(w=1.0, adapt=0.5)
    senses = _senses(looked_eye_contact=1.0, conspecific_pleasure=0.8, fe_looked=0.5)
    b, out1 = d.step(d.init(), senses, {})
    b, out2 = d.step(b, senses, {})
    np.testing.assert_allclose([out1.reward, out2.reward, b], [0.4, 0.2, 0.6], rtol=1e-6)
    _, out = d.step(b, {**senses, "looked_eye_contact": f(0.0)}, {})
    assert out.reward == 0.0


def test_mood_follows_reward_relative_to_its_baseline():
    d = make_mood(decay=0.5, gain=1.0, baseline_rate=0.0)
    s, out = d.step((f(0.0), f(0.0), f(1e9)), _senses(reward=0.6), {})  # a settled baseline of 0
    s, out = d.step(s, _senses(reward=-0.1), {})
    np.testing.assert_allclose(out.signals["pleasure"], 0.2, rtol=1e-6)
    s, out = d.step(s, _senses(reward=-5.0), {})
    assert out.signals["pleasure"] == -1.0


def test_orienting_to_a_conspecific_is_arousing_more_so_under_eye_contact_and_with_size():
    d = make_arousal(a_spider=0.8, a_bite=1.0, a_defer=0.3, decay=0.9, a_orient=0.2, a_eye=0.3, a_size=0.1)
    base = _senses(spider_detected=0.0, looked_size=3.0, looked_eye_contact=0.0)
    pred = {"arousal": f(0.0)}
    innate = lambda **kw: float(d.step(d.init(), {**base, **{k: f(v) for k, v in kw.items()}}, pred)[1]
                                .diagnostics["innate_arousal"])  # fmt: skip
    assert innate() == 0.0
    np.testing.assert_allclose(innate(oriented=1.0), 0.2 + 0.1 * 2.0, rtol=1e-6)
    np.testing.assert_allclose(innate(oriented=1.0, looked_eye_contact=1.0), 0.2 + 0.3 + 0.2, rtol=1e-6)


def test_social_drives_are_jittable():
    d = make_friend_enemy(prior=0.0, prior_kin=0.5, rate=0.1, baseline_rate=0.1)
    step = jax.jit(d.step)
    (rbar, n), out = step(d.init(), _senses(reward=1.0), {"friend_enemy": f(0.2)})
    assert rbar.shape == () and n.shape == () and out.diagnostics["fe_looked"].shape == ()
