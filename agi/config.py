"""Typed, frozen run configuration: one dataclass per component, presets, and ``key=value`` overrides.

Presets: ``tiny`` (tests: seconds), ``default`` (a CPU demo in minutes), ``large`` (GPU-sized). A preset may
depend on the world (CartPole needs a different budget and discount than foraging).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from dataclasses import dataclass, field

from agi.worlds.foraging.config import ForagingConfig
from agi.worlds.social.config import SocialConfig
from steering.drives.arousal import ArousalConfig, ArousalValenceConfig
from steering.drives.env_reward import EnvRewardConfig
from steering.drives.fear import FearConfig
from steering.drives.homeostasis import HomeostasisConfig
from steering.drives.pain import PainConfig
from steering.drives.senses import DetectConfig
from steering.drives.social import (
    CompassionSpiteConfig,
    EmpathyConfig,
    FamiliarityConfig,
    FearedConfig,
    FriendEnemyConfig,
    LikedAdmiredConfig,
    MoodConfig,
    SocialAttentionConfig,
)


class ConfigError(ValueError):
    """A bad configuration value, key, preset or world; the message names the problem."""


@dataclass(frozen=True)
class WorldConfig:
    name: str = "foraging"
    """which world: ``foraging``, ``social``, ``cartpole`` (gymnax CartPole-v1), ``gymnax:ENV_ID``,
    ``jaxmarl:ENV_ID``, or one a plugin registers"""
    foraging: ForagingConfig = field(default_factory=ForagingConfig)
    """the foraging grid (also the social world's)"""
    social: SocialConfig = field(default_factory=SocialConfig)
    """the social world's bodies and characters"""


@dataclass(frozen=True)
class SteeringConfig:
    """The built-in drives' sections (each defined next to its factory in ``steering.drives``), the drives a
    plugin registered that this run adds, and the ablations."""

    detect: DetectConfig = field(default_factory=DetectConfig)
    homeostasis: HomeostasisConfig = field(default_factory=HomeostasisConfig)
    pain: PainConfig = field(default_factory=PainConfig)
    fear: FearConfig = field(default_factory=FearConfig)
    arousal: ArousalConfig = field(default_factory=ArousalConfig)
    arousal_valence: ArousalValenceConfig = field(default_factory=ArousalValenceConfig)
    env_reward: EnvRewardConfig = field(default_factory=EnvRewardConfig)
    social_attention: SocialAttentionConfig = field(default_factory=SocialAttentionConfig)
    familiarity: FamiliarityConfig = field(default_factory=FamiliarityConfig)
    friend_enemy: FriendEnemyConfig = field(default_factory=FriendEnemyConfig)
    empathy: EmpathyConfig = field(default_factory=EmpathyConfig)
    compassion_spite: CompassionSpiteConfig = field(default_factory=CompassionSpiteConfig)
    liked_admired: LikedAdmiredConfig = field(default_factory=LikedAdmiredConfig)
    feared: FearedConfig = field(default_factory=FearedConfig)
    mood: MoodConfig = field(default_factory=MoodConfig)
    drives: tuple[str, ...] = ()
    """registered drives (``agi.register_drive``) added after the world's own, in order"""
    ablations: tuple[str, ...] = ()
    """ablations applied in order, e.g. ``drop:pain``, ``gain:fear=0``, ``clamp:fear=0``, ``cut_gate:fear``,
    ``mode:fear=defer`` (see steering.ablation)"""
    knobs: tuple[str, ...] = ()
    """number settings of the drives (``steering.arousal.a_spider``, or a registered drive's ``NAME.field``) read
    at run time from the knob of that name instead of compiled in, so that variants differing only in them share
    one compiled program (``agi ablate`` sets this itself)"""

    def validate(self):
        from agi.registry import drive_spec

        for name in self.drives:
            try:
                drive_spec(name)
            except ValueError as e:
                raise ConfigError(f"steering.drives: {e}") from None


ALIASES = {
    **{f"world.{k}": f"world.foraging.{k}" for k in ("size", "view_radius", "n_food", "n_spiders", "n_decoys",
                                                      "critter_move_prob")},
    **{f"world.{k}": f"world.social.{k}" for k in ("n_agents", "characters", "n_toys", "give_from_step",
                                                    "character_hunger_rate")},
    **{f"steering.{old}": f"steering.{new}" for old, new in {
        "detect_radius": "detect.radius",
        "w_eat": "homeostasis.w_eat", "w_hunger": "homeostasis.w_hunger", "hunger_rate": "homeostasis.rate",
        "satiation": "homeostasis.satiation",
        "w_pain": "pain.w", "pain_decay": "pain.decay",
        "w_fear": "fear.w", "tau_safe": "fear.tau_safe", "safety_pull": "fear.safety_pull",
        "stranger_danger": "fear.stranger_danger",
        "a_spider": "arousal.a_spider", "a_bite": "arousal.a_bite", "a_defer": "arousal.a_defer",
        "arousal_decay": "arousal.decay", "a_orient": "arousal.a_orient", "a_eye": "arousal.a_eye",
        "a_size": "arousal.a_size",
        "kappa": "arousal_valence.kappa", "rho": "arousal_valence.rho", "theta_over": "arousal_valence.theta_over",
        "theta_pos": "arousal_valence.theta_pos",
        "w_env": "env_reward.w",
        "sa_period_view": "social_attention.period_view", "sa_period_eye": "social_attention.period_eye",
        "sa_theta": "social_attention.theta",
        "familiarity_rate": "familiarity.rate", "theta_familiar": "familiarity.theta",
        "fe_prior": "friend_enemy.prior", "fe_prior_friend": "friend_enemy.prior_kin",
        "fe_rate": "friend_enemy.rate", "fe_baseline_rate": "friend_enemy.baseline_rate",
        "empathy": "empathy.readout",
        "w_cs": "compassion_spite.w",
        "liked_admired": "liked_admired.mode", "w_la": "liked_admired.w", "la_adapt": "liked_admired.adapt",
        "w_feared": "feared.w", "theta_feared": "feared.theta", "feared_gate": "feared.gate",
        "mood_decay": "mood.decay", "mood_gain": "mood.gain",
    }.items()},
}  # fmt: skip
"""The flat spellings of before the sections were nested (``steering.w_fear``), kept as aliases of the nested
ones (``steering.fear.w``) in ``--set``, variants and stored ``config.json`` files."""

REMOVED = {"train.debug_nan_at": 0}
"""Fields that are gone, with the value that meant "off": a stored config holding that value still reads (a test
switch, now the test plugin ``tests/plugins/agi_poison.py``); any other value is refused by name."""


@dataclass(frozen=True)
class AgentConfig:
    hidden: int = 64
    """Thought Generator: GRU and encoder width"""
    latent: int = 64
    """Thought Generator: imagined-latent width (the latent block of φ)"""
    num_candidates: int = 4
    """thought selection: K fresh proposals per step, besides the current plan"""
    selection: str = "run_and_tumble"
    """thought selection mode: run_and_tumble, softmax, argmax, actor or random"""
    random_knob: bool = False
    """the policy is chosen at run time: uniformly random actions where the knob ``knob/random_policy`` is 1,
    ``selection`` where it is 0 (``agi ablate`` sets this to run a random-policy variant in one program with
    the others)"""
    threshold: float = 0.0
    """run-and-tumble: keep the plan while its valence >= situation valence + threshold (the social world's default
    preset: 0.5, registered; docs/results.md)"""
    beta: float = 5.0
    """run-and-tumble and softmax selection: inverse temperature of the valence comparison"""
    valence_offset: float = 0.0
    """added to every valence guess before selection (negative = the depression ablation, 002 §5.3); only
    run_and_tumble compares guesses with a reference, so softmax and argmax are unchanged by it"""
    intero_pathway: str = "recurrent"
    """where φ's interoceptive block comes from: ``recurrent`` (the imagined latent, memory included) or
    ``perceptual`` (the current percept only; the social preset's default, see learning.generator)"""
    intero_mask_prob: float = 0.2
    """probability of masking each interoceptive input channel (to learn to infer feelings from context; the
    social world's default preset: 0.8)"""
    intero_mask_whole: bool = False
    """mask the interoceptive input as a whole (an attentional gap, as the social attention reflex does) rather
    than channel by channel; the social preset's default"""
    intero_latent: int = 0
    """> 0: φ's interoceptive block is a learned latent of this width from which interoception is predicted,
    so concept finders must find what they read (0: the decoded prediction itself, a labelled baseline; the
    social preset uses 16)"""
    intero_mixing: bool = False
    """the Thought Generator receives interoception as a fixed random mixture of the body channels, not one
    labelled unit per channel (the social preset's default; DESIGN.md §3)"""
    intero_noise: float = 0.0
    """standard deviation of noise added to the (mixed) interoceptive input (the social preset uses 0.05)"""
    lr: float = 3e-4
    """Adam step size of the Thought Generator (world model + actor; the foraging and social worlds' default
    presets: 6e-4)"""
    lr_anneal: bool = False
    """anneal the generator's step size linearly to 0 over the run"""
    obs_norm: bool = False
    """normalise each agent's exteroceptive input by its running mean and variance (streaming RL's observation
    normalisation, Elsayed et al. 2024)"""
    reward_norm: bool = False
    """scale the valence head's reward by the running standard deviation of the discounted return (streaming RL's
    reward scaling); the logged reward stays unscaled"""
    reward_center: float = 0.0
    """> 0: subtract a running average of the reward (this rate; exact over the first 1/rate steps) from the
    valence head's reward, before any scaling (reward centering, Naik, Wan, Tomar & Sutton 2024): in a continuing
    world the values then need not carry the average's r̄/(1 − γ). Changes what is optimal where episodes end
    (CartPole's +1 per step would be worth nothing), so only for continuing worlds; 0 (off) by default"""
    encode_once: bool = False
    """encode each step's inputs once: the loss of a transition, learned one step later, reads the latent and
    percept the agent had and back-propagates into the encoder through the residuals that step's forward pass
    kept (its encoder gradient is then taken at the parameters the agent acted with, one update older).
    Measured 5-15% more of the social world's agent-steps/s, with the same CartPole and foraging results but a social
    empathy readout lower by 0.09-0.11 (r, two 8-seed runs): off by default. Off, the loss re-encodes the
    previous step at the current parameters (benchmarks/README.md). On, the residuals live in the run's state
    (checkpoints included, in the order JAX traces them) and are replicated, not split, across devices"""
    max_grad_norm: float = 1.0
    """global gradient-norm clip of the Thought Generator's update"""
    adam_b2: float = 0.999
    """Adam: decay of the second-moment estimate (a shorter memory, e.g. 0.99, tracks a changing gradient scale)"""
    adam_eps: float = 1e-8
    """Adam: the constant added to the second-moment root (larger damps steps on rarely-nonzero gradients)"""
    entropy_coef: float = 0.05
    """actor: entropy bonus"""
    actor_loss: str = "sampled"
    """actor: ``sampled`` (policy gradient on fresh proposals with the valence TD error as advantage) or
    ``expected`` (all-actions gradient on the valence head's per-plan guesses)"""
    actor_lam: float = 0.0
    """actor: λ of an eligibility trace on the proposal head's output layer (actor-critic(λ), decay γλ, reset
    at an episode's end; learning/actor.py); 0 = the one-step actor. Only with ``actor_loss=sampled``"""
    actor_kept: float = 0.0
    """actor (``actor_loss=sampled``): weight of the policy gradient on steps that kept the current plan, whose
    action was not drawn from π this step (a fresh proposal's weight is 1). 0 = only fresh proposals learn; 1 =
    the TD error reinforces whatever plan is running, kept or new (002 "run-and-tumble": positive valence says
    the path one is on is good)"""
    actor_coef: float = 1.0
    """actor: weight of the policy-gradient loss relative to the prediction loss"""
    value_grad_coef: float = 1.0
    """weight of the valence head's TD loss back-propagated into the generator's features. 0 = assessors send no
    gradient into the generator (DESIGN.md §4 step 7); the default 1 departs from that because CartPole did not
    learn without it (README "Results")"""
    feature_learning: str = "shared"
    """what shapes the features the Thought Assessors read: ``shared`` (the prediction, actor and valence losses
    all do) or ``prediction`` (only the prediction loss, DESIGN.md's "assessors are linear on features learned by
    prediction": the actor learns on a stopped copy of the recurrent state, and the valence loss trains only the
    valence head's own pathway, ``value_pathway``; with none, the valence head is TD(λ)-trained on those features
    alone). Measured: it learns slower and does not keep a frozen head's accuracy (benchmarks/README.md)"""
    anchor: float = 0.0
    """> 0: weight of the anchor loss that keeps a closed-gate head's meaning (issue 13): on a transition where a
    head's learning-rate gate is closed, its output on the thought is held to its output on the same thought
    under a slowly moving copy of the generator (``anchor_rate``), so the features it reads may change only in
    directions it does not see. 0 = off (the generator then carries no copy). Measured with ``10``: a head frozen
    mid-run keeps its held-out accuracy (benchmarks/README.md, "The anchor"), at 14-21% fewer agent-steps/s
    (medians of 4 interleaved pairs on a 2-core CPU)"""
    anchor_rate: float = 1e-3
    """the anchor copy's step toward the generator's parameters after each update (an exponential moving
    average: about ``1/anchor_rate`` updates of lag)"""
    value_pathway: int = 0
    """> 0: width of the valence head's own two-layer feature block, read by no other head and trained by the
    valence loss (with ``feature_learning=prediction``, without reshaping the shared features)"""
    layer_norm: bool = False
    """LayerNorm before the Thought Generator's encoder, actor and imagination nonlinearities (streaming deep RL's
    normalised layers, issue 13)"""
    sparse_init: float = 0.0
    """> 0: the Thought Generator's weight matrices start sparse, each unit reading a random ``1 − sparse_init``
    share of its inputs (streaming deep RL's sparse initialisation, Elsayed et al. 2024, who use 0.9); 0 = flax's
    default initialisers. Measured at half the default budget: foraging -0.157 (0.9) and -0.083 (0.5) against
    -0.049, social -0.301 (0.9) against -0.292 (benchmarks/README.md): off"""
    valence_reads: str = "all"
    """which features the valence head reads (``steering.Head.reads``): ``all``, or ``self``: φ_int withheld on
    thoughts formed as empathetic simulations, so a thought of someone is valued by what it predicts for oneself,
    not by the other's simulated feelings (001 §4.1: only the interoceptive concept finders carry the simulation)"""
    gamma: float = 0.95
    """valence head: discount γ"""
    lam: float = 0.8
    """valence head: trace decay λ"""
    alpha: float = 0.1
    """valence head: step size α, per unit of feature dimension (the update uses α / d)"""
    trace: str = "accumulating"
    """assessor eligibility traces: ``accumulating`` or ``dutch`` (true online TD(λ))"""
    assessor_stabilizer: str = "none"
    """assessor update stabiliser: ``none`` or ``obgd`` (the streaming-TD step-size bound, Elsayed et al. 2024)"""
    obgd_kappa: float = 2.0
    """ObGD: the bound's κ"""
    assessor_update: str = "auto"
    """how a brain's assessors combine the TD(λ) updates of the bodies it drives: ``shared`` (each body keeps
    traces only for the heads with λ > 0 and hands on its per-head coefficients α·g·δ; the brain forms one
    ``[H, d]`` increment from them by matrix products: ``learning.td_lambda_coefs``, ``shared_increment``),
    ``per_agent`` (each body forms its own ``[H, d]`` increment from full ``[H, d]`` traces and the brain averages
    them; dutch traces and ObGD need it) or ``auto`` (``shared`` where it applies, else ``per_agent``). The two
    give the same increment up to float rounding"""
    alpha_predictors: float = 0.05
    """short-term predictor heads (γ = 0): step size, per unit of feature dimension"""
    dtype: str = "float32"
    """computation dtype of the Thought Generator (float32 or bfloat16); parameters and assessors stay float32"""
    learn: bool = True
    """whether any weight is updated (False for baselines)"""

    def validate(self):
        from learning import MODES

        expect(self.selection in MODES, "agent.selection", self.selection, f"one of {MODES}")
        expect(
            self.actor_loss in ("sampled", "expected"),
            "agent.actor_loss",
            self.actor_loss,
            "sampled or expected",
        )
        expect(self.intero_pathway in ("recurrent", "perceptual"), "agent.intero_pathway", self.intero_pathway,
               "recurrent or perceptual")  # fmt: skip
        expect(self.trace in ("accumulating", "dutch"), "agent.trace", self.trace, "accumulating or dutch")
        expect(self.assessor_stabilizer in ("none", "obgd"), "agent.assessor_stabilizer", self.assessor_stabilizer,
               "none or obgd")  # fmt: skip
        expect(self.assessor_update in ("auto", "shared", "per_agent"), "agent.assessor_update", self.assessor_update,
               "auto, shared or per_agent")  # fmt: skip
        expect(self.assessor_update != "shared" or (self.trace, self.assessor_stabilizer) == ("accumulating", "none"),
               "agent.assessor_update", self.assessor_update,
               "per_agent or auto with agent.trace=dutch or agent.assessor_stabilizer=obgd (they read every head's "
               "trace per body)")  # fmt: skip
        expect(self.hidden >= 1 and self.latent >= 1, "agent.hidden/latent", self.hidden, ">= 1")
        expect(self.feature_learning in ("shared", "prediction"), "agent.feature_learning", self.feature_learning,
               "shared or prediction")  # fmt: skip
        expect(self.value_pathway >= 0, "agent.value_pathway", self.value_pathway, ">= 0")
        expect(self.valence_reads in ("all", "self"), "agent.valence_reads", self.valence_reads, "all or self")
        expect(self.num_candidates >= 1, "agent.num_candidates", self.num_candidates, ">= 1")
        expect(0 <= self.gamma <= 1, "agent.gamma", self.gamma, "in [0, 1]")
        expect(0 <= self.lam <= 1, "agent.lam", self.lam, "in [0, 1]")
        expect(0 <= self.actor_lam <= 1, "agent.actor_lam", self.actor_lam, "in [0, 1]")
        expect(self.actor_lam == 0 or self.actor_loss == "sampled", "agent.actor_lam", self.actor_lam,
               "0 unless agent.actor_loss=sampled (the expected loss has no sampled action to trace)")  # fmt: skip
        expect(0 <= self.intero_mask_prob <= 1, "agent.intero_mask_prob", self.intero_mask_prob, "in [0, 1]")
        expect(0 <= self.sparse_init < 1, "agent.sparse_init", self.sparse_init, "in [0, 1)")
        expect(self.intero_latent >= 0, "agent.intero_latent", self.intero_latent, ">= 0")
        expect(self.intero_noise >= 0, "agent.intero_noise", self.intero_noise, ">= 0")
        expect(0 <= self.reward_center <= 1, "agent.reward_center", self.reward_center, "in [0, 1]")
        expect(0 <= self.adam_b2 < 1, "agent.adam_b2", self.adam_b2, "in [0, 1)")
        for k in ("lr", "alpha", "alpha_predictors", "max_grad_norm", "obgd_kappa", "adam_eps"):
            expect(getattr(self, k) > 0, f"agent.{k}", getattr(self, k), "> 0")
        expect(0 < self.anchor_rate <= 1, "agent.anchor_rate", self.anchor_rate, "in (0, 1]")
        expect(0 <= self.actor_kept <= 1, "agent.actor_kept", self.actor_kept, "in [0, 1]")
        expect(self.actor_kept == 0 or (self.actor_loss == "sampled" and self.actor_lam == 0), "agent.actor_kept",
               self.actor_kept, "0 unless agent.actor_loss=sampled and agent.actor_lam=0 (the expected loss has no "
               "sampled action, and the actor trace follows fresh proposals only)")  # fmt: skip
        for k in ("beta", "entropy_coef", "actor_coef", "value_grad_coef", "anchor"):
            expect(getattr(self, k) >= 0, f"agent.{k}", getattr(self, k), ">= 0")
        expect(math.isfinite(self.valence_offset), "agent.valence_offset", self.valence_offset, "finite")
        expect(self.dtype in ("float32", "bfloat16"), "agent.dtype", self.dtype, "float32 or bfloat16")


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 20_000
    """environment steps per agent"""
    num_envs: int = 16
    """parallel environments per seed; their agents share one brain (gradients averaged)"""
    num_seeds: int = 4
    """independent seeds, vmapped; each seed is an independent brain"""
    chunks: int = 20
    """the run is split into this many compiled chunks (progress bar, metrics line, checkpoints between)"""
    seed: int = 0
    """master PRNG seed"""

    def validate(self):
        for k in ("steps", "num_envs", "num_seeds", "chunks"):
            expect(getattr(self, k) >= 1, f"train.{k}", getattr(self, k), ">= 1")
        expect(
            self.steps % self.chunks == 0,
            "train.steps",
            self.steps,
            f"a multiple of train.chunks={self.chunks}",
        )


def _registered_sections() -> dict:
    from agi.registry import sections

    return {name: cls() for name, cls in sections().items()}


@dataclass(frozen=True)
class RunConfig:
    world: WorldConfig = field(default_factory=WorldConfig)
    steering: SteeringConfig = field(default_factory=SteeringConfig)
    agent: AgentConfig = field(default_factory=AgentConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    plugins: tuple[str, ...] = ()
    """modules imported before the config is read (``--plugin``); they register worlds and drives"""
    sections: dict = field(default_factory=dict)
    """config sections of registered worlds and drives, by name, where they differ from the defaults or were
    stored (``--set NAME.field=value``); ``parts()`` fills in the rest"""

    def validate(self, spec=None) -> RunConfig:
        """Checks every section, then the world's own checks (``spec``: the world's ``WorldSpec``, by default
        the registered ``world.name``). Raises ``ConfigError``; returns ``self``."""
        from agi.registry import world_spec

        if spec is None:
            try:
                spec = world_spec(self.world.name)
            except ValueError as e:
                raise ConfigError(f"world.name: {e}") from None
        for name, part in self.parts().items():
            _validate(part, name)
        if spec.check is not None:
            spec.check(self)
        return self

    def knob_keys(self) -> tuple[str, ...]:
        """``steering.knobs`` as full config keys (aliases resolved), each checked to be a number setting of a
        drive: a float field of a ``steering`` section or of the section of a drive in this run (``steering.drives``
        or one the world builds in, ``drives_in_run``)."""
        keys = []
        for text in self.steering.knobs:
            key = ALIASES.get(text, text)
            section, _, rest = key.partition(".")
            if section != "steering" and section not in self.steering.drives and section not in self.drives_in_run():
                drives = list(self.steering.drives)
                raise ConfigError(f"steering.knobs: {text!r} is not a drive's setting (steering.SECTION.FIELD, "
                                  f"or NAME.FIELD of a drive in steering.drives={drives})")  # fmt: skip
            part, *path = [self.parts().get(section), *rest.split(".")]
            for name in path:
                hints = typing.get_type_hints(type(part)) if dataclasses.is_dataclass(part) else {}
                if name not in hints:
                    raise ConfigError(f"steering.knobs: unknown config key {key!r}")
                typ, part = hints[name], getattr(part, name)
            if typ is not float:
                raise ConfigError(f"steering.knobs: {key!r} is a {getattr(typ, '__name__', typ)} setting; only "
                                  "float settings can be run-time knobs")  # fmt: skip
            keys.append(key)
        return tuple(keys)

    def value(self, key: str):
        """The setting at a full config key (``steering.arousal.a_spider``, ``NAME.field`` of a registered
        section)."""
        section, *path = key.split(".")
        part = self.parts()[section]
        for name in path:
            part = getattr(part, name)
        return part

    def with_values(self, values: dict) -> RunConfig:
        """This config with the settings ``{key: value}`` replaced as they are (no parsing or checks: a value may
        be a traced array, which is how ``steering.knobs`` reach the drives)."""
        cfg = self
        for key, value in values.items():
            section, _, rest = key.partition(".")
            part = _put(cfg.parts()[section], rest.split("."), value)
            cfg = (dataclasses.replace(cfg, **{section: part}) if section in BUILTIN
                   else dataclasses.replace(cfg, sections={**cfg.sections, section: part}))  # fmt: skip
        return cfg

    def parts(self) -> dict:
        """Every config section by name: the built-in ones, then the registered worlds' and drives'."""
        return {**{k: getattr(self, k) for k in BUILTIN}, **_registered_sections(), **self.sections}

    def section(self, name: str):
        """The config section ``name`` of a registered world or drive (its defaults if the run has none)."""
        return self.parts().get(name) if name not in BUILTIN else None

    def drives_in_run(self) -> list[str]:
        """The names of the drives this run's Steering Subsystem is built from, before its ablations: the world's
        own (``WorldSpec.steering``; ``env_reward`` for a world that declares none), then ``steering.drives``.
        Where the world's own cannot be built (an unknown world, a plugin's factory that fails on these settings),
        only ``steering.drives``: building the agent reports that error."""
        from agi.registry import world_spec

        try:
            own = [d.name for d in world_spec(self.world.name).own_steering(self)[0]]
        except Exception:  # noqa: BLE001 - a user's factory may fail in any way; make_agent names it
            own = []
        return [*own, *self.steering.drives]

    def used_sections(self) -> dict:
        """The sections this run reads: its world's and its drives' (the world's own and the added ones, defaults
        filled in), and any set. A world's own drive reads its section through ``cfg.section(name)``; storing
        it (where the Drive's name is the section's) keeps a run reproducible when the plugin's defaults change."""
        parts = self.parts()
        names = [self.world.name.partition(":")[0], *self.drives_in_run(), *self.sections]
        return {n: parts[n] for n in dict.fromkeys(names) if n in parts and n not in BUILTIN}

    def to_dict(self) -> dict:
        """Plain JSON-able data (``config.json``): the built-in sections, the plugins, and the sections of the
        registered worlds and drives this run uses."""
        d = {k: dataclasses.asdict(getattr(self, k)) for k in BUILTIN}
        d["plugins"] = list(self.plugins)
        d["sections"] = {k: dataclasses.asdict(v) for k, v in self.used_sections().items()}
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


INT_MAX = 2**31 - 1  # every integer field ends up in an int32 array or shape


BUILTIN = ("world", "steering", "agent", "train")
"""The run config's own sections; registered worlds and drives add theirs (``RunConfig.sections``)."""


def _check_numbers(part, section: str) -> None:
    """Every number of a config section is finite and fits the int32 it becomes (a NaN, an infinity or a huge
    integer otherwise fails only after compiling, or overflows)."""
    for f in dataclasses.fields(part):
        v = getattr(part, f.name)
        key = f"{section}.{f.name}"
        if isinstance(v, float):
            expect(math.isfinite(v), key, v, "a finite number")
        elif isinstance(v, int) and not isinstance(v, bool):
            expect(abs(v) <= INT_MAX, key, v, f"at most {INT_MAX:,} in absolute value")


def _validate(part, key: str) -> None:
    """Checks a section and the sections nested in it (``steering.fear``); a section's ``validate`` may name
    only its own field (a ``ValueError``, e.g. from ``steering.drive.expect``), which becomes a ``ConfigError``
    naming the whole key."""
    _check_numbers(part, key)
    for f in dataclasses.fields(part):
        if dataclasses.is_dataclass(getattr(part, f.name)):
            _validate(getattr(part, f.name), f"{key}.{f.name}")
    if hasattr(part, "validate"):
        try:
            part.validate()
        except ConfigError:
            raise
        except ValueError as e:  # a section's own check names its field; the key names the section
            raise ConfigError(f"{key}.{e}") from None


def field_docs() -> list[tuple[str, str, object, str]]:
    """``(section.field, type, default, docstring)`` for every config field, nested sections' (``steering.fear.w``)
    and the registered worlds' and drives' sections included, from the dataclasses' attribute docstrings (for
    ``--help``)."""
    classes = {f: type(getattr(RunConfig(), f)) for f in BUILTIN}
    classes.update({name: type(part) for name, part in _registered_sections().items()})
    rows = []

    def add(prefix, cls):
        docs = _attribute_docs(cls)
        hints = typing.get_type_hints(cls)
        for g in dataclasses.fields(cls):
            if dataclasses.is_dataclass(hints[g.name]):
                add(f"{prefix}.{g.name}", hints[g.name])
                continue
            typ = getattr(hints[g.name], "__name__", str(hints[g.name]))
            rows.append((f"{prefix}.{g.name}", typ, getattr(cls(), g.name), docs.get(g.name, "")))

    for name, cls in classes.items():
        add(name, cls)
    return rows


def _attribute_docs(cls) -> dict[str, str]:
    import ast
    import inspect

    try:
        body = ast.parse(inspect.getsource(cls)).body[0].body
    except (OSError, TypeError, SyntaxError):  # a class without source (built at run time)
        return {}
    docs = {}
    for a, b in zip(body, body[1:], strict=False):
        if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant):
            docs[a.target.id] = " ".join(str(b.value.value).split())
    return docs


def expect(ok, key, value, expected):
    """Raises ``ConfigError`` naming ``key=value`` and what was ``expected`` unless ``ok`` (for worlds' checks too)."""
    if not ok:
        raise ConfigError(f"{key}={value!r} is out of range: expected {expected}")


def replace(cfg, **parts):
    return dataclasses.replace(cfg, **parts)


def _preset_tiny(world: str) -> RunConfig:
    agent = AgentConfig(hidden=16, latent=16, num_candidates=2)
    train = TrainConfig(steps=200, num_envs=2, num_seeds=2, chunks=2)
    grid = ForagingConfig(size=5, view_radius=1)
    return RunConfig(WorldConfig(name=world, foraging=grid), SteeringConfig(), agent, train)


def _preset_default(world: str) -> RunConfig:
    return RunConfig(WorldConfig(name=world), SteeringConfig(), AgentConfig(), TrainConfig())


def _preset_large(world: str) -> RunConfig:
    base = _preset_default(world)
    agent = dataclasses.replace(base.agent, hidden=256, latent=256, num_candidates=8)
    train = dataclasses.replace(base.train, steps=base.train.steps * 10, num_envs=256, chunks=100)
    return dataclasses.replace(base, agent=agent, train=train)


PRESETS = {"tiny": _preset_tiny, "default": _preset_default, "large": _preset_large}


def preset(name: str, world: str = "foraging", plugins=()) -> RunConfig:
    """The named preset for ``world``: the generic one, adjusted by the world's own ``preset`` hook
    (``agi.registry.WorldSpec``). ``plugins`` are imported first and recorded in the config."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose from {sorted(PRESETS)}")
    from agi.registry import RegistryError, load_plugins, world_spec

    try:
        load_plugins(plugins)
        spec = world_spec(world)
    except (ValueError, RegistryError) as e:
        raise ConfigError(str(e)) from None
    cfg = dataclasses.replace(PRESETS[name](world), plugins=tuple(plugins))
    return spec.preset(name, cfg) if spec.preset is not None else cfg


def _parse(key: str, text: str, typ):
    origin = typing.get_origin(typ)
    try:
        if typ is bool:
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if typ is int:
            return int(text)
        if typ is float:
            return float(text)
        if typ is str:
            return text
        if origin is tuple:
            return tuple(s for s in text.split(",") if s)
        if origin in (types.UnionType, typing.Union):
            return text
    except ValueError:
        pass
    raise ConfigError(f"{key}={text!r}: expected a value of type {getattr(typ, '__name__', typ)}")


def override(cfg: RunConfig, assignments) -> RunConfig:
    """Applies ``section.field=value`` strings (``section.sub.field=value`` in nested sections; the flat
    spellings of ``ALIASES`` too), with type checking and a clear error for unknown keys. Sections are the
    built-in ones and those of registered worlds and drives (``beacon.speed=0.5``)."""
    for item in assignments:
        key, eq, text = item.partition("=")
        if not eq:
            raise ConfigError(f"--set {item!r}: expected key=value")
        key = ALIASES.get(key, key)
        section, dot, rest = key.partition(".")
        parts = cfg.parts()
        if not dot or section not in parts:
            raise ConfigError(f"unknown config key {key!r}; keys look like agent.lr, train.steps, steering.fear.w "
                              f"(sections: {sorted(parts)})")  # fmt: skip
        part = _assign(parts[section], section, rest.split("."), text, key)
        if section in BUILTIN:
            cfg = dataclasses.replace(cfg, **{section: part})
        else:
            cfg = dataclasses.replace(cfg, sections={**cfg.sections, section: part})
    return cfg


def _put(part, path: list[str], value):
    """``part`` with the field at ``path`` (through nested sections) set to ``value``."""
    name = path[0]
    value = _put(getattr(part, name), path[1:], value) if len(path) > 1 else value
    return dataclasses.replace(part, **{name: value})


def _assign(part, where: str, path: list[str], text: str, key: str):
    """``part`` with the field at ``path`` (through nested sections) parsed from ``text``."""
    hints = typing.get_type_hints(type(part))
    name = path[0]
    if name not in hints:
        raise ConfigError(f"unknown config key {key!r}; {where} has {sorted(hints)}")
    if dataclasses.is_dataclass(hints[name]):
        if len(path) == 1:
            fields = sorted(typing.get_type_hints(hints[name]))
            raise ConfigError(f"{key!r} is a section; set one of its fields: {fields}")
        value = _assign(getattr(part, name), f"{where}.{name}", path[1:], text, key)
    elif len(path) > 1:
        raise ConfigError(f"unknown config key {key!r}; {where}.{name} is a field, not a section")
    else:
        value = _parse(key, text, hints[name])
    return dataclasses.replace(part, **{name: value})


def from_dict(d: dict) -> RunConfig:
    """The ``RunConfig`` stored by ``to_dict``/``to_json`` (e.g. a run's ``config.json``), validated. Its
    ``plugins`` are imported first, so that the sections of the worlds and drives they register are known."""
    top = (*BUILTIN, "plugins", "sections")
    if not isinstance(d, dict):
        raise ConfigError(f"a config is a JSON object of sections {list(top)}, not a {type(d).__name__}")
    unknown = set(d) - set(top)
    if unknown:
        raise ConfigError(f"unknown config sections {sorted(unknown)}")
    plugins = _typed("plugins", d.get("plugins", []), tuple[str, ...])
    from agi.registry import RegistryError, load_plugins

    try:
        load_plugins(plugins)
    except RegistryError as e:
        raise ConfigError(str(e)) from None
    registered = _registered_sections()
    stored = d.get("sections", {})
    if not isinstance(stored, dict):
        raise ConfigError(f"config section 'sections' must be a JSON object, not a {type(stored).__name__}")
    unknown = set(stored) - set(registered)
    if unknown:
        raise ConfigError(f"config sections {sorted(unknown)} belong to no registered world or drive "
                          f"(plugins: {list(plugins)})")  # fmt: skip
    parts = {}
    for name in (*BUILTIN, *stored):
        cls = type(getattr(RunConfig(), name)) if name in BUILTIN else type(registered[name])
        parts[name] = _build(cls, d.get(name, {}) if name in BUILTIN else stored.get(name, {}), name)
    sections = {k: parts.pop(k) for k in stored}
    return RunConfig(**parts, plugins=plugins, sections=sections).validate()


def _build(cls, sub, where: str):
    """The section ``cls`` from its stored JSON object (nested sections recursively; the flat spellings of
    ``ALIASES`` moved to their nested places), or ``ConfigError`` naming the bad key."""
    if not isinstance(sub, dict):
        raise ConfigError(f"config section {where!r} must be a JSON object, not a {type(sub).__name__}")
    sub = dict(sub)
    for k in [k for k in sub if f"{where}.{k}" in REMOVED]:
        if sub[k] != REMOVED[f"{where}.{k}"]:
            raise ConfigError(f"{where}.{k}={sub[k]!r}: this field was removed (a test switch; tests now use a plugin)")
        del sub[k]
    flat = {k: sub.pop(k) for k in list(sub) if f"{where}.{k}" in ALIASES and not isinstance(sub[k], dict)}
    for k, value in flat.items():  # popped first: an old field may share its name with a new section
        *path, last = ALIASES[f"{where}.{k}"][len(where) + 1:].split(".")
        node = sub
        for p in path:
            node = node.setdefault(p, {})
        node[last] = value
    hints = typing.get_type_hints(cls)
    unknown = set(sub) - set(hints)
    if unknown:
        raise ConfigError(f"unknown config keys {sorted(f'{where}.{k}' for k in unknown)}")
    return cls(**{k: _build(hints[k], v, f"{where}.{k}") if dataclasses.is_dataclass(hints[k])
                  else _typed(f"{where}.{k}", v, hints[k]) for k, v in sub.items()})  # fmt: skip


def normalised(d) -> dict | None:
    """A stored config dict as this version writes it (aliases moved to their sections, defaults of fields
    added since filled in), or None if it is not a config: what ``same_program`` compares."""
    try:
        return from_dict(d).to_dict()
    except (ConfigError, TypeError, KeyError, AttributeError):
        return None


def _typed(key: str, v, typ):
    """``v`` (from JSON) as a value of ``typ``, or ``ConfigError`` naming ``key``."""
    origin = typing.get_origin(typ)
    ok = {
        bool: isinstance(v, bool),
        int: isinstance(v, int) and not isinstance(v, bool),
        float: isinstance(v, int | float) and not isinstance(v, bool),
        str: isinstance(v, str),
    }.get(typ)
    if origin is tuple:
        ok = isinstance(v, list | tuple) and all(isinstance(x, str) for x in v)
        v = tuple(v) if ok else v
    elif origin in (types.UnionType, typing.Union):
        ok = v is None or any(isinstance(v, a) for a in typing.get_args(typ) if isinstance(a, type))
    if ok is False:
        raise ConfigError(f"{key}={v!r}: expected a value of type {getattr(typ, '__name__', typ)}")
    return float(v) if typ is float else v


def load_config(path, what: str) -> RunConfig:
    """The validated ``RunConfig`` in the JSON file ``path`` (a run's ``config.json``); ``ConfigError`` names
    ``what`` asked for it (``--config``, ``--resume DIR``, ``--run DIR``) and what is wrong."""
    from pathlib import Path

    path = Path(path)
    try:
        return from_dict(json.loads(path.read_text()))
    except FileNotFoundError:
        raise ConfigError(f"{what}: no {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ConfigError(f"{what}: {path} is unreadable ({e})") from None
    except ConfigError as e:
        raise ConfigError(f"{what}: {path}: {e}") from None
