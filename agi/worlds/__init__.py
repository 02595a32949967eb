"""The world interface (one for N bodies), its adapters, and the worlds registered with ``agi.registry``.

Built-in: ``foraging``, ``social``, ``cartpole``, ``gymnax:ENV_ID`` and ``jaxmarl:ENV_ID``; a user's package adds
its own with ``agi.register_world``.
"""

from agi.worlds.base import GymnaxState, World, from_gymnax, random_rollout


def make_world(cfg) -> World:
    """Builds the world ``cfg.world.name`` from the run config."""
    from agi.registry import world_spec

    return world_spec(cfg.world.name).make(cfg)


__all__ = ["GymnaxState", "World", "from_gymnax", "make_world", "random_rollout"]
