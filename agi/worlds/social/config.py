"""``world.social``: the social world's config section (its grid is ``world.foraging``)."""

from __future__ import annotations

from dataclasses import dataclass

from steering.drive import expect


@dataclass(frozen=True)
class SocialConfig:
    n_agents: int = 2
    """learning agents per world, each with its own brain"""
    characters: tuple[str, ...] = ("friend", "stranger")
    """scripted characters (stranger, friend, elder, bully), comma-separated on the command line"""
    n_toys: int = 0
    """toys of each kind (``toy_a`` the friend enjoys, ``toy_b`` the bully enjoys; of no worth to learners)"""
    give_from_step: int = 0
    """``give`` does nothing before this step (an action that becomes available mid-run)"""
    character_hunger_rate: float = 0.02
    """scripted characters' hunger increase per step (the friend is displeased above 0.5)"""
    friend_approach: float = 0.6
    """per-step probability that the friend steps toward the nearest learner when it neither gives nor eats
    (otherwise it roams); lower, it is out of view more often, so its presence varies enough for a learner's
    valence to tell it apart"""
    harmless: bool = False
    """scripted characters never give to or threaten anyone (they look and move as before): a world in which no
    body's presence pays a learner anything, the control of the liking experiment"""
    liking_probe: bool = False
    """log the imagined liking probe ``social/like_imagined`` ``[N, M]`` each step: the valence of a thought of
    each body formed now (the view centred on it, interoception withdrawn), whether or not it is in view or
    looked at (000 §4.3), and the presence probe ``social/presence_on``: what each body in view adds to the
    valence of one's own view; costs one more encoding per body and learner for each (measured: the default
    social step 1.59 times slower, median of 4 interleaved pairs, ``benchmarks/ab_step.py``)"""

    def validate(self):
        for k in ("n_toys", "give_from_step"):
            expect(getattr(self, k) >= 0, k, getattr(self, k), ">= 0")
        expect(0 <= self.character_hunger_rate <= 1, "character_hunger_rate", self.character_hunger_rate,
               "in [0, 1]")  # fmt: skip
        expect(0 <= self.friend_approach <= 1, "friend_approach", self.friend_approach, "in [0, 1]")
