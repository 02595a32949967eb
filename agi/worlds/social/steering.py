"""The social world's Steering Subsystem: the foraging body's drives plus the social instincts of 001.

References: DESIGN.md §5 (drives); 001 Ingredients 1-4, §5-§7; 002 "stranger danger".
"""

from __future__ import annotations

from agi.worlds.foraging.spec import BODY  # a social body is the foraging body
from agi.worlds.social.characters import KINDS, LEARNER
from agi.worlds.social.world import CHANNELS
from steering.drives import (
    make_arousal,
    make_arousal_valence,
    make_fear,
    make_homeostasis,
    make_pain,
    make_sensory_heuristics,
)
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

SOCIAL_DRIVES = ("compassion_spite", "liked_admired", "feared")
"""The drives whose reward share summary.json reports per agent."""
FINDERS = ("finder_pleasure", "finder_fear")


def kinds_of(cfg):
    return (LEARNER,) * cfg.world.social.n_agents + tuple(KINDS.index(c) for c in cfg.world.social.characters)


def steering(cfg):
    """The social world's drives, in the order they run (each reads what the ones before it wrote), and its
    body channels."""
    s = cfg.steering
    h, a, av, fear, fe, la = s.homeostasis, s.arousal, s.arousal_valence, s.fear, s.friend_enemy, s.liked_admired
    sa = s.social_attention
    drives = [
        make_sensory_heuristics(CHANNELS.index("legs"), CHANNELS.index("food"), s.detect.radius),
        make_conspecific_detector(),
        make_homeostasis(h.w_eat, h.w_hunger, h.rate, h.satiation, pleasure=False),
        make_pain(s.pain.w, s.pain.decay, triggers=("bitten", "threatened")),
        make_familiarity(s.familiarity.theta, fear.tau_safe, s.familiarity.rate),
        make_fear(fear.w, fear.tau_safe, fear.safety_pull,
                  triggers=("spider_detected", *(("stranger_close",) if fear.stranger_danger else ()), "threatened")),
        make_social_attention(sa.period_view, sa.period_eye, sa.theta),
        make_arousal(a.a_spider, a.a_bite, a.a_defer, a.decay, a.a_orient, a.a_eye, a.a_size),
        make_friend_enemy(fe.prior, fe.prior_kin, fe.rate, fe.baseline_rate),
        make_empathy_readout(s.empathy.readout),
        make_compassion_spite(s.compassion_spite.w),
        *([make_liked_admired(la.w, la.adapt)] if la.mode == "explicit" else []),
        make_feared(s.feared.w, s.feared.theta if s.feared.gate else float("inf")),
        make_arousal_valence(av.kappa, av.rho, av.theta_over, av.theta_pos),
        make_mood(s.mood.decay, s.mood.gain),
        make_lack_of_attention(),
        make_concept_finders(attended=s.empathy.finders_attended),
    ]
    return drives, BODY
