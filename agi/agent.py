"""The agent: Learning Subsystem + Steering Subsystem + a world, one step for one agent (DESIGN.md §4).

``make_agent(cfg)`` (``agi.assemble``, which builds it and checks a user's world and drives) returns an ``Agent``
whose steps run, for one agent:

1. the Thought Generator's recurrent step on ``(extero_t, mask ⊙ intero_t)``;
2. K proposals from π(·|h_t) plus the current plan, with thought features φ for each;
3. all Thought Assessor heads on those φ at once;
4. thought selection on the valence column (run-and-tumble by default);
5. the world step with the chosen plan;
6. the Steering Subsystem: reward, ground truths, gates, next interoception and attention mask;
7. the online-learning signals for the *previous* transition, whose outcome is now known: the TD(λ)
   increment of the assessors, and the gradient of the prediction + actor loss of the generator.

It returns the learning signals rather than applying them so that agents sharing a brain can average them
(``agi.system``). The agent never imports anything that steering or learning would not.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax

import steering as st
from agi.config import ConfigError, RunConfig
from agi.metrics import AGENT, Declared
from agi.worlds import World
from learning import (
    RunningNorm,
    ThoughtGenerator,
    TraceState,
    advance_head_trace,
    expected_policy_loss,
    head_log_policy_grad,
    head_trace_loss,
    heads_sgd,
    init_traces,
    make_heads,
    policy_gradient_loss,
    predict,
    prediction_loss,
    scale_by_obgd,
    select,
    shared_increment,
    situation_valence,
    td_lambda_coefs,
    td_lambda_step,
)

ORACLE = "oracle/"
"""The prefix of a world's senses that are for measurement only (``World.step``'s senses): ``Agent.feel`` drops
them before the Steering Subsystem, which cannot know who someone is (001 §0.1, §5); probes still read them."""

OBS_CLIP = 10.0
"""Normalised observations are clipped to ±this (a few outliers early in a run, when the statistics are young)."""


class Pending(NamedTuple):
    """What an agent keeps from step t-1 to learn from its outcome at step t."""

    h_before: jax.Array  # [hidden] h_{t-2} (zeroed at an episode start): input to recompute h_{t-1}
    a_before: jax.Array  # [] int, a_{t-2}
    extero: jax.Array  # [E] extero_{t-1}
    intero: jax.Array  # [I] the generator's interoceptive input at t-1 (``Agent.sense_intero``)
    mask: jax.Array  # [I] interoceptive mask applied at t-1
    attending: jax.Array  # [] 0 when Steering withdrew attention from interoception at t-1 (the social reflex)
    action: jax.Array  # [] int, a_{t-1}
    cumulants: jax.Array  # [H] ground truths c_{t-1} (the valence head's: the reward r_{t-1})
    gates: jax.Array  # [H] learning-rate gates of step t-1
    discounts: jax.Array  # [H] discounts on the heads' next predictions for t-1 -> t (Steering's defer/override)
    cont: jax.Array  # [] 1 - done_{t-1}
    v_bar: jax.Array  # [] situation valence V̄(h_{t-1})
    on_policy: jax.Array  # [] 1 if a_{t-1} was a fresh proposal from π (not the kept plan)
    valid: jax.Array  # [] 0 before the first step
    h: jax.Array  # [hidden] h_{t-1} as the agent had it (``agent.encode_once``: the loss reads it, not a recomputation)
    percept: jax.Array  # [hidden] e_{t-1}, the percept the agent had at t-1 (likewise)


class AgentState(NamedTuple):
    h: jax.Array  # [hidden] h_{t-1}
    action: jax.Array  # [] int, a_{t-1} (the current plan)
    traces: TraceState
    pending: Pending
    extero: jax.Array  # [E] extero_t
    intero: jax.Array  # [I] body state from Steering
    attention: jax.Array  # [I] Steering's attention mask
    orient: jax.Array  # [] 1 when the social attention reflex fired: the next view is centred on a conspecific
    steering: Any
    episode_return: jax.Array  # []
    assessor_opt: Any = ()  # the state of the assessor update's optax chain (``Agent.assessor_tx``), or ()
    obs_norm: Any = ()  # running statistics of extero (``agent.obs_norm``), or ()
    ret_norm: Any = ()  # (discounted return so far, its running statistics) (``agent.reward_norm``), or ()
    reward_mean: Any = ()  # (running average reward, steps counted) (``agent.reward_center``), or ()
    actor_trace: Any = ()  # the proposal head's older eligibility trace (``agent.actor_lam``), or ()


class Brain(NamedTuple):
    """The learned weights (shared by the agents of one seed)."""

    generator: Any  # flax params
    assessors: jax.Array  # [H, d]


class Thought(NamedTuple):
    """What ``think`` hands to ``feel`` across the world step."""

    h: jax.Array
    percept: jax.Array  # [hidden] e_t (``ThoughtGenerator.encode``)
    h_in: jax.Array
    a_in: jax.Array
    intero_in: jax.Array  # [I] what the generator received of the body state (``Agent.sense_intero``)
    mask: jax.Array
    action: jax.Array
    fresh: jax.Array  # 1 if the action was a fresh proposal from π
    tumbled: jax.Array
    q: jax.Array  # valence guess of the chosen plan
    v_bar: jax.Array
    p: jax.Array  # [H] all heads' predictions for the chosen plan
    phi_int: jax.Array  # [I] the interoceptive block of the chosen plan's φ (the predicted body state)
    traces: TraceState
    delta: jax.Array  # [H]
    learning: Any  # Transition
    metrics: dict
    assessor_opt: Any = ()
    actor_trace: Any = ()  # the next step's older actor trace (``AgentState.actor_trace``)


class LossInputs(NamedTuple):
    """What the Thought Generator's loss for one agent's previous transition needs (``Agent.generator_grads``)."""

    pending: Pending
    extero: jax.Array  # [E] extero_t, the prediction target
    intero: jax.Array  # [I] intero_t as the generator receives it (mixed, noise-free): the prediction target
    advantage: jax.Array  # [] the actor's advantage (a constant of the loss)
    value_target: jax.Array  # [] the valence head's TD target (a constant of the loss)
    actor_trace: Any = ()  # the older transitions' actor trace (``agent.actor_lam``; a constant of the loss), or ()


class AssessorStep(NamedTuple):
    """One body's part of its brain's assessor update in the shared formulation (``agent.assessor_update``):
    ``learning.shared_increment`` turns a batch of these into the brain's ``[H, d]`` increment."""

    coef: jax.Array  # [H] α·g·δ of the transition (0 before the first step)
    phi_t: jax.Array  # [d] the features of the thought whose outcome this is
    z: jax.Array  # [T, d] the traced heads' eligibility traces before the step (they include m ⊙ φ_t)


