"""``social``: the foraging grid plus conspecifics. The world's dynamics (``world``), its scripted characters
(``characters``), its Steering Subsystem (``steering``), what it measures (``report``), its drawing and its
registration (``spec``)."""

from agi.worlds.social.world import ACTIONS, CHANNELS, Social, SocialParams, SocialState

__all__ = ["ACTIONS", "CHANNELS", "Social", "SocialParams", "SocialState"]
