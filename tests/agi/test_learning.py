"""Learning tests: a measured improvement over the random-policy baseline, with a margin, on fixed seeds.

The fast one runs in the default suite; the preset-sized ones (the README's results) are marked ``slow``
and run with ``make test-slow``.
"""

import numpy as np
import pytest

from agi import override, preset, train_and_evaluate


def _small_foraging():
    return override(
        preset("default", "foraging"),
        ["train.steps=10000", "train.num_envs=16", "train.num_seeds=2", "train.chunks=10",
         "agent.hidden=32", "agent.latent=32"],
    )  # fmt: skip


def test_foraging_learns_over_random(tmp_path):
    s = train_and_evaluate(_small_foraging(), tmp_path, progress=False)
    margin = 0.05  # reward per agent-step; random sits near -0.28 here
    assert s["reward_per_step_last"] > s["random_policy_reward_per_step"] + margin, s
    assert s["reward_per_step_last"] > s["reward_per_step_first"] + margin, s
    # every seed, not just the mean
    assert min(s["reward_per_step_last_by_seed"]["per_seed"]) > s["random_policy_reward_per_step"], s
    first, last = (np.asarray(s[f"reward_per_step_{w}_by_seed"]["per_seed"]) for w in ("first", "last"))
    assert np.all(last > first), s


@pytest.mark.slow
def test_default_foraging_beats_random_by_a_clear_margin(tmp_path):
    s = train_and_evaluate(preset("default", "foraging"), tmp_path, progress=False)
    assert s["reward_per_step_last"] > s["random_policy_reward_per_step"] + 0.1, s
    assert s["reward_per_step_last"] > s["reward_per_step_first"] + 0.1, s


def test_default_cartpole_learns_far_beyond_random_within_half_a_million_env_steps(tmp_path):
    """The default CartPole run is 0.5M env-steps per seed (issue 13); a random policy scores about 22.

    The margins hold across machines: a CPU with other vector widths sums floats in another order, and the
    chaotic run then ends elsewhere (seeds 0-3 end at 494 on the developers' machine, at 422 on CI's). How
    near the run comes to solving the task is the slow test below, over 8 seeds.
    """
    s = train_and_evaluate(preset("default", "cartpole"), tmp_path, progress=False, baseline=False)
    assert s["steps"] * s["num_envs"] <= 500_000
    assert s["episode_return_last"] >= 300, s
    assert min(s["episode_return_last_by_seed"]["per_seed"]) >= 100, s


@pytest.mark.slow
def test_default_cartpole_nearly_solves_over_eight_seeds(tmp_path):
    """Issue 13's target is 475 within 0.5M env-steps per seed; 8 seeds, mean at least 450."""
    cfg = override(preset("default", "cartpole"), ["train.num_seeds=8"])
    s = train_and_evaluate(cfg, tmp_path, progress=False, baseline=False)
    assert s["steps"] * s["num_envs"] <= 500_000
    assert s["episode_return_last"] >= 450, s