class Transition(NamedTuple):
    """The record one agent learns from at a step: its previous transition (whose outcome is now known) as the
    Thought Generator's loss needs it, and the Thought Assessors' part of the TD(λ) update for it.
    ``agi.system.learn`` combines the records of the bodies that share a brain: the assessors add
    ``Agent.assessor_increment`` of theirs, the generator takes one gradient of the mean loss
    (``Agent.generator_grads``)."""

    loss_inputs: LossInputs
    assessor: Any  # the body's [H, d] increment (per-agent formulation) or its ``AssessorStep`` (shared)


class Agent(NamedTuple):
    world: World
    steering: st.SteeringSubsystem
    generator: ThoughtGenerator
    head_names: tuple[str, ...]
    cfg: RunConfig
    probes: Any = None  # the world's per-step measurements (``WorldSpec.probes``), or None
    declared: Declared = AGENT  # how its metrics are reduced: the agent's declarations and the world's
    # ``cfg -> SteeringSubsystem``: how ``steering`` was built, to build it again with ``steering.knobs`` traced
    rebuild: Any = None

    def init_brain(self, key) -> Brain:
        g, w = self.generator, self.world
        i = len(self.steering.body)
        params = g.init(
            key,
            jnp.zeros((g.hidden,)),
            jnp.zeros((), jnp.int32),
            jnp.zeros((w.extero_dim,)),
            jnp.zeros((i,)),
            jnp.ones((i,)),
        )
        return Brain(params, jnp.zeros((len(self.head_names), self.feature_dim), jnp.float32))

    @property
    def head_settings(self) -> dict[str, st.Head]:
        """Every head's settings: the valence head's from ``cfg.agent``, the others' as the drive providing the
        signal declares them (``Drive.heads``), defaults filled in from ``cfg.agent``."""
        a = self.cfg.agent
        declared = {}
        for d in self.steering.drives:
            declared.update(d.heads)
        out = {"valence": st.Head(a.gamma, a.lam, a.alpha, a.valence_reads)}
        for n in self.head_names[1:]:
            h = declared.get(n, st.Head())
            out[n] = st.Head(
                gamma=0.0 if h.gamma is None else h.gamma,
                lam=0.0 if h.lam is None else h.lam,
                alpha=a.alpha_predictors if h.alpha is None else h.alpha,
                reads=h.reads,
                attended=h.attended,
            )
        return out

    @property
    def valence(self) -> int:
        """The valence head's row of the assessors, looked up by name."""
        return self.head_names.index("valence")

    @property
    def assessor_tx(self) -> optax.GradientTransformation | None:
        """The optax chain that turns the TD(λ) pseudo-gradient into the assessors' increment, or None for plain
        TD(λ) (``agent.assessor_stabilizer``: ``obgd`` chains the streaming-TD step-size bound before the step)."""
        a, heads = self.cfg.agent, self.heads
        if a.assessor_stabilizer == "obgd":
            return optax.chain(scale_by_obgd(heads.alpha, a.obgd_kappa), heads_sgd(heads.alpha))
        return None

    @property
    def traced(self) -> tuple[int, ...] | None:
        """The heads a body keeps eligibility traces for beyond the current φ (λ > 0) when the assessors update in
        the shared formulation (``agent.assessor_update``), or None in the per-agent one, where every head has a
        trace."""
        a = self.cfg.agent
        per_agent = a.trace != "accumulating" or self.assessor_tx is not None  # they read every head's trace
        if a.assessor_update == "shared" and per_agent:
            raise ConfigError("agent.assessor_update='shared' cannot run dutch traces or an assessor optax chain "
                              "(they read every head's trace per body): use per_agent or auto")  # fmt: skip
        if a.assessor_update == "per_agent" or per_agent:
            return None
        settings = self.head_settings
        return tuple(i for i, n in enumerate(self.head_names) if settings[n].lam > 0)

    def assessor_increment(self, steps):
        """The increment of a brain's assessors ``[H, d]`` from its bodies' ``Transition.assessor`` (a leading
        axis over the bodies): the mean of their increments, formed in the shared formulation by
        ``learning.shared_increment`` (DESIGN.md §6)."""
        traced = self.traced
        if traced is None:
            return jnp.mean(steps, axis=0)
        return shared_increment(steps.coef, steps.phi_t, steps.z, self.heads, traced)

    def adapt_checkpoint(self, path: str, saved, wanted):
        """``train.Checkpointer.restore``'s ``adapt`` for a run's state saved by an earlier version: eligibility
        traces saved for every head (the per-agent formulation, which every run used before
        ``agent.assessor_update``) become the rows of the heads the shared formulation traces, exactly (an
        untraced head's trace is ``m ⊙ φ_t``, which the body also keeps); None for any other array."""
        if self.traced is None or not path.endswith(".traces.z") or saved.shape[-2:] != (len(self.head_names),
                                                                                        wanted.shape[-1]):
            return None
        return saved[..., jnp.asarray(self.traced, jnp.int32), :]

    @property
    def self_block(self) -> bool:
        """Whether φ carries a copy of φ_int withheld on empathetic simulations (a head reads ``self``)."""
        return any(h.reads == "self" for h in self.head_settings.values())

    @property
    def feature_dim(self) -> int:
        """Width of the features the assessors read: the generator's φ, plus the ``self`` block if any head
        reads it."""
        layout = self.generator.layout
        return layout.dim + (layout.intero.stop - layout.intero.start if self.self_block else 0)

    def features(self, phi, simulated):
        """The assessors' features ``[..., feature_dim]`` from the generator's φ: with the ``self`` block,
        ``[φ, φ_int · (1 − simulated)]`` (``simulated``: the thought was formed with interoception withdrawn)."""
        if not self.self_block:
            return phi
        own = phi[..., self.generator.layout.intero] * (1.0 - simulated)
        return jnp.concatenate([phi, own], axis=-1)

    @property
    def heads(self):
        layout, d = self.generator.layout, self.feature_dim
        settings = self.head_settings
        block = lambda sl: jnp.zeros((d,), jnp.float32).at[sl].set(1.0)
        generator_phi = block(layout.shared)  # not the critic block: only the valence head reads that
        intero = block(layout.intero)
        critic = block(layout.critic)
        masks = {
            "all": generator_phi,
            "intero": intero,  # the interoceptive concept finders (001 §3.2)
            "self": generator_phi - intero + block(slice(layout.dim, d)),  # φ_int only when not simulated
        }
        return make_heads(
            self.head_names,
            gamma={n: h.gamma for n, h in settings.items()},
            lam={n: h.lam for n, h in settings.items()},
            # per unit of the shared features (the critic block, read by the valence head alone, does not shrink
            # every head's step)
            alpha={n: h.alpha / layout.shared.stop for n, h in settings.items()},
            d=d,
            read_masks={n: masks[h.reads] + (critic if n == "valence" else 0.0) for n, h in settings.items()},
        )

    @property
    def mixing(self):
        """The fixed random matrix ``[I, I]`` that mixes the body channels into the Thought Generator's
        interoceptive input (``agent.intero_mixing``), or None. The same for every run (a fixed key): the body's
        wiring, not something learned."""
        i = len(self.steering.body)
        if not self.cfg.agent.intero_mixing or i == 0:
            return None
        with jax.ensure_compile_time_eval():  # a constant of the compiled step, not drawn again every step
            return jax.random.normal(jax.random.PRNGKey(20261201), (i, i)) / jnp.sqrt(float(i))

    def sense_intero(self, intero, key=None):
        """What the Thought Generator receives of the body state ``intero [I]``: an unlabelled mixture of its
        channels (``agent.intero_mixing``) plus noise (``agent.intero_noise``, when ``key`` is given)."""
        m = self.mixing
        y = intero if m is None else m @ intero
        return y if key is None else self._intero_noise(y, key)

    def _intero_noise(self, y, key):
        if self.cfg.agent.intero_noise <= 0:
            return y
        return y + self.cfg.agent.intero_noise * jax.random.normal(key, y.shape, y.dtype)

    def perceive(self, s: AgentState, extero) -> AgentState:
        """``s`` seeing its next view ``extero [X]``, normalised by its running mean and variance when
        ``agent.obs_norm`` (Elsayed et al. 2024: what makes one-sample-at-a-time learning stable)."""
        if not self.cfg.agent.obs_norm:
            return s._replace(extero=extero)
        stats, y = RunningNorm().update(s.obs_norm, extero)
        return s._replace(extero=jnp.clip(y, -OBS_CLIP, OBS_CLIP), obs_norm=stats)

    def new_state(self, extero, knobs=None) -> AgentState:
        """A fresh agent seeing ``extero`` ([X], its first view); ``knobs``: the run-time knobs (default: the
        configured values)."""
        fresh = self._new_state(extero, knobs)
        return self.perceive(fresh, extero)

    def _new_state(self, extero, knobs=None) -> AgentState:
        g = self.generator
        i, h = len(self.steering.body), len(self.head_names)
        d = self.feature_dim
        f0, i0 = jnp.zeros(()), jnp.zeros((), jnp.int32)
        pending = Pending(
            h_before=jnp.zeros((g.hidden,)), a_before=i0, extero=jnp.zeros_like(extero), intero=jnp.zeros((i,)),
            mask=jnp.zeros((i,)), attending=f0 + 1.0, action=i0, cumulants=jnp.zeros((h,)), gates=jnp.zeros((h,)),
            discounts=self.heads.gamma, cont=f0, v_bar=f0, on_policy=f0, valid=f0, h=jnp.zeros((g.hidden,)),
            percept=jnp.zeros((g.hidden,)),
        )
        return AgentState(
            h=jnp.zeros((g.hidden,)),
            action=i0,
            traces=init_traces(jnp.zeros((d,)), self.heads, self.traced),
            pending=pending,
            extero=extero,
            intero=jnp.zeros((i,)),
            attention=jnp.ones((i,)),
            orient=f0,
            steering=st.init(self.steering_with(knobs)),
            episode_return=f0,
            assessor_opt=() if self.assessor_tx is None else self.assessor_tx.init(jnp.zeros((h, d))),
            obs_norm=RunningNorm().init(extero.shape[-1]) if self.cfg.agent.obs_norm else (),
            ret_norm=(f0, RunningNorm().init(1)) if self.cfg.agent.reward_norm else (),
            reward_mean=(f0, f0) if self.cfg.agent.reward_center > 0 else (),
            actor_trace=self._zero_head() if self.cfg.agent.actor_lam > 0 else (),
        )

    def _zero_head(self):
        """Zeros shaped like the proposal head's output layer (``{"kernel": [hidden, A], "bias": [A]}``)."""
        h, a = self.generator.hidden, self.world.num_actions
        return {"kernel": jnp.zeros((h, a), jnp.float32), "bias": jnp.zeros((a,), jnp.float32)}

    def _loss(self, params, w, pend: Pending, extero_t, intero_t, advantage, value_target, actor_trace=(),
              encoded=None, anchor=None):
        """Prediction loss for the previous transition + actor loss + optional value loss (+ the anchor loss
        with ``anchor``, the generator's slowly moving copy, ``agent.anchor``). ``encoded`` is ``(h_{t-1},
        e_{t-1})`` as the agent had them (``agent.encode_once``; the gradient into the encoder then comes from
        that step's residuals, ``Agent.generator_grads``); None re-encodes the previous step here."""
        g, a = self.generator, self.cfg.agent
        if encoded is None:
            encoded = g.apply(params, pend.h_before, pend.a_before, pend.extero, pend.intero, pend.mask,
                              method="encode")  # fmt: skip
        h_prev, e_prev = encoded
        # Only the expected actor loss needs every action's thought; otherwise imagine only the plan carried out
        # (the other actions' thoughts would feed nothing in this loss).
        actions = None if a.actor_loss == "expected" else pend.action[None]
        chosen = pend.action if actions is None else 0
        phi_all, pred_e, pred_i = g.apply(params, h_prev, actions, e_prev, method="thoughts")
        extra = {}
        if anchor is not None:
            anchor_loss = pend.valid * self.anchor_loss(params, anchor, w, pend, phi_all[chosen])
            extra = {"anchor_loss": anchor_loss}
        # No valence gradient into φ_int: the interoceptive block is shaped by predicting the body alone, so what
        # the concept finders find there is interoception, not whatever helps the value (issue 12).
        sl = g.layout.shared if a.feature_learning == "prediction" else g.layout.intero
        phi_all = phi_all.at[:, sl].set(jax.lax.stop_gradient(phi_all[:, sl]))
        phi_all = self.features(phi_all, 1.0 - pend.attending)
        # A thought formed while attention was withdrawn from interoception (an empathetic simulation) is not
        # held to one's own next feelings (001 §4: those interoceptive models are disconnected from them).
        wm, metrics = prediction_loss(pred_e[chosen], pred_i[chosen], extero_t, intero_t, pend.attending)
        # With features learned by prediction alone, the actor learns on a stopped copy of the recurrent state.
        h_actor = jax.lax.stop_gradient(h_prev) if a.feature_learning == "prediction" else h_prev
        logits = g.apply(params, h_actor, method="policy")
        if a.actor_loss == "expected":
            q = jax.lax.stop_gradient(predict(w, phi_all, self.heads.read_mask)[:, self.valence])
            pg, pg_metrics = expected_policy_loss(logits, q, a.entropy_coef)
        else:  # the kept plan was not drawn from π: it carries a policy gradient only at ``actor_kept``'s weight
            pg, pg_metrics = policy_gradient_loss(logits, pend.action, advantage, a.entropy_coef)
            pg = pg * (pend.on_policy + a.actor_kept * (1.0 - pend.on_policy))
            if a.actor_lam > 0:  # the earlier proposals' share of this advantage (actor-critic(λ))
                pg = pg + head_trace_loss(params["params"]["actor_out"], actor_trace, advantage)
        v = predict(jax.lax.stop_gradient(w), phi_all[chosen], self.heads.read_mask)[self.valence]
        vloss = 0.5 * (jax.lax.stop_gradient(value_target) - v) ** 2
        total = pend.valid * (pend.cont * wm + a.actor_coef * pg + a.value_grad_coef * vloss
                              + a.anchor * extra.get("anchor_loss", 0.0))
        return total, {**metrics, **pg_metrics, "value_loss": vloss, **extra}

    def anchor_loss(self, params, anchor, w, pend: Pending, phi):
        """``Σ_h (1 − gate_h) (ŷ_h(φ) − ŷ_h(φ̄))²`` over the heads other than valence: a soft penalty that holds
        each head whose gate was closed on the previous transition to its output on that thought under
        ``anchor`` (``φ̄``, a constant), so that on the thoughts the agent visits the generator changes what
        such a head reads little (issue 13: "heads whose features keep their meaning"). ``φ`` is the loss's
        thought, raw (before any stop-gradient): the anchor also shapes φ_int and, with
        ``feature_learning=prediction``, the shared features, which otherwise only prediction shapes. With
        ``agent.encode_once`` ``φ`` comes from the encoding the agent had, one update older than ``params``.
        A head keeps learning while its gate is open; the assessors' weights get no gradient here."""
        simulated, w = 1.0 - pend.attending, jax.lax.stop_gradient(w)
        y = predict(w, self.features(phi, simulated), self.heads.read_mask)
        inputs = (pend.h_before, pend.a_before, pend.extero, pend.intero, pend.mask)
        y_bar = jax.lax.stop_gradient(self._heads_on(anchor, w, inputs, pend.action, simulated))
        closed = (1.0 - pend.gates).at[self.valence].set(0.0)
        return jnp.sum(closed * (y - y_bar) ** 2)

    def encoder_inputs(self, s: AgentState, key) -> tuple:
        """``(h_in, a_in, extero, intero_in, mask)``: step 1's input to ``ThoughtGenerator.encode`` for ``s``, drawn
        from the same ``key`` as ``think``'s (episode starts reset the latent and the plan; interoception randomly
        masked, mixed and noisy as the generator receives it)."""
        a, pend = self.cfg.agent, s.pending
        k_mask, _, _, k_noise = jax.random.split(key, 4)  # the other two are ``think``'s
        gap_shape = () if a.intero_mask_whole else s.intero.shape
        mask = s.attention * jax.random.bernoulli(k_mask, 1.0 - a.intero_mask_prob, gap_shape)
        h_in = s.h * pend.cont
        a_in = jnp.where(pend.cont > 0, s.action, 0)
        return h_in, a_in, s.extero, self._intero_noise(self.sense_intero(s.intero), k_noise), mask

    def encode_batch(self, params, inputs):
        """Step 1 for a batch of agents sharing ``params`` (``inputs``: ``encoder_inputs`` with a leading axis):
        ``((h, e), vjp)``, where ``vjp((dh, de))`` is ``(gradient with respect to params,)`` through this forward
        pass. Keeping it (its residuals: ``jax.tree.leaves(vjp)``) until the next step's loss, which reads ``h``
        and ``e``, is what spares the loss a second encoding (``agent.encode_once``)."""
        encode = functools.partial(self.generator.apply, method="encode")
        f32 = functools.partial(jax.tree.map, lambda x: x.astype(jnp.float32))  # what the agent state keeps
        return jax.vjp(lambda p: f32(jax.vmap(functools.partial(encode, p))(*inputs)), params)

    def think(self, brain: Brain, s: AgentState, key, inputs=None, encoded=None, knobs=None):
        """Steps 1–4 and 7 of one agent: the thought, the chosen plan, and the learning signals for the previous
        transition. ``inputs``: step 1's ``encoder_inputs(s, key)`` as the caller drew them, or None to draw them
        here; ``encoded``: their ``(h, e)`` as the caller computed them
        (``encode_batch``), or None to encode here; ``knobs``: the run-time knobs (``agent.random_knob``).
        Returns ``(action, Thought)``; the world step and ``feel`` follow."""
        a, g = self.cfg.agent, self.generator
        params, w, heads = brain.generator, brain.assessors, self.heads
        pend = s.pending

        # 1. Thought Generator.
        inputs = self.encoder_inputs(s, key) if inputs is None else inputs
        h_in, a_in, _, intero_in, mask = inputs
        h, percept = g.apply(params, *inputs, method="encode") if encoded is None else encoded
        _, k_prop, k_sel, _ = jax.random.split(key, 4)  # the other two are ``encoder_inputs``'s
        intero_seen = self.sense_intero(s.intero)  # also this step's prediction target (noise-free)
        percept = percept.astype(jnp.float32)  # kept in the pending transition whatever the generator's dtype
        logits = g.apply(params, h, method="policy")
        # 2-3. Thoughts for every action, all assessor heads at once.
        phi_all, _, _ = g.apply(params, h, None, percept, method="thoughts")
        phi_all = phi_all.astype(jnp.float32)  # [A, d]; the assessors stay float32 whatever the generator's dtype
        phi_all = self.features(phi_all, 1.0 - jnp.min(s.attention, initial=1.0))
        p_all = predict(w, phi_all, heads.read_mask)  # [A, H]
        q = p_all[:, self.valence]
        v_bar = situation_valence(logits, q)
        # 4. Thought selection: current plan + K proposals.
        proposals = jax.random.categorical(k_prop, logits, shape=(a.num_candidates,))
        candidates = jnp.concatenate([a_in[None], proposals])
        # At an episode start there is no current plan to keep: candidate 0 can never run.
        q_candidates = q[candidates].at[0].set(jnp.where(pend.cont > 0, q[a_in], -jnp.inf))
        index, tumbled = select(
            k_sel, q_candidates, v_bar, a.selection, threshold=a.threshold, beta=a.beta,
            valence_offset=a.valence_offset, num_actions=self.world.num_actions,
        )  # fmt: skip
        action = index if a.selection == "random" else candidates[index]
        fresh = (index != 0).astype(jnp.float32) if a.selection != "random" else jnp.zeros((), jnp.float32)
        if a.random_knob:  # a random-policy variant in the same program: the same draw as selection="random"
            rand = (self.knobs if knobs is None else knobs)["knob/random_policy"] > 0
            action = jnp.where(rand, select(k_sel, q_candidates, v_bar, "random",
                                            num_actions=self.world.num_actions)[0], action)  # fmt: skip
            tumbled, fresh = jnp.where(rand, True, tumbled), jnp.where(rand, 0.0, fresh)
        phi, p = phi_all[action], p_all[action]

        # 7. Learning signals for the previous transition (its outcome is now known).
        tx, assessor_opt, traced = self.assessor_tx, s.assessor_opt, self.traced
        if traced is not None:  # the shared formulation: the brain forms the increment (``assessor_increment``)
            coef, traces, delta = td_lambda_coefs(w, s.traces, phi, pend.cumulants, pend.cont, pend.gates, heads,
                                                  traced, gamma_t=pend.discounts, p_tp1=p)  # fmt: skip
            assessor = AssessorStep(coef=coef * pend.valid, phi_t=s.traces.phi_t, z=s.traces.z)
        elif tx is not None:  # its state is carried from step to step in the agent's state
            dw, traces, delta, assessor_opt = td_lambda_step(
                w, s.traces, phi, pend.cumulants, pend.cont, pend.gates, heads, a.trace, tx, s.assessor_opt,
                gamma_t=pend.discounts,
            )  # fmt: skip
        else:
            dw, traces, delta = td_lambda_step(w, s.traces, phi, pend.cumulants, pend.cont, pend.gates, heads, a.trace,
                                               gamma_t=pend.discounts)  # fmt: skip
        if traced is None:
            assessor = dw * pend.valid
        advantage = pend.cumulants[self.valence] + a.gamma * pend.cont * v_bar - pend.v_bar
        value_target = pend.cumulants[self.valence] + a.gamma * pend.cont * p[self.valence]
        actor_trace = ()
        if a.actor_lam > 0:  # the trace of the transitions up to the one learned now, for the next step
            x_prev = g.apply(params, pend.h, method="policy_features").astype(jnp.float32)
            head = params["params"]["actor_out"]
            grad_prev = head_log_policy_grad(x_prev, x_prev @ head["kernel"] + head["bias"], pend.action)
            actor_trace = advance_head_trace(s.actor_trace, grad_prev, pend.on_policy, a.gamma * a.actor_lam,
                                             pend.cont * pend.valid)  # fmt: skip
        loss_inputs = LossInputs(pending=pend, extero=s.extero, intero=intero_seen, advantage=advantage,
                                 value_target=value_target, actor_trace=s.actor_trace)  # fmt: skip
        phi_int = phi[g.layout.intero]
        thought = Thought(
            h=h, percept=percept, h_in=h_in, a_in=a_in, intero_in=intero_in, mask=mask, action=action, fresh=fresh,
            tumbled=tumbled, q=q[action], v_bar=v_bar, p=p, phi_int=phi_int, traces=traces, delta=delta,
            learning=Transition(loss_inputs=loss_inputs, assessor=assessor), metrics={}, assessor_opt=assessor_opt,
            actor_trace=actor_trace,
        )
        return action, thought

    def imagined_valence(self, brain: Brain, thought: Thought, s: AgentState, views):
        """``[M]``: the valence head on a thought of each of ``views [M, X]`` formed now, the imagined liking
        probe (000 §4.3: liking someone is the valence their concept evokes). Each thought starts from this step's
        recurrent state and plan (``thought.h_in``, ``thought.a_in``) with interoception withdrawn, as on a thought
        the social attention reflex centres on someone (an empathetic simulation), so bodies are compared in the
        same moment, whether or not they are in view. A measurement: nothing learns from it."""
        return self._valence_of_views(brain, thought, s, views, attending=False)

    def presence_valence(self, brain: Brain, thought: Thought, s: AgentState, view, erased):
        """``[M]``: what each body adds to the valence of a thought of one's own surroundings now, the presence
        liking probe. Valence is linear over the concepts a thought is made of (000 §2.4.1, §4.3: liking Alice is
        the valence the "Alice" concept carries), so body ``j``'s part is the valence of the thought of ``view``
        ``[X]`` (one's own view, interoception attended) minus that of the same thought of ``erased[j]`` ``[M, X]``
        (the view with ``j`` not drawn); 0 where ``j`` is not in view. A measurement: nothing learns from it."""
        values = self._valence_of_views(brain, thought, s, jnp.concatenate([view[None], erased]), attending=True)
        return values[0] - values[1:]

    def _valence_of_views(self, brain: Brain, thought: Thought, s: AgentState, views, attending: bool):
        """``[V]``: the valence head on a thought of each of ``views [V, X]`` formed from this step's recurrent
        state and plan (``thought.h_in``, ``thought.a_in``), with interoception attended or withdrawn."""
        if self.cfg.agent.obs_norm:  # as ``perceive`` would show them (the statistics updated by each, not kept)
            views = jax.vmap(lambda v: RunningNorm().update(s.obs_norm, v)[1])(views)
            views = jnp.clip(views, -OBS_CLIP, OBS_CLIP)
        mask = jnp.full_like(thought.mask, float(attending))

        def one(view):
            inputs = (thought.h_in, thought.a_in, view, thought.intero_in, mask)
            return self._heads_on(brain.generator, brain.assessors, inputs, thought.a_in, 1.0 - attending)
        return jax.vmap(one)(views)[:, self.valence]

    def _heads_on(self, params, w, inputs, action, simulated):
        """``[H]``: every head's output on the thought of ``action`` formed at ``params`` from ``inputs``
        (``encoder_inputs``' layout: ``(h_in, a_in, extero, intero_in, mask)``)."""
        g = self.generator
        h, e = g.apply(params, *inputs, method="encode")
        phi = g.apply(params, h, action[None], e, method="thoughts")[0][0].astype(jnp.float32)
        return predict(w, self.features(phi, simulated), self.heads.read_mask)

    def generator_grads(self, params, w, inputs: LossInputs, encoder_vjp=None, anchor=None):
        """``(∇ mean loss, mean loss metrics)`` over the agents of ``inputs`` (a leading batch axis), which share
        ``params``: one backward pass for all of them. The gradient of the mean equals the mean of per-agent
        gradients, without forming a gradient per agent (which cost 78–94% of a step; benchmarks/README.md).

        ``encoder_vjp``: the previous step's ``encode_batch`` pullback for these agents. The loss then reads the
        previous step's ``(h, e)`` from the pending transition, and the gradient reaching them flows into the
        encoder's parameters through it; None re-encodes the previous step inside the loss. ``anchor``: the
        generator's slowly moving copy for the anchor loss (``agent.anchor``), or None."""

        def mean_loss(p, encoded):
            axes = (None, None, 0, 0, 0, 0, 0, 0, 0, None)
            total, metrics = jax.vmap(self._loss, in_axes=axes)(p, w, *inputs, encoded, anchor)
            return jnp.mean(total), jax.tree.map(jnp.mean, metrics)

        if encoder_vjp is None:
            return jax.grad(mean_loss, has_aux=True)(params, None)
        encoded = (inputs.pending.h, inputs.pending.percept)
        (grads, d_encoded), metrics = jax.grad(mean_loss, argnums=(0, 1), has_aux=True)(params, encoded)
        (d_params,) = encoder_vjp(d_encoded)
        return jax.tree.map(jnp.add, grads, d_params), metrics

    @property
    def knobs(self) -> dict:
        """Default values of the run-time knobs (``default_knobs``)."""
        return default_knobs(self.cfg)

    def steering_with(self, knobs) -> st.SteeringSubsystem:
        """The Steering Subsystem with the settings of ``steering.knobs`` read from ``knobs`` (traced values: the
        drives are built again, the same drives with the values in place of the configured ones)."""
        keys = self.cfg.knob_keys()
        if not keys:
            return self.steering
        knobs = self.knobs if knobs is None else knobs
        return self.rebuild(self.cfg.with_values({k: knobs[f"knob/{k}"] for k in keys}))

    def _centered_reward(self, s: AgentState, reward):
        """``reward``, or with ``agent.reward_center`` > 0 ``reward − r̄`` where r̄ is the running average reward
        before this step (reward centering, Naik et al. 2024). Returns ``(reward', reward_mean')``."""
        rate = self.cfg.agent.reward_center
        if rate <= 0:
            return reward, s.reward_mean
        mean, n = s.reward_mean
        centered = jnp.where(n > 0, reward - mean, 0.0)  # the first step has no average to subtract yet
        return centered, st.running_mean(mean, n, reward, rate)

    def _scaled_reward(self, s: AgentState, reward, done):
        """The valence head's cumulant: ``reward``, or with ``agent.reward_norm`` ``reward / σ(G)`` where G is the
        discounted return so far (reset at an episode's end) and σ its running standard deviation."""
        if not self.cfg.agent.reward_norm:
            return reward, s.ret_norm
        g, stats = s.ret_norm
        g = self.cfg.agent.gamma * g + reward
        stats, _ = RunningNorm().update(stats, g[None])
        var = jnp.where(stats.count > 1, stats.m2[0] / jnp.maximum(stats.count - 1.0, 1.0), 1.0)
        return reward / jnp.sqrt(var + 1e-8), (g * (1.0 - done.astype(jnp.float32)), stats)

    def feel(self, s: AgentState, t: Thought, senses, done, knobs=None):
        """Step 6 of one agent, after the world step: Steering's reward, ground truths and gates, the next body
        state and attention. Returns ``(state', Transition, metrics, SteeringOut)``; the next view (``extero``)
        and ``orient`` of ``state'`` are the world's to set (``World.observe``, in ``agi.system``)."""
        preds = {n: t.p[i] for i, n in enumerate(self.head_names)}
        # A world's "oracle/" senses (who is who, true states) are for measurement: Steering never sees them.
        senses = {k: v for k, v in senses.items() if not k.startswith(ORACLE)}
        knobs = self.knobs if knobs is None else knobs
        senses = {**senses, **knobs, "oriented": s.orient}
        steering = self.steering_with(knobs)
        steer_state, out = st.step(steering, s.steering, senses, preds)
        steer_state = jax.tree.map(lambda n, i: jnp.where(done, i, n), steer_state, st.init(steering))
        one = jnp.ones((), jnp.float32)
        # A head's TD target is its signal, unless Steering says otherwise for this step: in defer-to-predictor
        # mode the cumulant is 0 and the target bootstraps on the head's next prediction (002 "Big picture").
        reward, reward_mean = self._centered_reward(s, out.reward)
        reward, ret_norm = self._scaled_reward(s, reward, done)
        cumulants = jnp.stack([reward if n == "valence" else out.cumulants.get(n, out.signals[n])
                               for n in self.head_names])  # fmt: skip
        # A head declared ``attended`` learns only from a thought formed with the actual interoceptive input
        # (001 §3.2): its gate closes under any attentional gap, the agent's random ones included.
        attended = jnp.asarray([self.head_settings[n].attended for n in self.head_names])
        gates = jnp.stack([out.gates.get(n, one) for n in self.head_names])
        gates = gates * jnp.where(attended, jnp.min(t.mask, initial=1.0), 1.0)
        gamma = self.heads.gamma
        discounts = jnp.stack([out.discounts.get(n, gamma[i]) for i, n in enumerate(self.head_names)])

        cont = 1.0 - done.astype(jnp.float32)
        ep_return = s.episode_return + senses["env_reward"]
        pending = Pending(
            h_before=t.h_in, a_before=t.a_in, extero=s.extero, intero=t.intero_in, mask=t.mask,
            attending=jnp.min(s.attention, initial=1.0), action=t.action, cumulants=cumulants, gates=gates,
            discounts=discounts, cont=cont, v_bar=t.v_bar, on_policy=t.fresh, valid=one, h=t.h, percept=t.percept,
        )
        new = AgentState(
            h=t.h,
            action=t.action,
            traces=t.traces,
            pending=pending,
            extero=s.extero,
            intero=jnp.where(done, jnp.zeros_like(s.intero), out.interoception),  # a new episode starts afresh
            attention=jnp.where(done, jnp.ones_like(s.attention), out.attention_mask),
            orient=out.diagnostics.get("social_reflex", jnp.zeros((), jnp.float32)) * cont,
            steering=steer_state,
            episode_return=ep_return * cont,
            assessor_opt=t.assessor_opt,
            obs_norm=s.obs_norm,
            ret_norm=ret_norm,
            reward_mean=reward_mean,
            actor_trace=t.actor_trace,
        )
        metrics = {
            "reward": out.reward,
            **{f"reward/{k}": v for k, v in out.reward_by_drive.items()},
            "valence_guess": t.q,
            "td_error": t.delta[self.valence] * s.pending.valid,
            "tumbled": t.tumbled.astype(jnp.float32),
            "episodes": 1.0 - cont,
            "episode_return_sum": ep_return * (1.0 - cont),
            **t.metrics,
            **{f"signal/{k}": v for k, v in out.signals.items()},
            **{f"diagnostic/{k}": out.diagnostics[k] for d in self.steering.drives for k in d.log},
            **self._assessor_errors(t.p, cumulants, gates, discounts),
        }
        return new, t.learning, metrics, out

    def _assessor_errors(self, p, cumulants, gates, discounts) -> dict:
        """Each short-term predictor's squared error ``(c − p)²`` on the steps where it learns towards this step's
        signal (gate > 0, discount 0), weighted by its gate, and that weight: ``assessor/mse/NAME`` is their ratio
        (``assessor_metrics``): how well each Thought Assessor reads its signal. A head whose gate is cut has no
        such steps (nan); measure it with its gate open and learning frozen (``benchmarks/frozen_head.py``)."""
        on = gates * (discounts == 0)
        out = {}
        for i, n in enumerate(self.head_names):
            if n != "valence":
                out[f"assessor/sq_error/{n}"] = on[i] * (cumulants[i] - p[i]) ** 2
                out[f"assessor/on/{n}"] = on[i]
        return out


def default_knobs(cfg: RunConfig) -> dict:
    """Default values of a run's run-time knobs: 1 for those the ablations refer to (``gain:NAME=@KNOB``), the
    configured value for each setting in ``steering.knobs`` (``knob/steering.arousal.a_spider``), 0 for
    ``knob/random_policy`` (``agent.random_knob``)."""
    knobs = {f"knob/{n}": jnp.ones((), jnp.float32) for n in st.knob_names(cfg.steering.ablations)}
    if cfg.agent.random_knob:
        knobs["knob/random_policy"] = jnp.zeros((), jnp.float32)
    for key in cfg.knob_keys():
        knobs[f"knob/{key}"] = jnp.asarray(cfg.value(key), jnp.float32)
    return knobs


def __getattr__(name):  # the assembly moved to agi.assemble; ``from agi.agent import make_agent`` keeps working
    if name in _MOVED:
        from agi import assemble

        return getattr(assemble, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_MOVED = ("make_agent", "build_steering", "check_world", "head_names", "assessor_metrics")
