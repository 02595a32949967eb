"""A seed's whole system: ``num_envs`` agents, each in its own world, sharing one brain.

The agents' learning signals are averaged over the environment axis and applied once per step: the
Thought Generator by one optax step (Adam with gradient clipping), the assessors by adding the mean TD(λ)
increment. Each seed is an independent brain (the seed axis is vmapped by ``train``).

References: DESIGN.md §4 step 7 (online learning every step, no replay buffer), §8.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

import train as train_lib
from agi.agent import Agent, AgentState, Brain, make_agent
from agi.config import RunConfig
from agi.worlds import MultiWorld


class SystemState(NamedTuple):
    brain: Brain
    opt_state: Any
    agents: AgentState  # batched over environments ([E, N] in a shared world)
    step: jax.Array  # [] int32, steps taken
    world: Any = ()  # shared worlds' states [E] (the social world); () where each agent has its own world
    knobs: Any = ()  # run-time ablation values {"knob/NAME": []} (agi.ablate merges variants with them)


def make_optimizer(agent: Agent) -> optax.GradientTransformation:
    """Adam with global-norm clipping, optionally with a step size annealed linearly to 0 over the run."""
    a = agent.cfg.agent
    lr = optax.linear_schedule(a.lr, 0.0, agent.cfg.train.steps) if a.lr_anneal else a.lr
    return optax.chain(optax.clip_by_global_norm(a.max_grad_norm), optax.adam(lr))


def make_system(agent: Agent):
    """Returns ``(init(key) -> SystemState, step(SystemState, key) -> (SystemState, metrics))`` for one seed."""
    num_envs = agent.cfg.train.num_envs
    tx = make_optimizer(agent)
    if isinstance(agent.world, MultiWorld):
        from agi.social import make_social_system

        return make_social_system(agent, tx, SystemState)
    learn = agent.cfg.agent.learn
    nan_at = agent.cfg.train.debug_nan_at

    def init(key, knobs=None) -> SystemState:
        kb, ka = jax.random.split(key)
        brain = agent.init_brain(kb)
        agents = jax.vmap(agent.init_state)(jax.random.split(ka, num_envs))
        knobs = agent.knobs if knobs is None else knobs
        return SystemState(brain, tx.init(brain.generator), agents, jnp.zeros((), jnp.int32), (), knobs)

    def step(s: SystemState, key):
        agents, learning, metrics = jax.vmap(agent.step, in_axes=(None, 0, 0, None))(
            s.brain, s.agents, jax.random.split(key, num_envs), s.knobs
        )
        brain, opt_state = s.brain, s.opt_state
        loss_metrics = {}
        if learn:
            grads, loss_metrics = agent.generator_grads(brain.generator, brain.assessors, learning.loss_inputs)
            updates, opt_state = tx.update(grads, opt_state, brain.generator)
            brain = Brain(
                optax.apply_updates(brain.generator, updates),
                brain.assessors + jnp.mean(learning.assessor_delta, axis=0),
            )
        summed = ("episodes", "episode_return_sum")
        metrics = {k: (jnp.sum(v) if k in summed else jnp.mean(v)) for k, v in metrics.items()}
        metrics.update(loss_metrics)
        if nan_at > 0:  # a test switch: poison the assessors from this step on
            poison = jnp.where(s.step + 1 >= nan_at, jnp.nan, 1.0)
            brain = brain._replace(assessors=brain.assessors * poison)
        return SystemState(brain, opt_state, agents, s.step + 1, (), s.knobs), metrics

    return init, step


def make_train(cfg: RunConfig):
    """``train(key) -> (SystemState, metrics)``: one seed's whole run as one compilable function.

    Seeds are a vmapped axis: ``jax.jit(jax.vmap(make_train(cfg)))(keys)`` (purejaxrl's pattern). For long runs
    with a progress bar and files, use ``agi.train_and_evaluate``, which runs the same step in chunks.
    """
    init, step = make_system(make_agent(cfg))
    return train_lib.make_train(init, step, cfg.train.steps, cfg.train.steps // cfg.train.chunks)
