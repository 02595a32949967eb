"""Registers the built-in worlds (``agi.registry`` imports this on first use)."""

from agi.registry import register_world
from agi.worlds import gym, jaxmarl
from agi.worlds.foraging.spec import SPEC as FORAGING
from agi.worlds.social.spec import SPEC as SOCIAL

register_world("foraging", **FORAGING)
register_world("social", **SOCIAL)
register_world("cartpole", **gym.CARTPOLE)
register_world("gymnax:", **gym.GYMNAX)
register_world("jaxmarl:", **jaxmarl.SPEC)
