"""The world interface the agent sees, and adapters from gymnax-style environments to it.

A ``World`` is a pair of pure functions over an explicit state:
``reset(key) -> (extero, state, senses)`` and ``step(key, state, action) -> (extero, state, senses, done)``,
where ``extero`` is the flat exteroceptive vector the Thought Generator sees and ``senses`` the raw inputs the
Steering Subsystem reads (``env_reward`` always; world-specific events such as ``ate`` and ``bitten``).
Any gymnax environment fits (``from_gymnax``), auto-reset included.

References: DESIGN.md §7.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax.numpy as jnp


class World(NamedTuple):
    name: str
    num_actions: int
    extero_dim: int
    episodic: bool
    reset: Callable[[Any], tuple[Any, Any, dict]]
    step: Callable[[Any, Any, Any], tuple[Any, Any, dict, Any]]
    view_shape: tuple[int, ...] | None = None
    num_agents: int = 1


class MultiWorld(NamedTuple):
    """A world shared by ``num_agents`` learning agents, stepped between their thought and their feelings.

    ``reset(key) -> (state, extero [N, X], senses)``; ``step(key, state, actions [N]) -> (state, senses)``
    (each sense ``[N, ...]``); ``render(state, pleasure [N], fear [N], orient [N]) -> (state, extero [N, X],
    oriented [N])`` writes the agents' feelings into the world and draws their next views. No episodes.
    """

    name: str
    num_agents: int
    num_actions: int
    extero_dim: int
    reset: Callable
    step: Callable
    render: Callable
    view_shape: tuple[int, ...]
    params: Any
    episodic: bool = False


def from_gymnax(name, env, params, episodic: bool, view: bool = False) -> World:
    """Wraps a gymnax-style environment. With ``view=True`` the observation is also passed as ``senses["view"]``."""
    obs_shape = env.observation_space(params).shape if not view else env.view_shape(params)

    def senses_of(obs, reward, info):
        s = {"env_reward": jnp.asarray(reward, jnp.float32)}
        if view:
            s["view"] = obs
        s.update({k: jnp.asarray(v, jnp.float32) for k, v in info.items() if k in ("ate", "bitten")})
        return s

    def reset(key):
        obs, state = env.reset(key, params)
        zeros = {"ate": 0.0, "bitten": 0.0} if view else {}
        return jnp.ravel(obs).astype(jnp.float32), state, senses_of(obs, 0.0, zeros)

    def step(key, state, action):
        out = env.step(key, state, action, params)
        if len(out) == 6:  # gymnax >= 1.0: (obs, state, reward, terminated, truncated, info)
            obs, state, reward, terminated, truncated, info = out
            done = jnp.logical_or(terminated, truncated)  # truncation treated as an episode end
        else:
            obs, state, reward, done, info = out
        return jnp.ravel(obs).astype(jnp.float32), state, senses_of(obs, reward, info), jnp.asarray(done)

    size = 1
    for s in obs_shape:
        size *= s
    return World(name, env.num_actions, size, episodic, reset, step, tuple(obs_shape) if view else None)
