"""The social circuits of the Steering Subsystem (001 Ingredients 1-4, §5-§7; 000 §4.4).

Each circuit is its own drive, so each can be dropped, scaled, clamped or gated from config. They read the
world's innate-detector inputs (``conspecific_in_view``, ``eye_contact``, ``conspecific_size``,
``conspecific_close``, ``conspecific_kin``: cues, never *who* someone is; 001 §0.1, §5), ``oriented`` (1 when
the current thought was formed under the social attention reflex, i.e. the reflex fired on the previous step)
and the assessors' predictions. What is known about a particular conspecific (is it safe, friend or enemy) is
carried by Thought Assessor heads reading the current thought, so it attaches to a *thought of* that body and
generalises to look-alikes.

Timing: the reflex that fires at step t orients the view and masks interoception for the thought of step t+1;
everything that concerns "the thought being an empathetic simulation" (readout gate, finder learning-rate
gate, orienting arousal) reads ``oriented``, the reflex as it shaped the current thought.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
import jax.numpy as jnp

from steering.drive import Drive, Head, drive_out, expect, running_mean, stateless

F32 = jnp.float32


def make_conspecific_detector() -> Drive:
    """Innate conspecific and eye-contact heuristics (001 §1.1): in view, onset, eye contact, size, closeness,
    touch (touching or being touched by a conspecific; 0 where the world has no touch), and the kin cue (an
    innate detector of kin, 001 §5.2: how innate friend priors enter without identities).

        onset_t = in_view_t · (1 − in_view_{t−1})
    """

    def step(prev_in_view, senses, predictions):
        in_view = senses["conspecific_in_view"].astype(F32)
        return in_view, drive_out(
            diagnostics={
                "conspecific_in_view": in_view,
                "conspecific_kin": senses["conspecific_kin"],
                "conspecific_onset": in_view * (1.0 - prev_in_view),
                "eye_contact": senses["eye_contact"],
                "conspecific_size": senses["conspecific_size"],
                "conspecific_close": senses["conspecific_close"],
                "conspecific_touch": senses.get("conspecific_touch", jnp.zeros((), F32)),
            }
        )

    return Drive("conspecific_detector", lambda: jnp.zeros((), F32), step)


def make_social_attention(period_view: int, period_eye: int, theta: float) -> Drive:
    """The social attention reflex (001 §1.1, §2): a phasic flag.

        innate_t = onset_t  or  touch_t  or  (in_view_t and s_t >= period)     period = period_eye under eye contact
        reflex_t = innate_t  or  p_social_attention_t > θ            (generalization: thinking of a conspecific)
    where ``s_t`` counts steps since the reflex last fired. Touching or being touched by a conspecific is one of
    the innate triggers (001 §1.1), so the thought after a gift or a threat is about its recipient. The head's
    ground truth is the innate part.
    """

    def step(since, senses, predictions):
        in_view, eye = senses["conspecific_in_view"], senses["eye_contact"]
        period = jnp.where(eye > 0, period_eye, period_view)
        since = since + 1.0
        innate = jnp.maximum(jnp.maximum(senses["conspecific_onset"], senses["conspecific_touch"]),
                             in_view * (since >= period))
        reflex = jnp.maximum(innate, (predictions["social_attention"] > theta).astype(F32))
        return jnp.where(reflex > 0, 0.0, since), drive_out(
            signals={"social_attention": innate},
            diagnostics={"social_reflex": reflex, "innate_social_attention": innate},
        )

    return Drive("social_attention", lambda: jnp.asarray(1e6, F32), step, ("social_attention",))


def make_familiarity(theta: float, tau_safe: float, rate: float | None = None) -> Drive:
    """Stranger danger (002): an adult conspecific close by is scary unless the Thought Assessors predict it is
    safe. "Familiar" is learned, not a table: the ``conspecific_safe`` head reads the current thought and learns,
    while a conspecific is close, the safety evidence of the moment (nothing harmful has happened for a while);
    the innate circuit watches that prediction. A body showing the kin cue is innately familiar.

        stranger_close_t = close_t · (1 − kin_t) · [p_conspecific_safe_t < θ]
        target_t = 1 − exp(−steps since bitten or threatened / τ),    gate_t = close_t
    ``rate`` is the head's step size (None: the agent's default for short-term predictors).
    """

    def step(since_harm, senses, predictions):
        close = senses["conspecific_close"]
        harm = jnp.maximum(senses["bitten"], senses["threatened"])
        since_harm = jnp.where(harm > 0, 0.0, since_harm + 1.0)
        known = predictions["conspecific_safe"]
        stranger = close * (1.0 - senses["conspecific_kin"]) * (known < theta)
        return since_harm, drive_out(
            signals={"conspecific_safe": 1.0 - jnp.exp(-since_harm / tau_safe)},
            gates={"conspecific_safe": close},
            diagnostics={"stranger_close": stranger, "familiarity": known},
        )

    return Drive("familiarity", lambda: jnp.zeros((), F32), step, ("conspecific_safe",),
                 {"conspecific_safe": Head(alpha=rate)})  # fmt: skip


def make_friend_enemy(prior: float, prior_kin: float, rate: float, baseline_rate: float) -> Drive:
    """The friend (+) / enemy (−) parameter (001 §5.2), a Steering signal carried by a short-term predictor.

    Its ground truth is the valence that co-occurs with attending to a conspecific (the reward of the drives
    before this one, relative to its running mean), learned only while one is in view; its head reads the
    current thought, so the value is a property of the *thought of* someone, generalising to look-alikes
    (001 §5.2, §5.4). Innate priors enter through cues, not identities: ``prior_kin`` for a thought the reflex
    oriented to a body showing the kin cue, ``prior`` otherwise.

        target_t = clip(r_t − r̄, −1, 1),  gate_t = in_view_t · [rate > 0]
        fe_t = clip(prior_kin if kin_looked_t else prior  +  p_friend_enemy_t, −1, 1)      (``fe_looked``)
    ``rate`` is the head's step size (0 fixes fe at the prior).
    """

    def step(state, senses, predictions):
        rbar, n = state
        r = senses["reward"]
        target = jnp.clip(r - rbar, -1.0, 1.0) * (n > 0)  # no baseline before the first reward
        rbar, n = running_mean(rbar, n, r, baseline_rate)
        learned = predictions["friend_enemy"] if rate > 0 else jnp.zeros((), F32)
        fe = jnp.clip(jnp.where(senses["looked_kin"] > 0, prior_kin, prior) + learned, -1.0, 1.0)
        gate = senses["conspecific_in_view"] * float(rate > 0)
        return (rbar, n), drive_out(signals={"friend_enemy": target}, gates={"friend_enemy": gate},
                                    diagnostics={"fe_looked": fe})  # fmt: skip

    heads = {"friend_enemy": Head(alpha=rate)} if rate > 0 else {}
    return Drive("friend_enemy", lambda: (jnp.zeros((), F32), jnp.zeros((), F32)), step, ("friend_enemy",), heads)


def make_empathy_readout(readout: str = "learned") -> Drive:
    """Transient empathetic simulation readout (001 §4, §5.1, §5.4): concept-finder outputs through a reflex gate,
    each a Steering signal with a short-term predictor in defer mode.

        on a thought formed under the reflex:  conspecific_X_t = finder_X(φ_int)      (override: the head learns it)
        otherwise:                             conspecific_X_t = p_conspecific_X_t     (defer: the head's guess)
    for X in {pleasure, fear}: the predictor lets the signal arise from thoughts of someone who is not being
    simulated right now (001 §5.4, "nobody in the room"). ``readout="oracle"`` substitutes the looked-at body's
    true feelings on oriented thoughts: a labelled baseline, never the default. The learned and oracle readouts
    are written as diagnostics (``learned_conspecific_*``, ``oracle_conspecific_*``) for comparison.
    """
    if readout not in ("learned", "oracle"):
        raise ValueError(f"empathy readout must be learned or oracle, got {readout!r}")

    def fn(senses, predictions):
        o = senses["oriented"]
        learned_p = jnp.clip(predictions["finder_pleasure"], -1.0, 1.0) * o
        learned_f = jnp.clip(predictions["finder_fear"], 0.0, 1.0) * o
        oracle_p, oracle_f = senses["looked_pleasure"] * o, senses["looked_fear"] * o
        use_oracle = readout == "oracle"
        read = {"conspecific_pleasure": oracle_p if use_oracle else learned_p,
                "conspecific_fear": oracle_f if use_oracle else learned_f}  # fmt: skip
        guess = {"conspecific_pleasure": jnp.clip(predictions["conspecific_pleasure"], -1.0, 1.0),
                 "conspecific_fear": jnp.clip(predictions["conspecific_fear"], 0.0, 1.0)}  # fmt: skip
        felt = {k: jnp.where(o > 0, read[k], guess[k]) for k in read}
        return drive_out(
            signals=felt,
            cumulants=read,
            gates={k: o for k in read},
            diagnostics={
                "learned_conspecific_pleasure": learned_p,
                "oracle_conspecific_pleasure": oracle_p,
                "learned_conspecific_fear": learned_f,
                "oracle_conspecific_fear": oracle_f,
            },
        )

    return stateless("empathy_readout", fn, ("conspecific_pleasure", "conspecific_fear"))


def make_compassion_spite(w: float) -> Drive:
    """The compassion / spite circuit (001 §5, §5.3): ``r += w · fe · phasic_arousal · conspecific_pleasure``,
    ``fe`` the friend/enemy signal on the current thought (``fe_looked``).

    With fe > 0 a conspecific's apparent pleasure is rewarding (compassion); with fe < 0 the sign flips (spite,
    schadenfreude). Phasic arousal scales it by how high-stakes the interaction is.
    """

    def fn(senses, predictions):
        r = w * senses["fe_looked"] * senses["phasic_arousal"] * senses["conspecific_pleasure"]
        return drive_out(r)

    return stateless("compassion_spite", fn)


def make_liked_admired(w: float, adapt: float) -> Drive:
    """The explicit "drive to feel liked / admired" (000 §4.4.2), an alternative hypothesis, off by default.

    Under eye contact the conspecific is taken to be thinking of me, so its apparent pleasure is its valence
    about me; what counts is that valence above an adapting baseline (000 §4.4.2 "adaptation mechanism"):
        r += w · relu(fe) · eye_t · (conspecific_pleasure_t − b);     b ← b + adapt · eye_t · (cp_t − b)
    By default (no such drive) liking/admiring is emergent from compassion/spite under eye contact (001 §6.1).
    """

    def step(b, senses, predictions):
        eye, cp = senses["looked_eye_contact"], senses["conspecific_pleasure"]
        r = w * jax.nn.relu(senses["fe_looked"]) * eye * (cp - b)
        return b + adapt * eye * (cp - b), drive_out(r)

    return Drive("liked_admired", lambda: jnp.zeros((), F32), step)


def make_feared(w: float, theta: float) -> Drive:
    """The drive to feel feared (001 §7.1): ``r += w · phasic_arousal · conspecific_fear · [own fear <= θ]``.

    Gated off while the agent is itself afraid, so it does not misfire when a bully threatens us both.
    """

    def fn(senses, predictions):
        calm = (senses["fear"] <= theta).astype(F32)
        return drive_out(w * senses["phasic_arousal"] * senses["conspecific_fear"] * calm)

    return stateless("feared", fn)


def make_mood(decay: float, gain: float, baseline_rate: float = 0.01) -> Drive:
    """Pleasure / displeasure (001 §5.1): the body's hedonic tone, following the reward of the drives before
    relative to what it has become used to (hedonic adaptation, so the tone has both signs):

        pleasure_t = clip(decay · pleasure_{t−1} + gain · (r_t − r̄_t), −1, 1);   r̄ ← r̄ + β (r_t − r̄)
    It is what an agent's face expresses in the social world, and what the pleasure concept finder learns.
    """

    def step(state, senses, predictions):
        p, rbar, n = state
        r = senses["reward"]
        p = jnp.clip(decay * p + gain * (r - rbar) * (n > 0), -1.0, 1.0)
        rbar, n = running_mean(rbar, n, r, baseline_rate)
        return (p, rbar, n), drive_out(signals={"pleasure": p})

    return Drive("mood", lambda: (jnp.zeros((), F32), jnp.zeros((), F32), jnp.zeros((), F32)), step, ("pleasure",))


def make_lack_of_attention() -> Drive:
    """Involuntary lack of attention (001 §4): while the social attention reflex fires, the next thought's
    interoceptive input is masked (``attention_mask = 1 − reflex``), so φ's interoceptive block settles on
    whatever fits the conspecific being looked at."""

    def fn(senses, predictions):
        return drive_out(diagnostics={"attention_mask": 1.0 - senses["social_reflex"]})

    return stateless("lack_of_attention", fn)


def make_concept_finders(finders=("pleasure", "fear"), attended: bool = False) -> Drive:
    """Interoceptive concept finders (001 §3.2): heads ``finder_X`` reading only φ's interoceptive block, with
    ground truth own X and learning-rate gate ``1 − oriented``: they never learn from a thought that was an
    empathetic simulation, where φ_int is about someone else. ``attended`` also closes the gate on every thought
    formed without the actual interoceptive input (the agent's random attentional gaps, ``Head.attended``), so
    the finders learn only where φ_int can carry what is felt, not what the context predicts would be."""

    def fn(senses, predictions):
        gate = 1.0 - senses["oriented"]
        return drive_out(
            signals={f"finder_{x}": senses[x] for x in finders},
            gates={f"finder_{x}": gate for x in finders},
        )

    names = tuple(f"finder_{x}" for x in finders)
    return stateless("concept_finders", fn, names, {n: Head(reads="intero", attended=attended) for n in names})


@dataclass(frozen=True)
class SocialAttentionConfig:
    """``steering.social_attention``: the social attention reflex (``make_social_attention``)."""

    period_view: int = 4
    """re-fires every this many steps while a conspecific is in view"""
    period_eye: int = 1
    """re-fires every this many steps under eye contact"""
    theta: float = 0.5
    """also fires when the social_attention head predicts above this (generalization)"""

    def validate(self):
        for k in ("period_view", "period_eye"):
            expect(getattr(self, k) >= 1, k, getattr(self, k), ">= 1")


@dataclass(frozen=True)
class FamiliarityConfig:
    """``steering.familiarity``: stranger danger's learned familiarity (``make_familiarity``; its safety time
    constant is ``steering.fear.tau_safe``)."""

    theta: float = 0.5
    """a close conspecific predicted safe below this triggers fear (unless it shows the kin cue)"""
    rate: float = 0.05
    """step size of the conspecific_safe head (the learned prediction of safety)"""

    def validate(self):
        expect(0 <= self.rate <= 1, "rate", self.rate, "in [0, 1]")


@dataclass(frozen=True)
class FriendEnemyConfig:
    """``steering.friend_enemy`` (``make_friend_enemy``)."""

    prior: float = 0.0
    """innate prior on a thought of a conspecific"""
    prior_kin: float = 0.5
    """innate prior on a thought of a body showing the kin cue (the scripted friend shows it)"""
    rate: float = 0.05
    """step size of its short-term predictor (0 fixes fe at the prior)"""
    baseline_rate: float = 0.01
    """rate of the running reward baseline"""

    def validate(self):
        for k in ("prior", "prior_kin"):
            expect(-1 <= getattr(self, k) <= 1, k, getattr(self, k), "in [-1, 1]")
        for k in ("rate", "baseline_rate"):
            expect(0 <= getattr(self, k) <= 1, k, getattr(self, k), "in [0, 1]")


@dataclass(frozen=True)
class EmpathyConfig:
    """``steering.empathy`` (``make_empathy_readout``)."""

    readout: str = "learned"
    """``learned`` (concept finders through the reflex gate) or ``oracle`` (true feelings; a labelled baseline
    only)"""
    finders_attended: bool = False
    """the concept finders learn only from thoughts formed with the actual interoceptive input (001 §3.2;
    ``make_concept_finders(attended=)``)"""

    def validate(self):
        expect(self.readout in ("learned", "oracle"), "readout", self.readout, "learned or oracle")


@dataclass(frozen=True)
class CompassionSpiteConfig:
    """``steering.compassion_spite`` (``make_compassion_spite``)."""

    w: float = 1.0
    """gain"""


@dataclass(frozen=True)
class LikedAdmiredConfig:
    """``steering.liked_admired``."""

    mode: str = "emergent"
    """``emergent`` (from compassion/spite under eye contact, 001 §6.1) or ``explicit`` (the 000 §4.4.2 drive,
    ``make_liked_admired``)"""
    w: float = 1.0
    """explicit: gain"""
    adapt: float = 0.05
    """explicit: adaptation rate of the baseline"""

    def validate(self):
        expect(self.mode in ("emergent", "explicit"), "mode", self.mode, "emergent or explicit")
        expect(0 <= self.adapt <= 1, "adapt", self.adapt, "in [0, 1]")


@dataclass(frozen=True)
class FearedConfig:
    """``steering.feared`` (``make_feared``)."""

    w: float = 0.5
    """gain"""
    theta: float = 0.5
    """silent while own fear is above this"""
    gate: bool = True
    """whether the drive is silenced while afraid (false removes the gate, for its control)"""


@dataclass(frozen=True)
class MoodConfig:
    """``steering.mood``: pleasure/displeasure (``make_mood``)."""

    decay: float = 0.8
    """per-step decay"""
    gain: float = 1.0
    """gain on the reward"""

    def validate(self):
        expect(0 <= self.decay <= 1, "decay", self.decay, "in [0, 1]")
