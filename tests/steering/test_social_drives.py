"""The social circuits on hand-computed cases: formulas, gating, sign flips, and their composition."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import steering as st
from steering.drives import make_arousal, make_fear
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
    base = dict(conspecific_in_view=0.0, conspecific_onset=0.0, eye_contact=0.0, conspecific_size=0.0,
                conspecific_close=0.0, oriented=0.0, bitten=0.0, threatened=0.0, reward=0.0)  # fmt: skip
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


def test_lack_of_attention_masks_interoception_and_finder_gates_are_zero_on_simulated_thoughts():
    steering = st.make_steering([make_lack_of_attention(), make_concept_finders()], body=("pleasure", "fear"))
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
def test_empathy_readout_is_zero_unless_the_thought_was_oriented(readout):
    d = make_empathy_readout(readout)
    preds = {"finder_pleasure": f(0.7), "finder_fear": f(0.3)}
    senses = _senses(looked_pleasure=-0.5, looked_fear=0.9)
    _, out = d.step((), senses, preds)
    assert out.diagnostics["conspecific_pleasure"] == 0.0 and out.diagnostics["conspecific_fear"] == 0.0
    _, out = d.step((), {**senses, "oriented": f(1.0)}, preds)
    expected = (0.7, 0.3) if readout == "learned" else (-0.5, 0.9)
    np.testing.assert_allclose([out.diagnostics["conspecific_pleasure"], out.diagnostics["conspecific_fear"]],
                               expected, rtol=1e-6)  # fmt: skip
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


def test_friend_enemy_moves_with_valence_of_the_attended_conspecific_only():
    d = make_friend_enemy(priors=[0.0, 0.5, -0.2], rate=0.1, baseline_rate=0.0)
    att, looked = f([0.0, 1.0, 0.0]), f([0.0, 0.0, 1.0])
    state = (f([0.0, 0.5, -0.2]), f(0.0), f(10.0))  # a baseline of 0 after 10 steps
    state, out = d.step(state, {**_senses(reward=1.0), "attended": att, "looked": looked}, {})
    np.testing.assert_allclose(state[0], [0.0, 0.6, -0.2], rtol=1e-6)  # good things with c=1: more of a friend
    assert out.diagnostics["fe_attended"] == np.float32(0.6)
    assert out.diagnostics["fe_looked"] == np.float32(-0.2)  # the body the thought is about may be another
    state, _ = d.step((state[0], f(0.0), f(10.0)), {**_senses(reward=-3.0), "attended": att, "looked": looked}, {})
    np.testing.assert_allclose(state[0], [0.0, 0.3, -0.2], rtol=1e-6)
    first, _ = d.step(d.init(), {**_senses(reward=-3.0), "attended": att, "looked": looked}, {})
    np.testing.assert_allclose(first[0], [0.0, 0.5, -0.2])  # the first step only sets the baseline
    assert first[1] == -3.0
    fixed = make_friend_enemy(priors=[-1.0, -1.0, -1.0], rate=0.0, baseline_rate=0.01)
    (fe, _, _), _ = fixed.step(fixed.init(), {**_senses(reward=5.0), "attended": att, "looked": looked}, {})
    np.testing.assert_array_equal(fe, [-1.0, -1.0, -1.0])


def test_familiarity_makes_a_stranger_stop_triggering_fear_after_benign_encounters():
    d = make_familiarity(priors=[1.0, 0.0], rate=0.25, theta=0.5)
    fear = make_fear(w_fear=0.1, tau_safe=20.0, safety_pull=0.5, triggers=("spider_detected", "stranger_close"))
    senses = {**_senses(conspecific_close=1.0, spider_detected=0.0), "attended": f([0.0, 1.0])}
    s, fs = d.init(), fear.init()
    overrides = []
    for _ in range(4):
        s, out = d.step(s, senses, {})
        fs, fout = fear.step(fs, {**senses, **out.diagnostics}, {"fear": f(0.0)})
        overrides.append(float(fout.signals["fear"]))
    assert overrides == [1.0, 1.0, 0.0, 0.0]  # familiarity 0, 0.25 < 0.5; then 0.5 and 0.75


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
    d = make_friend_enemy(priors=[0.0, 0.0], rate=0.1, baseline_rate=0.1)
    step = jax.jit(d.step)
    (fe, rbar, _), _ = step(d.init(), {**_senses(reward=1.0), "attended": f([1.0, 0.0]), "looked": f([1.0, 0.0])}, {})
    assert fe.shape == (2,) and rbar.shape == ()
