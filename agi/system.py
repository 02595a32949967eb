"""A seed's whole system, one step for every world: think → world step → feel → observe → learn.

A seed runs ``num_envs`` copies of its world, each with the world's ``N`` learning bodies (N = 1 in a
single-agent world). Body ``n`` of every copy is driven by brain ``n``, so a seed has ``N`` brains, each
trained on the mean of its ``num_envs`` copies' learning signals: the Thought Generator by one optax step
(Adam with gradient clipping) on the mean loss, the assessors by adding the mean TD(λ) increment. Agent
states are ``[E, N, ...]``; the seed axis is vmapped by ``train``. One step::

    think (every body, vmapped)  ->  world.step (joint)  ->  feel (Steering, vmapped)
    ->  world.observe (feelings shown, next views drawn, oriented by the social attention reflex)  ->  learn

References: DESIGN.md §4 (one agent step; step 7: online learning every step, no replay buffer), §8, §10.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

import train as train_lib
from agi.agent import Agent, AgentState, Brain, Transition
from agi.assemble import make_agent
from agi.config import RunConfig


class SystemState(NamedTuple):
    brain: Brain  # [N, ...]: one brain per body of the world
    opt_state: Any  # [N, ...]
    agents: AgentState  # [E, N, ...]
    step: jax.Array  # [] int32, steps taken
    world: Any  # the worlds' states, [E, ...]
    knobs: Any = ()  # run-time ablation values {"knob/NAME": []} (agi.ablate merges variants with them)
    # ``agent.encode_once``: the residuals of the last step's encoding (``Agent.encode_batch``; [N, ...], some per
    # copy, some parameter-shaped), zeros before the first step (whose loss is void), unchanged while not learning.
    encoding: Any = ()
    # ``agent.anchor`` > 0: the generator's slowly moving copy ([N, ...], an exponential moving average of its
    # parameters) that closed-gate heads are held to (``Agent.anchor_loss``); () when off.
    anchor: Any = ()


def make_optimizer(agent: Agent) -> optax.GradientTransformation:
    """Adam with global-norm clipping, optionally with a step size annealed linearly to 0 over the run."""
    a = agent.cfg.agent
    lr = optax.linear_schedule(a.lr, 0.0, agent.cfg.train.steps) if a.lr_anneal else a.lr
    return optax.chain(optax.clip_by_global_norm(a.max_grad_norm), optax.adam(lr, b2=a.adam_b2, eps=a.adam_eps))


def learn(agent: Agent, tx: optax.GradientTransformation, brain: Brain, opt_state, transitions: Transition,
          encoder_vjp=None, anchor=None):
    """Step 7 (DESIGN.md §4) for one brain, pure: the Thought Generator takes one ``tx`` step on the gradient of
    its mean loss over ``transitions`` (a leading axis: the copies of its body), the Thought Assessors add
    their mean TD(λ) increment. ``encoder_vjp``: the previous step's encoding pullback (``Agent.encode_batch``),
    or None to re-encode; ``anchor``: the generator's moving copy (``agent.anchor`` > 0; ``SystemState.anchor``),
    else None or (). Returns ``(brain', opt_state', anchor', loss metrics)``."""
    on = agent.cfg.agent.anchor > 0
    if on and (anchor is None or anchor == ()):
        raise ValueError("learn: agent.anchor > 0 needs the generator's moving copy (SystemState.anchor)")
    grads, metrics = agent.generator_grads(brain.generator, brain.assessors, transitions.loss_inputs, encoder_vjp,
                                           anchor if on else None)  # fmt: skip
    updates, opt_state = tx.update(grads, opt_state, brain.generator)
    brain = Brain(generator=optax.apply_updates(brain.generator, updates),
                  assessors=brain.assessors + agent.assessor_increment(transitions.assessor))  # fmt: skip
    if on:
        anchor = optax.incremental_update(brain.generator, anchor, agent.cfg.agent.anchor_rate)
    return brain, opt_state, anchor, metrics


def make_system(agent: Agent):
    """Returns ``(init(key) -> SystemState, step(SystemState, key) -> (SystemState, metrics))`` for one seed."""
    cfg, world = agent.cfg, agent.world
    e, n = cfg.train.num_envs, world.num_agents
    if world.absences is not None and world.portraits is None:
        raise ValueError(f"world {world.name!r} offers absences without portraits: the presence probe compares a "
                         "learner's own view (its portrait) with the same view without each body")  # fmt: skip
    tx = make_optimizer(agent)
    # Step 1 for brain n over the copies of its body, with the pullback that the next step's loss will use.
    encode = jax.vmap(agent.encode_batch, in_axes=(0, 1), out_axes=((1, 1), 0))
    encoder_inputs = jax.vmap(jax.vmap(agent.encoder_inputs))

    def init(key, knobs=None) -> SystemState:
        kb, kw = jax.random.split(key)
        brains = jax.lax.map(agent.init_brain, jax.random.split(kb, n))  # lax.map: see train.loop (QR deadlock)
        wstate, extero, _ = jax.vmap(world.reset)(jax.random.split(kw, e))
        knobs = agent.knobs if knobs is None else knobs
        agents = jax.vmap(jax.vmap(agent.new_state, in_axes=(0, None)), in_axes=(0, None))(extero, knobs)
        encoding = ()
        if cfg.agent.encode_once:  # no encoding yet: zeros in the residuals' shapes (the first loss is void)
            def pullbacks():  # (traced for shapes only: eval_shape computes nothing)
                return encode(brains.generator, encoder_inputs(agents, jax.random.split(kw, (e, n))))[1]

            residuals = jax.tree.leaves(jax.eval_shape(pullbacks))
            encoding = [jnp.zeros(r.shape, r.dtype) for r in residuals]
        anchor = jax.tree.map(jnp.copy, brains.generator) if cfg.agent.anchor > 0 else ()
        return SystemState(brains, jax.vmap(tx.init)(brains.generator), agents, jnp.zeros((), jnp.int32), wstate,
                           knobs, encoding, anchor)  # fmt: skip

    # inner: bodies (own brains); outer: copies
    think = jax.vmap(jax.vmap(agent.think, in_axes=(0, 0, 0, 0, 0, None)), in_axes=(None, 0, 0, 0, 0, None))
    feel = jax.vmap(jax.vmap(agent.feel, in_axes=(0, 0, 0, 0, None)), in_axes=(0, 0, 0, 0, None))

    def step(s: SystemState, key):
        k_think, k_world = jax.random.split(key)
        keys = jax.random.split(k_think, (e, n))
        inputs, outputs, encoder_vjp, encoding = None, None, None, s.encoding  # (None: ``think`` draws and encodes)
        if cfg.agent.encode_once and cfg.agent.learn:  # (a frozen brain keeps ``encoding`` as it is)
            inputs = encoder_inputs(s.agents, keys)
            outputs, pullbacks = encode(s.brain.generator, inputs)
            # The previous step's pullbacks: this step's structure (the same computation) holding its residuals.
            encoder_vjp = jax.tree.unflatten(jax.tree.structure(pullbacks), s.encoding)
            encoding = jax.tree.leaves(pullbacks)
        actions, thoughts = think(s.brain, s.agents, keys, inputs, outputs, s.knobs)
        wstate, senses, done = jax.vmap(world.step)(jax.random.split(k_world, e), s.world, actions)
        agents, transitions, metrics, out = feel(s.agents, thoughts, senses, done, s.knobs)
        # The reflex centres the next view on a conspecific where there is one in view; where there is none (the
        # reflex fired by its own head: thinking of someone absent, 001 §2, §5.4) the thought is still an
        # empathetic simulation: interoception stays masked and the readout gate opens (001 §4).
        wstate, extero, _ = jax.vmap(world.observe)(wstate, out.signals, agents.orient)
        agents = jax.vmap(jax.vmap(agent.perceive))(agents, extero)

        brain, opt_state, anchor, loss_metrics = s.brain, s.opt_state, s.anchor, {}
        if cfg.agent.learn:  # brain n learns from the transitions of body n in every copy: [E, N] -> [N]
            brain, opt_state, anchor, loss_metrics = jax.vmap(
                functools.partial(learn, agent, tx), in_axes=(0, 0, 1, 0, 0)
            )(brain, opt_state, transitions, encoder_vjp, anchor)
        flat = agent.declared.over_copies(metrics)  # [N] per body (agi.metrics)
        flat.update(loss_metrics)  # [N] per brain
        if agent.probes is not None:  # the world's own per-step measurements (e.g. the social rates)
            extra = {}
            if world.portraits is not None:  # the valence of a thought of each body, now: [E, N, M]
                views = jax.vmap(world.portraits)(s.world)  # [E, M, X]
                per_body = jax.vmap(agent.imagined_valence, in_axes=(0, 0, 0, None))
                extra["imagined"] = jax.vmap(per_body, in_axes=(None, 0, 0, 0))(s.brain, thoughts, s.agents, views)
            if world.absences is not None:  # what each body adds to the valence of one's own view now: [E, N, M]
                own = views[:, : world.num_agents]  # [E, N, X]: a learner's portrait is its own view
                erased = jax.vmap(world.absences)(s.world)  # [E, N, M, X]
                per_body = jax.vmap(agent.presence_valence, in_axes=(0, 0, 0, 0, 0))
                added = jax.vmap(per_body, in_axes=(None, 0, 0, 0, 0))(s.brain, thoughts, s.agents, own, erased)
                extra["presence"] = (added, jnp.any(erased != own[:, :, None], axis=-1))  # and who is in view
            flat.update(agent.probes(agent, s.agents, thoughts, senses, out, **extra))
        return SystemState(brain, opt_state, agents, s.step + 1, wstate, s.knobs, encoding, anchor), flat

    return init, step


def make_train(cfg: RunConfig, agent=None):
    """``train(key) -> (SystemState, metrics)``: one seed's whole run as one compilable function.

    Seeds are a vmapped axis: ``jax.jit(jax.vmap(make_train(cfg)))(keys)`` (purejaxrl's pattern). ``agent``: an
    agent built from objects rather than registered names (``make_agent(cfg, world=my_world,
    drives=[my_drive])``); default ``make_agent(cfg)``. ``cfg.train`` sets the run's length and batch. For long
    runs with a progress bar and files, use ``agi.train_and_evaluate`` (registered names), which runs the same
    step in chunks."""
    agent = make_agent(cfg) if agent is None else agent._replace(cfg=dataclasses.replace(agent.cfg, train=cfg.train))
    init, step = make_system(agent)
    return train_lib.make_train(init, step, cfg.train.steps, cfg.train.steps // cfg.train.chunks)
