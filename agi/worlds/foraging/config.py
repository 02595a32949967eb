"""``world.foraging``: the foraging grid's config section (the social world's grid too)."""

from __future__ import annotations

from dataclasses import dataclass

from steering.drive import expect


@dataclass(frozen=True)
class ForagingConfig:
    size: int = 7
    """side of the square grid"""
    view_radius: int = 2
    """the egocentric view is (2r+1) x (2r+1) cells"""
    n_food: int = 3
    """number of food items (eaten food reappears elsewhere)"""
    n_spiders: int = 1
    """number of spiders (they bite)"""
    n_decoys: int = 1
    """number of harmless spider-like decoys"""
    critter_move_prob: float = 0.3
    """per-step probability that a spider or decoy moves"""

    def validate(self):
        expect(self.size >= 2, "size", self.size, ">= 2")
        expect(self.view_radius >= 1, "view_radius", self.view_radius, ">= 1")
        for k in ("n_food", "n_spiders", "n_decoys"):
            expect(getattr(self, k) >= 0, k, getattr(self, k), ">= 0")
        expect(0 <= self.critter_move_prob <= 1, "critter_move_prob", self.critter_move_prob, "in [0, 1]")
