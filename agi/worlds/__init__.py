"""Built-in worlds and the gymnax adapter."""

from agi.worlds.base import World, from_gymnax
from agi.worlds.foraging import CHANNELS, Foraging, ForagingParams

WORLDS = ("foraging", "cartpole")


def make_world(name: str, cfg=None) -> World:
    """Builds a world by name: ``foraging`` (with ``cfg`` a ``WorldConfig``) or ``cartpole`` (gymnax CartPole-v1)."""
    if name == "foraging":
        params = ForagingParams(**{k: getattr(cfg, k) for k in ForagingParams._fields})
        return from_gymnax("foraging", Foraging(), params, episodic=False, view=True)
    if name == "cartpole":
        import gymnax

        env, params = gymnax.make("CartPole-v1")
        return from_gymnax("cartpole", env, params, episodic=True)
    raise ValueError(f"unknown world {name!r}; choose from {WORLDS}")


__all__ = ["CHANNELS", "WORLDS", "Foraging", "ForagingParams", "World", "from_gymnax", "make_world"]
