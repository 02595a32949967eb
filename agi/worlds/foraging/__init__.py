"""``foraging``: a grid with food, spiders and decoys (``world``), and its registration (``spec``)."""

from agi.worlds.foraging.world import CHANNELS, MOVES, Foraging, ForagingParams, ForagingState, wander

__all__ = ["CHANNELS", "MOVES", "Foraging", "ForagingParams", "ForagingState", "wander"]
