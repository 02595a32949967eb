"""The one world interface the agent sees, for N learning bodies, and the gymnax adapter (N = 1).

A ``World`` is three pure functions over an explicit state, every per-body value carrying the agent axis
``[N, ...]`` (N = 1 for a single-agent world):

- ``reset(key) -> (state, extero [N, X], senses)``;
- ``step(key, state, actions [N]) -> (state, senses, done [N])``: the bodies act, the world moves and reports
  what happened (``senses``: ``env_reward`` always, world-specific events such as ``ate`` and ``bitten``; keys
  under ``oracle/`` are for measurement only and never reach the Steering Subsystem, ``agi.agent.ORACLE``);
- ``observe(state, signals, orient [N]) -> (state, extero [N, X], oriented [N])``: after each body's Steering
  Subsystem has run, the world may show its feelings (``signals``: Steering's signals, each ``[N]``; a world
  reads them with ``.get`` and a default, since a Steering Subsystem need not provide them) and draws
  each body's next view. ``orient`` asks to centre a body's next view on a conspecific (the social attention
  reflex, 001 §3.1); ``oriented`` says whether it was. A world without conspecifics returns ``orient``.

An episodic world resets a body's episode inside ``step`` (auto-reset, as gymnax does) and reports ``done``.

References: DESIGN.md §7, §10 (one world interface for N bodies).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp


class World(NamedTuple):
    """A world of ``num_agents`` learning bodies (see the module docstring for the three functions)."""

    name: str
    num_agents: int
    num_actions: int
    extero_dim: int
    episodic: bool
    reset: Callable[[Any], tuple[Any, Any, dict]]
    step: Callable[[Any, Any, Any], tuple[Any, dict, Any]]
    observe: Callable[[Any, dict, Any], tuple[Any, Any, Any]]
    view_shape: tuple[int, ...] | None = None
    """The shape of one body's exteroceptive input as an image ``(V, V, C)``, where it is one."""
    params: Any = None
    portraits: Callable[[Any], Any] | None = None
    """``portraits(state) -> views [M, X]``: the view centred on each of the world's M bodies, what a learner
    thinking of that body now would see (the imagined liking probe, 000 §4.3); None where there is none."""
    absences: Callable[[Any], Any] | None = None
    """``absences(state) -> views [N, M, X]``: each learner's own view now with body ``j`` erased (the presence
    liking probe: what body ``j`` adds to the valence of the same moment's thought); needs ``portraits``, whose
    first N rows are the learners' own views; None where there is none."""


class GymnaxState(NamedTuple):
    """A gymnax environment's state and its last observation (what ``observe`` hands back)."""

    env: Any
    extero: jax.Array  # [1, X]


def from_gymnax(name: str, env, params, episodic: bool, view: bool = False, senses: tuple[str, ...] = ()) -> World:
    """Wraps a gymnax-style environment as a one-body ``World``.

    ``view=True`` also passes the observation as ``senses["view"]`` (``env.view_shape(params)`` gives its
    shape), for Steering's innate detectors; ``senses`` names entries of the environment's ``info`` passed on.
    Truncation counts as an episode end.
    """
    obs_shape = tuple(env.view_shape(params) if view else env.observation_space(params).shape)

    def senses_of(obs, reward, info):
        s = {"env_reward": jnp.asarray(reward, jnp.float32)[None]}
        if view:
            s["view"] = obs[None]
        s.update({k: jnp.asarray(info[k], jnp.float32)[None] for k in senses})
        return s

    def reset(key):
        obs, state = env.reset(key, params)
        extero = jnp.ravel(obs).astype(jnp.float32)[None]
        return GymnaxState(state, extero), extero, senses_of(obs, 0.0, {k: 0.0 for k in senses})

    def step(key, state: GymnaxState, actions):
        out = env.step(key, state.env, actions[0], params)
        if len(out) == 6:  # gymnax >= 1.0: (obs, state, reward, terminated, truncated, info)
            obs, es, reward, terminated, truncated, info = out
            done = jnp.logical_or(terminated, truncated)
        else:
            obs, es, reward, done, info = out
        extero = jnp.ravel(obs).astype(jnp.float32)[None]
        return GymnaxState(es, extero), senses_of(obs, reward, info), jnp.asarray(done)[None]

    def observe(state: GymnaxState, signals, orient):
        del signals
        return state, state.extero, orient

    size = 1
    for s in obs_shape:
        size *= s
    return World(name, 1, env.num_actions, size, episodic, reset, step, observe, obs_shape if view else None, params)


def random_rollout(world: World, steps: int):
    """``run(key) -> number of steps``: the world alone under uniformly random actions for ``steps`` steps (its
    own speed ceiling, ``benchmarks/agent_step.py``)."""

    def run(key):
        state, _, _ = world.reset(key)

        def body(state, key):
            ks, ka, ko = jax.random.split(key, 3)
            actions = jax.random.randint(ka, (world.num_agents,), 0, world.num_actions)
            state, senses, _ = world.step(ks, state, actions)
            state, extero, _ = world.observe(state, {}, jnp.zeros((world.num_agents,)))
            return state, jnp.sum(extero)

        _, out = jax.lax.scan(body, state, jax.random.split(key, steps))
        return out

    return run
