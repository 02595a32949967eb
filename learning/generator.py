"""The Thought Generator: a recurrent world model with a proposal (actor) head, learned from scratch online.

    h_t     = GRU(cont_{t-1} · h_{t-1}, [enc(extero_t, mask ⊙ intero_t, mask), onehot(a_{t-1})])
    π(·|h_t) = softmax(actor(h_t))                                   (proposes candidate plans)
    z'(h,a) = tanh(W_im [h, onehot(a)])                              (the imagined next latent under plan a)
    φ(h,a)  = [z'(h,a), φ_int(h,a), 1],   φ_int = dec_intero(z')     (thought features; named intero block)
    c(h,a)  = tanh(W_c2 tanh(W_c1 sg([h, onehot(a), φ(h,a)])))      (with ``value_pathway = k > 0``: appended)

With ``layer_norm`` the encoder's, the actor's and the imagination's pre-activations are layer-normalised
(``relu(LN(W x))``, ``tanh(LN(W_im [h, onehot(a)]))``), one of streaming deep RL's measures (Elsayed, Vasan &
Mahmood 2024). With ``sparse_init = s > 0`` every weight matrix but the actor's zero-initialised output (and the
GRU's recurrent one) starts sparse, another of theirs: each unit reads a random ``1 − s`` share of its inputs,
with weights uniform in ``±1/√fan_in`` (``sparse_init``).

The critic block ``c`` (``value_pathway = k`` units, two layers, appended to φ) is the valence head's own
pathway: only the valence head reads it, and its input is stop-gradient, so a loss on the valence trains
``W_c1, W_c2`` without reshaping the features the other Thought Assessors read (``agi``'s
``agent.feature_learning=prediction``).

With ``intero_pathway="perceptual"`` the interoceptive block is read from the current percept instead of the
recurrent latent: ``φ_int(e_t, a) = dec_intero(tanh(W_p [e_t, onehot(a)]))`` with ``e_t = enc(extero_t, mask ⊙
intero_t, mask)``. While interoception is masked it must then come from what is seen now (a face, one's own in
the mirror or a conspecific's), not from the memory of what was felt a moment ago: the "interoceptive models
settle into whatever is consistent with" the current view (001 §4). The recurrent default keeps memory in it.

With ``intero_latent = k > 0`` the interoceptive block is a learned latent instead of the decoded prediction:
``φ_int = u = tanh(W_u s)`` (``k`` units; ``s`` is z', or ``[e_t, onehot(a)]`` on the perceptual pathway) and the
prediction is decoded from it, ``dec_intero(u)``. Nothing labels its units: an interoceptive concept finder must
*find* pleasure or fear in it (001 §3.2), more so when the interoceptive input is itself an unlabelled mixture
of the body channels (``agi``'s ``agent.intero_mixing``).

It learns by predicting its next inputs: ``dec_extero(z'(h_t, a_t)) ≈ extero_{t+1}`` and
``dec_intero(z'(h_t, a_t)) ≈ intero_{t+1}``, with interoceptive inputs randomly masked so that it learns to
infer feelings from context. The interoceptive block of φ is the predicted body state under the plan, which is
what interoceptive concept finders read.

References: DESIGN.md §4 steps 1–2; 002 "Big picture" (Thought Generator); 001 §3.2 (interoceptive concepts).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import flax.linen as nn
import jax
import jax.numpy as jnp


class FeatureLayout(NamedTuple):
    """Where each named block of φ lives."""

    latent: slice
    intero: slice
    bias: slice
    critic: slice = slice(0, 0)  # the valence head's own pathway (empty unless ``value_pathway > 0``)

    @property
    def shared(self) -> slice:
        """The features every head may read: ``[latent, intero, bias]``."""
        return slice(0, self.bias.stop)

    @property
    def dim(self) -> int:
        return max(self.bias.stop, self.critic.stop)


def feature_layout(latent_dim: int, intero_dim: int, critic_dim: int = 0) -> FeatureLayout:
    """φ = [latent (latent_dim), intero (intero_dim), bias (1), critic (critic_dim)]."""
    bias = latent_dim + intero_dim
    return FeatureLayout(
        latent=slice(0, latent_dim),
        intero=slice(latent_dim, bias),
        bias=slice(bias, bias + 1),
        critic=slice(bias + 1, bias + 1 + critic_dim),
    )


def sparse_init(sparsity: float):
    """Elsayed, Vasan & Mahmood (2024)'s sparse initialisation of a ``[fan_in, fan_out]`` kernel: in each column
    (a unit), ``ceil(sparsity · fan_in)`` randomly chosen inputs get weight 0 and the others ``U(±1/√fan_in)``."""
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparse_init: sparsity must be in [0, 1), got {sparsity}")

    def init(key, shape, dtype=jnp.float32):
        fan_in = shape[0]
        k_w, k_m = jax.random.split(key)
        bound = 1.0 / jnp.sqrt(fan_in)
        w = jax.random.uniform(k_w, shape, dtype, -bound, bound)
        rank = jnp.argsort(jax.random.uniform(k_m, shape), axis=0).argsort(axis=0)  # a random order per column
        return jnp.where(rank < math.ceil(sparsity * fan_in), jnp.zeros((), dtype), w)

    return init


class ThoughtGenerator(nn.Module):
    """Flax module; call its methods with ``module.apply(params, ..., method=...)``."""

    num_actions: int
    extero_dim: int
    intero_dim: int
    hidden: int = 64
    latent: int = 64
    dtype: jnp.dtype = jnp.float32
    intero_pathway: str = "recurrent"  # or "perceptual" (see the module docstring)
    intero_latent: int = 0  # > 0: φ_int is a latent block of this width (see the module docstring)
    value_pathway: int = 0  # > 0: φ ends with a critic block of this width (see the module docstring)
    layer_norm: bool = False  # LayerNorm before the encoder's, the actor's and the imagination's nonlinearity
    sparse_init: float = 0.0  # > 0: sparse initial weights (see the module docstring); 0: flax's defaults

    def setup(self):
        init = {"kernel_init": sparse_init(self.sparse_init)} if self.sparse_init > 0 else {}  # else flax's own
        dense = lambda width: nn.Dense(width, dtype=self.dtype, **init)
        self.encoder = dense(self.hidden)
        self.gru = nn.GRUCell(self.hidden, dtype=self.dtype, **init)  # its input kernels; recurrent ones keep theirs
        self.actor_hidden = dense(self.hidden)
        self.actor_out = nn.Dense(self.num_actions, dtype=self.dtype, kernel_init=nn.initializers.zeros)
        self.imagine = dense(self.latent)
        # Streaming deep RL (Elsayed et al. 2024) normalises every layer's pre-activation (issue 13)
        norm = (lambda: nn.LayerNorm(dtype=self.dtype)) if self.layer_norm else (lambda: lambda x: x)
        self.norm_encoder, self.norm_actor, self.norm_imagine = norm(), norm(), norm()
        self.dec_extero = dense(self.extero_dim)
        self.dec_intero = dense(max(self.intero_dim, 1))
        if self.intero_pathway == "perceptual":
            self.perceptual = dense(self.intero_latent or self.latent)
        elif self.intero_latent:
            self.intero_encoder = dense(self.intero_latent)
        if self.value_pathway:
            self.critic = dense(self.value_pathway)
            self.critic_out = dense(self.value_pathway)

    def __call__(self, h, a_prev, extero, intero, mask):
        """Used only to create parameters: one recurrent step plus all heads."""
        h, e = self.encode(h, a_prev, extero, intero, mask)
        return self.policy(h), self.thoughts(h, percept=e)

    def encode(self, h_tm1, a_tm1, extero_t, intero_t, mask_t):
        """``(h_t, e_t)``: the recurrent step and the current percept ``e_t = enc(extero_t, mask ⊙ intero_t, mask)``."""
        x = jnp.concatenate([extero_t, mask_t * intero_t, mask_t])
        e = nn.relu(self.norm_encoder(self.encoder(x)))
        h_t, _ = self.gru(h_tm1, jnp.concatenate([e, jax.nn.one_hot(a_tm1, self.num_actions, dtype=e.dtype)]))
        return h_t, e

    def recur(self, h_tm1, a_tm1, extero_t, intero_t, mask_t):
        """``h_t`` from ``h_{t-1} [hidden]``, ``a_{t-1} []`` int, ``extero_t [E]``, ``intero_t [I]``, ``mask_t [I]``."""
        return self.encode(h_tm1, a_tm1, extero_t, intero_t, mask_t)[0]

    def policy(self, h):
        """Proposal logits ``[A]``."""
        return self.actor_out(self.policy_features(h))

    def policy_features(self, h):
        """What the proposal head's linear output layer (``actor_out``) reads: ``[hidden]``."""
        return nn.relu(self.norm_actor(self.actor_hidden(h)))

    def imagined(self, h, actions):
        """Imagined next latents for ``actions [K]``: ``[K, latent]``."""
        a = jax.nn.one_hot(actions, self.num_actions, dtype=h.dtype)
        hk = jnp.broadcast_to(h, (actions.shape[0], h.shape[-1]))
        return jnp.tanh(self.norm_imagine(self.imagine(jnp.concatenate([hk, a], axis=-1))))

    def thoughts(self, h, actions=None, percept=None):
        """Thought features and predictions for ``actions [K]`` (default: every action).

        ``percept`` (``e_t`` from ``encode``) is required by the perceptual interoceptive pathway.
        Returns ``(phi [K, d], pred_extero [K, E], pred_intero [K, I])``.
        """
        if actions is None:
            actions = jnp.arange(self.num_actions)
        z = self.imagined(h, actions)
        pred_e = self.dec_extero(z)
        if self.intero_pathway == "perceptual":
            a = jax.nn.one_hot(actions, self.num_actions, dtype=percept.dtype)
            ek = jnp.broadcast_to(percept, (actions.shape[0], percept.shape[-1]))
            u = jnp.tanh(self.perceptual(jnp.concatenate([ek, a], axis=-1)))
        else:
            u = jnp.tanh(self.intero_encoder(z)) if self.intero_latent else z
        pred_i = self.dec_intero(u)[:, : self.intero_dim]
        phi_int = u if self.intero_latent else pred_i
        phi = jnp.concatenate([z, phi_int, jnp.ones((z.shape[0], 1), z.dtype)], axis=-1)
        if self.value_pathway:  # the critic's own pathway: it learns from what it reads, never reshapes it
            a = jax.nn.one_hot(actions, self.num_actions, dtype=h.dtype)
            ha = jnp.concatenate([jnp.broadcast_to(h, (actions.shape[0], h.shape[-1])), a, phi], axis=-1)
            c = jnp.tanh(self.critic_out(jnp.tanh(self.critic(jax.lax.stop_gradient(ha)))))
            phi = jnp.concatenate([phi, c], axis=-1)
        return phi, pred_e, pred_i

    @property
    def layout(self) -> FeatureLayout:
        return feature_layout(self.latent, self.intero_latent or self.intero_dim, self.value_pathway)


def prediction_loss(pred_extero, pred_intero, extero_tp1, intero_tp1, intero_weight=1.0):
    """Mean squared error of the next-input prediction, the interoceptive part weighted by ``intero_weight``;
    returns ``(loss, metrics)``."""
    le = jnp.mean((pred_extero - extero_tp1) ** 2)
    li = jnp.mean((pred_intero - intero_tp1) ** 2) if pred_intero.shape[-1] else jnp.zeros((), le.dtype)
    return le + intero_weight * li, {"extero_loss": le, "intero_loss": li}
