"""Built-in worlds and the gymnax adapter."""

from agi.worlds.base import World, from_gymnax
from agi.worlds.foraging import CHANNELS, Foraging, ForagingParams

WORLDS = ("foraging", "cartpole")


def make_world(name: str, cfg=None) -> World:
    """Builds a world by name: ``foraging`` (with ``cfg`` a ``WorldConfig``) or ``cartpole`` (gymnax CartPole-v1)."""
    if name == "foraging":
        params = ForagingParams(
            size=cfg.size,
            view_radius=cfg.view_radius,
            n_food=cfg.n_food,
            n_spiders=cfg.n_spiders,
            n_decoys=cfg.n_decoys,
            critter_move_prob=cfg.critter_move_prob,
        )
        return from_gymnax("foraging", Foraging(), params, episodic=False, view=True)
    if name == "cartpole":
        import gymnax

        env, params = gymnax.make("CartPole-v1")
        return from_gymnax("cartpole", env, params, episodic=True)
    raise ValueError(f"unknown world {name!r}; choose from {WORLDS}")


__all__ = ["CHANNELS", "WORLDS", "Foraging", "ForagingParams", "World", "from_gymnax", "make_world"]
