"""JaxMARL environments with discrete actions as N-body worlds: ``jaxmarl:ENV_ID`` (e.g. ``coin_game``,
``storm``, ``MPE_simple_spread_v3``). Each of the environment's agents is a learner with its own brain,
steered by its own reward (``env_reward``) and any drives a run adds.

References: DESIGN.md §7, §10 (JaxMARL environments adapt as N > 1).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp

from agi.worlds.base import World


class JaxMarlState(NamedTuple):
    env: Any
    extero: jax.Array  # [N, X]


def _jaxmarl():
    """The ``jaxmarl`` module, imported without the lines it prints on import (at the file-descriptor level:
    they bypass ``sys.stdout``), and leaving ``sys.stdout`` / ``sys.stderr`` as they were (its mabrax module
    sets them to ``sys.__stdout__`` / ``sys.__stderr__``, which would take a notebook's or a test's away)."""
    import os
    import sys

    if "jaxmarl" in sys.modules:
        return sys.modules["jaxmarl"]
    sys.stdout.flush()
    saved, streams = os.dup(1), (sys.stdout, sys.stderr)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            import jaxmarl
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        sys.stdout, sys.stderr = streams
    return jaxmarl


def _registered() -> list[str]:
    return list(_jaxmarl().registered_envs)


def check_name(name: str) -> None:
    env_id = name.partition(":")[2]
    try:
        known = _registered()
    except ImportError:
        raise ValueError(f"world {name!r} needs JaxMARL: pip install jaxmarl") from None
    if env_id not in known:
        raise ValueError(f"unknown world {name!r}: JaxMARL has no {env_id!r}; it has {known}")


def _per_agent(tree, agents) -> jax.Array:
    """``[N, X]``: a dict keyed by agent (each agent's leaves flattened), or a tree whose leaves carry the agent
    axis first (e.g. STORM's ``observations``)."""
    n = len(agents)
    leaves = jax.tree.leaves(tree)
    agent_first = all(x.ndim >= 1 and x.shape[0] == n for x in leaves)
    if type(tree) in (tuple, list) and len(tree) == n and not agent_first:  # one entry per agent (STORM 2p's)
        tree = dict(zip(agents, tree, strict=True))
    if isinstance(tree, dict) and all(a in tree for a in agents):
        tree = [tree[a] for a in agents]
        rows = [jnp.concatenate([jnp.ravel(x).astype(jnp.float32) for x in jax.tree.leaves(t)]) for t in tree]
        sizes = {a: int(r.shape[0]) for a, r in zip(agents, rows, strict=True)}
        if len(set(sizes.values())) > 1:
            raise ValueError(f"its agents observe different numbers of values {sizes}; every learner here sees a "
                             f"view of one size")  # fmt: skip
        return jnp.stack(rows)
    kept = [x for x in leaves if x.ndim >= 1 and x.shape[0] == n]
    if not kept:
        raise ValueError(f"its observations {jax.tree.map(lambda x: tuple(x.shape), tree)} are neither keyed by "
                         f"agent nor carry the {n} agents on a first axis")  # fmt: skip
    if len(kept) < len(leaves):  # (a leaf without the agent axis first cannot be split among the agents)
        dropped = [tuple(x.shape) for x in leaves if not (x.ndim >= 1 and x.shape[0] == n)]
        warnings.warn(f"JaxMARL observation leaves of shapes {dropped} have no agent axis first and are not seen",
                      stacklevel=2)  # fmt: skip
    return jnp.concatenate([x.reshape(n, -1).astype(jnp.float32) for x in kept], axis=1)


def _per_agent_scalar(x, agents) -> jax.Array:
    if isinstance(x, dict):
        return jnp.stack([jnp.asarray(x[a]) for a in agents])
    return jnp.broadcast_to(jnp.asarray(x), (len(agents),))


def from_jaxmarl(name: str, env) -> World:
    """Wraps a JaxMARL ``MultiAgentEnv`` whose agents all choose among the same discrete actions."""
    agents = list(env.agents)
    spaces = [env.action_space(a) for a in agents]
    sizes = {getattr(s, "n", None) for s in spaces}
    if None in sizes:
        raise ValueError(f"world {name!r} has continuous actions; the agent chooses among discrete ones")
    if len(sizes) != 1:
        raise ValueError(f"world {name!r}: its agents have different numbers of actions {sorted(sizes)}")

    def reset(key):
        with jax.numpy_rank_promotion("allow"):  # the environment's own code may rely on NumPy broadcasting
            obs, state = env.reset(key)
        extero = _per_agent(obs, agents)
        return JaxMarlState(state, extero), extero, {"env_reward": jnp.zeros((len(agents),), jnp.float32)}

    def step(key, state: JaxMarlState, actions):
        acts = {a: actions[i] for i, a in enumerate(agents)}
        with jax.numpy_rank_promotion("allow"):
            obs, es, reward, done, _ = env.step(key, state.env, acts)
        extero = _per_agent(obs, agents)
        done = _per_agent_scalar(done["__all__"] if isinstance(done, dict) else done, agents)  # it resets on __all__
        senses = {"env_reward": _per_agent_scalar(reward, agents).astype(jnp.float32)}
        return JaxMarlState(es, extero), senses, done.astype(bool)

    def observe(state: JaxMarlState, signals, orient):
        del signals
        return state, state.extero, orient

    try:
        extero_dim = jax.eval_shape(lambda k: reset(k)[1], jax.random.PRNGKey(0)).shape[1]
    except ValueError as e:
        raise ValueError(f"world {name!r}: {e}") from None
    return World(name, len(agents), sizes.pop(), extero_dim, True, reset, step, observe, None, None)


def make(cfg):
    name = cfg.world.name
    try:
        env = _jaxmarl().make(name.partition(":")[2])
    except ImportError as e:  # an environment that needs a package JaxMARL does not require (brax, ...)
        raise ValueError(f"world {name!r}: {e}") from None
    except TypeError as e:  # one that needs more than its id (a policy and its parameters, ...)
        if "__init__()" not in str(e):
            raise
        raise ValueError(f"world {name!r} cannot be made from its id alone: {e}") from None
    return from_jaxmarl(name, env)


SPEC = dict(make=make, check_name=check_name,
            description="a JaxMARL environment with discrete actions, each agent a learner, e.g. jaxmarl:coin_game")
