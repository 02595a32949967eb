"""Built-in worlds and the gymnax adapter."""

from agi.worlds.base import MultiWorld, World, from_gymnax
from agi.worlds.foraging import CHANNELS, Foraging, ForagingParams

WORLDS = ("foraging", "social", "cartpole")
GYMNAX = "gymnax:"
"""Prefix of any gymnax environment with discrete actions, e.g. ``gymnax:Acrobot-v1`` (DESIGN.md §7)."""


def gymnax_id(name: str) -> str | None:
    """The gymnax environment id a world name stands for (``cartpole`` is ``CartPole-v1``), or None."""
    if name == "cartpole":
        return "CartPole-v1"
    return name[len(GYMNAX) :] if name.startswith(GYMNAX) else None


def check_world(name: str) -> None:
    """Raises ValueError, naming the choices, unless ``name`` is a built-in world or ``gymnax:ID`` of a registered
    gymnax environment."""
    env_id = gymnax_id(name)
    if name in WORLDS or env_id is None:
        if name not in WORLDS:
            raise ValueError(f"unknown world {name!r}; choose from {list(WORLDS)} or {GYMNAX}ENV_ID")
        return
    import gymnax

    if env_id not in gymnax.registered_envs:
        raise ValueError(f"unknown world {name!r}: gymnax has no {env_id!r}; it has {gymnax.registered_envs}")


def make_world(name: str, cfg=None) -> World:
    """Builds a world by name: ``foraging`` or ``social`` (with ``cfg`` a ``WorldConfig``), ``cartpole``, or
    ``gymnax:ENV_ID`` (any gymnax environment with discrete actions, steered by its reward alone)."""
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
    check_world(name)
    import gymnax

    env_id = gymnax_id(name)
    env, params = gymnax.make(env_id)
    if not hasattr(env.action_space(params), "n"):
        raise ValueError(f"world {name!r}: {env_id} has continuous actions; the agent chooses among discrete ones")
    return from_gymnax(name, env, params, episodic=True)


__all__ = [
    "CHANNELS", "GYMNAX", "WORLDS", "Foraging", "ForagingParams", "MultiWorld", "World", "check_world", "from_gymnax",
    "gymnax_id", "make_world",
]  # fmt: skip
