"""gymnax environments as one-body worlds: ``gymnax:ENV_ID`` (any environment with discrete actions) and
``cartpole`` (``gymnax:CartPole-v1``, with a drawing). Steered by the environment's reward alone
(``env_reward``), unless a run adds drives.

References: DESIGN.md §7 (gymnax's own environments run unchanged with a one-drive Steering Subsystem).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from agi.worlds.base import from_gymnax


def check_name(name: str) -> None:
    import gymnax

    env_id = name.partition(":")[2]
    if env_id not in gymnax.registered_envs:
        raise ValueError(f"unknown world {name!r}: gymnax has no {env_id!r}; it has {gymnax.registered_envs}")


def make_env(name: str, env_id: str):
    import gymnax

    try:
        env, params = gymnax.make(env_id)
    except OSError as e:  # e.g. MNISTBandit-bsuite downloads MNIST when made
        raise ValueError(f"world {name!r}: gymnax could not make {env_id} ({type(e).__name__}: {e}); it may need "
                         f"to download data, which needs a network connection") from None  # fmt: skip
    if not hasattr(env.action_space(params), "n"):
        raise ValueError(f"world {name!r}: {env_id} has continuous actions; the agent chooses among discrete ones")
    return from_gymnax(name, env, params, episodic=True)


def make(cfg):
    return make_env(cfg.world.name, cfg.world.name.partition(":")[2])


BUDGET_STEPS = 7_800
"""The default run: 7,800 steps x 64 environments = 0.5M env-steps per seed (PPO's budget for CartPole)."""


def preset(name: str, cfg, alpha: float = 0.1, beta: float = 5.0):
    """A longer horizon, more agents per brain and an annealed step size (README "Results"), over 0.5M env-steps
    per seed. ``alpha`` (the valence head's step size) and ``beta`` (run-and-tumble's sharpness) as measured for
    Acrobot-v1 (−95.1 ± 2.1 and −95.1 ± 2.2 on two sets of 8 seeds); ``cartpole`` sharpens them
    (``cartpole_preset``)."""
    if name == "tiny":
        return cfg
    from agi.config import TrainConfig

    agent = dataclasses.replace(cfg.agent, gamma=0.99, lam=0.9, entropy_coef=0.01, lr_anneal=True,
                                intero_mask_prob=0.0, alpha=alpha, beta=beta)  # fmt: skip
    train = TrainConfig(steps=BUDGET_STEPS, num_envs=64)
    if name == "large":
        train = dataclasses.replace(train, steps=BUDGET_STEPS * 10, num_envs=256, chunks=100)
    steering = dataclasses.replace(cfg.steering, env_reward=dataclasses.replace(cfg.steering.env_reward, w=0.1))
    return dataclasses.replace(cfg, agent=agent, train=train, steering=steering)


def cartpole_preset(name: str, cfg):
    """The gymnax preset with a faster valence head and a sharper comparison of plans (issue 13: CartPole
    484.2 ± 9.6 and 483.1 ± 14.9 at 0.5M env-steps per seed on two sets of 8 seeds, against 460.5 ± 12.2 and
    455.6 ± 9.6 with the gymnax family's settings; on Acrobot they gave −101.9 ± 28.6 and −92.0 ± 1.7)."""
    return preset(name, cfg, alpha=0.2, beta=20.0)


def draw_cartpole(state, cfg, ax) -> None:
    """The track (x in [-2.4, 2.4], where the episode ends), the cart at x and the pole at angle theta."""
    from matplotlib.patches import Rectangle

    del cfg
    s = state.env
    x, theta = float(np.asarray(s.x)), float(np.asarray(s.theta))
    ax.plot([-2.4, 2.4], [0, 0], color="grey", lw=2)
    for edge in (-2.4, 2.4):
        ax.plot([edge, edge], [-0.1, 0.1], color="tab:red", lw=2)
    ax.add_patch(Rectangle((x - 0.25, 0), 0.5, 0.25, color="tab:blue"))
    top = (x, 0.25)
    ax.plot([top[0], top[0] + np.sin(theta)], [top[1], top[1] + np.cos(theta)], color="#8b5a2b", lw=5,
            solid_capstyle="round")  # fmt: skip
    ax.set(xlim=(-2.6, 2.6), ylim=(-0.4, 1.5), yticks=[], aspect="equal", xlabel="cart position")


GYMNAX = dict(make=make, preset=preset, check_name=check_name,
              description="any gymnax environment with discrete actions, e.g. gymnax:Acrobot-v1")  # fmt: skip
CARTPOLE = dict(make=lambda cfg: make_env(cfg.world.name, "CartPole-v1"), preset=cartpole_preset,
                draw=draw_cartpole, description="gymnax CartPole-v1 (its own preset: issue 13)")  # fmt: skip
