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
    return (LEARNER,) * cfg.world.n_agents + tuple(KINDS.index(c) for c in cfg.world.characters)


def steering(cfg):
    """The social world's drives, in the order they run (each reads what the ones before it wrote), and its
    body channels."""
    s = cfg.steering
    drives = [
        make_sensory_heuristics(CHANNELS.index("legs"), CHANNELS.index("food"), s.detect_radius),
        make_conspecific_detector(),
        make_homeostasis(s.w_eat, s.w_hunger, s.hunger_rate, s.satiation, pleasure=False),
        make_pain(s.w_pain, s.pain_decay, triggers=("bitten", "threatened")),
        make_familiarity(s.theta_familiar, s.tau_safe, s.familiarity_rate),
        make_fear(s.w_fear, s.tau_safe, s.safety_pull,
                  triggers=("spider_detected", *(("stranger_close",) if s.stranger_danger else ()), "threatened")),
        make_social_attention(s.sa_period_view, s.sa_period_eye, s.sa_theta),
        make_arousal(s.a_spider, s.a_bite, s.a_defer, s.arousal_decay, s.a_orient, s.a_eye, s.a_size),
        make_friend_enemy(s.fe_prior, s.fe_prior_friend, s.fe_rate, s.fe_baseline_rate),
        make_empathy_readout(s.empathy),
        make_compassion_spite(s.w_cs),
        *([make_liked_admired(s.w_la, s.la_adapt)] if s.liked_admired == "explicit" else []),
        make_feared(s.w_feared, s.theta_feared if s.feared_gate else float("inf")),
        make_arousal_valence(s.kappa, s.rho, s.theta_over, s.theta_pos),
        make_mood(s.mood_decay, s.mood_gain),
        make_lack_of_attention(),
        make_concept_finders(),
    ]
    return drives, BODY
