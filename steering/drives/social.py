"""The social circuits of the Steering Subsystem (001 Ingredients 1-4, §5-§7; 000 §4.4).

Each circuit is its own drive, so each can be dropped, scaled, clamped or gated from config. They read the
world's innate-detector inputs (``attended`` one-hot over bodies, ``conspecific_in_view``, ``eye_contact``,
``conspecific_size``, ``conspecific_close``), ``oriented`` (1 when the current thought was formed with the view
centred on a conspecific, i.e. the reflex fired on the previous step) and the assessors' predictions.

Timing: the reflex that fires at step t orients the view and masks interoception for the thought of step t+1;
everything that concerns "the thought being an empathetic simulation" (readout gate, finder learning-rate
gate, orienting arousal) reads ``oriented``, the reflex as it shaped the current thought.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from steering.drive import Drive, Head, drive_out, stateless

F32 = jnp.float32


def make_conspecific_detector() -> Drive:
    """Innate conspecific and eye-contact heuristics (001 §1.1): in view, onset, eye contact, size, closeness.

        onset_t = in_view_t · (1 − in_view_{t−1})
    """

    def step(prev_in_view, senses, predictions):
        in_view = senses["conspecific_in_view"].astype(F32)
        return in_view, drive_out(
            diagnostics={
                "conspecific_in_view": in_view,
                "conspecific_onset": in_view * (1.0 - prev_in_view),
                "eye_contact": senses["eye_contact"],
                "conspecific_size": senses["conspecific_size"],
                "conspecific_close": senses["conspecific_close"],
            }
        )

    return Drive("conspecific_detector", lambda: jnp.zeros((), F32), step)


def make_social_attention(period_view: int, period_eye: int, theta: float) -> Drive:
    """The social attention reflex (001 §1.1, §2): a phasic flag.

        innate_t = onset_t  or  (in_view_t and s_t >= period)       period = period_eye under eye contact
        reflex_t = innate_t  or  p_social_attention_t > θ            (generalization: thinking of a conspecific)
    where ``s_t`` counts steps since the reflex last fired. The head's ground truth is the innate part.
    """

    def step(since, senses, predictions):
        in_view, eye = senses["conspecific_in_view"], senses["eye_contact"]
        period = jnp.where(eye > 0, period_eye, period_view)
        since = since + 1.0
        innate = jnp.maximum(senses["conspecific_onset"], in_view * (since >= period))
        reflex = jnp.maximum(innate, (predictions["social_attention"] > theta).astype(F32))
        return jnp.where(reflex > 0, 0.0, since), drive_out(
            signals={"social_attention": innate},
            diagnostics={"social_reflex": reflex, "innate_social_attention": innate},
        )

    return Drive("social_attention", lambda: jnp.asarray(1e6, F32), step, ("social_attention",))


def make_familiarity(priors, rate: float, theta: float) -> Drive:
    """Per-conspecific familiarity for "stranger danger" (002): an unfamiliar conspecific close by is a threat.

        stranger_close_t = close_t · [fam · attended < θ]
        fam += rate · attended · (1 − bad_t)              (a benign encounter; bad = bitten or threatened)
    """
    priors = jnp.asarray(priors, F32)

    def step(fam, senses, predictions):
        att = senses["attended"]
        known = jnp.dot(fam, att)
        stranger = senses["conspecific_close"] * (known < theta)
        bad = jnp.maximum(senses["bitten"], senses["threatened"])
        fam = jnp.clip(fam + rate * att * (1.0 - bad), 0.0, 1.0)
        return fam, drive_out(diagnostics={"stranger_close": stranger, "familiarity": known})

    return Drive("familiarity", lambda: priors, step)


def make_friend_enemy(priors, rate: float, baseline_rate: float) -> Drive:
    """The friend (+) / enemy (−) parameter per conspecific (001 §5.2), with innate priors.

        fe[c] ← clip(fe[c] + η · (r_t − r̄) · attended[c], −1, 1);    r̄ ← r̄ + max(β, 1/n) (r_t − r̄)
    Writes ``fe_attended`` (the body attended now) and ``fe_looked`` (the body the current thought is about).
    ``r_t`` is the reward of the drives before this one. ``rate = 0`` fixes fe at its prior.
    """
    priors = jnp.asarray(priors, F32)

    def step(state, senses, predictions):
        fe, rbar, n = state
        att, r = senses["attended"], senses["reward"]
        fe = jnp.clip(fe + rate * (r - rbar) * att * (n > 0), -1.0, 1.0)
        rbar, n = running_mean(rbar, n, r, baseline_rate)
        diags = {"fe_attended": jnp.dot(fe, att), "fe_looked": jnp.dot(fe, senses["looked"]), "friend_enemy": fe}
        return (fe, rbar, n), drive_out(diagnostics=diags)

    return Drive("friend_enemy", lambda: (priors, jnp.zeros((), F32), jnp.zeros((), F32)), step)


def running_mean(mean, n, x, rate):
    """A running mean that averages exactly over its first ``1/rate`` samples, then exponentially (so that it
    does not start from an arbitrary 0). Returns ``(mean, n)``."""
    n = n + 1.0
    return mean + jnp.maximum(rate, 1.0 / n) * (x - mean), n


def make_empathy_readout(readout: str = "learned") -> Drive:
    """Transient empathetic simulation readout (001 §4, §5.1): concept-finder outputs through a reflex gate.

        conspecific_X_t = finder_X(φ_int) · oriented_t          X in {pleasure, fear}
    ``readout="oracle"`` substitutes the looked-at body's true feelings: a labelled baseline, never the default.
    Both are written as diagnostics (``learned_conspecific_*``, ``oracle_conspecific_*``) for comparison.
    """
    if readout not in ("learned", "oracle"):
        raise ValueError(f"empathy readout must be learned or oracle, got {readout!r}")

    def fn(senses, predictions):
        o = senses["oriented"]
        learned_p = jnp.clip(predictions["finder_pleasure"], -1.0, 1.0) * o
        learned_f = jnp.clip(predictions["finder_fear"], 0.0, 1.0) * o
        oracle_p, oracle_f = senses["looked_pleasure"] * o, senses["looked_fear"] * o
        use_oracle = readout == "oracle"
        return drive_out(
            diagnostics={
                "conspecific_pleasure": oracle_p if use_oracle else learned_p,
                "conspecific_fear": oracle_f if use_oracle else learned_f,
                "learned_conspecific_pleasure": learned_p,
                "oracle_conspecific_pleasure": oracle_p,
            }
        )

    return stateless("empathy_readout", fn)


def make_compassion_spite(w: float) -> Drive:
    """The compassion / spite circuit (001 §5, §5.3): ``r += w · fe[c] · phasic_arousal · conspecific_pleasure``,
    ``c`` the body the current (reflex-shaped) thought is about (``senses["looked"]``).

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
        r += w · relu(fe[c]) · eye_t · (conspecific_pleasure_t − b);     b ← b + adapt · eye_t · (cp_t − b)
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


def make_concept_finders(finders=("pleasure", "fear")) -> Drive:
    """Interoceptive concept finders (001 §3.2): heads ``finder_X`` reading only φ's interoceptive block, with
    ground truth own X and learning-rate gate ``1 − oriented``: they never learn from a thought that was an
    empathetic simulation, where φ_int is about someone else."""

    def fn(senses, predictions):
        gate = 1.0 - senses["oriented"]
        return drive_out(
            signals={f"finder_{x}": senses[x] for x in finders},
            gates={f"finder_{x}": gate for x in finders},
        )

    names = tuple(f"finder_{x}" for x in finders)
    return stateless("concept_finders", fn, names, {n: Head(reads="intero") for n in names})
