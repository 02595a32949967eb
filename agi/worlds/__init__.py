"""Built-in worlds and the gymnax adapter."""

from agi.worlds.base import MultiWorld, World, from_gymnax
from agi.worlds.foraging import CHANNELS, Foraging, ForagingParams

WORLDS = ("foraging", "social", "cartpole")


def make_world(name: str, cfg=None) -> World:
    """Builds a world by name: ``foraging`` or ``social`` (with ``cfg`` a ``WorldConfig``) or ``cartpole``."""
    if name == "foraging":
        params = ForagingParams(**{k: getattr(cfg, k) for k in ForagingParams._fields})
        return from_gymnax("foraging", Foraging(), params, episodic=False, view=True)
    if name == "social":
        from agi.worlds.social import Social, SocialParams

        params = SocialParams(**{k: getattr(cfg, k) for k in SocialParams._fields})
        w = Social(params)
        size = 1
        for s in w.view_shape:
            size *= s
        return MultiWorld("social", params.n_agents, w.num_actions, size, w.reset, w.step, w.render, w.view_shape,
                          params)  # fmt: skip
    if name == "cartpole":
        import gymnax

        env, params = gymnax.make("CartPole-v1")
        return from_gymnax("cartpole", env, params, episodic=True)
    raise ValueError(f"unknown world {name!r}; choose from {WORLDS}")


__all__ = ["CHANNELS", "WORLDS", "MultiWorld", "Foraging", "ForagingParams", "World", "from_gymnax", "make_world"]
