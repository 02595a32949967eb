"""agi.metrics: real shapes, declared reductions, and derived metrics against slow obvious references."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi.metrics import AGENT, Correlation, Declared, Ratio, Window, chunk_row, first_non_finite, moments

RNG = np.random.default_rng(0)


def _chunk(seeds=3, steps=10, n=2, m=4):
    return {
        "reward": RNG.normal(size=(seeds, steps, n)).astype(np.float32),
        "episodes": RNG.integers(0, 2, size=(seeds, steps, n)).astype(np.float32),
        "episode_return_sum": RNG.normal(size=(seeds, steps, n)).astype(np.float32),
        "pair/num": RNG.normal(size=(seeds, steps, n, m)).astype(np.float32),
        "pair/den": RNG.integers(0, 2, size=(seeds, steps, n, m)).astype(np.float32),
    }


DECLARED = AGENT | Declared(derived={"pair": Ratio("pair/num", "pair/den")})


def test_over_copies_sums_counts_and_averages_the_rest_under_jit():
    e, n = 5, 3
    x = jnp.arange(e * n, dtype=jnp.float32).reshape(e, n)
    out = jax.jit(AGENT.over_copies)({"episodes": x, "reward": x, "pair": jnp.ones((e, n, 4))})
    chex.assert_shape([out["episodes"], out["reward"]], (n,))
    chex.assert_shape(out["pair"], (n, 4))
    np.testing.assert_allclose(out["episodes"], [sum(float(x[i, j]) for i in range(e)) for j in range(n)])
    np.testing.assert_allclose(out["reward"], [sum(float(x[i, j]) for i in range(e)) / e for j in range(n)])


def test_a_window_averages_over_its_steps_only_and_keeps_shapes():
    a, b = _chunk(), _chunk()
    w = Window(5, 15, DECLARED)
    w.add(0, a)
    w.add(10, b)
    both = {k: np.concatenate([a[k], b[k]], axis=1)[:, 5:15] for k in a}
    for k, v in both.items():
        ref = np.array([[np.mean(v[s, :, j]) for j in range(v.shape[2])] for s in range(3)]) if v.ndim == 3 else None
        if ref is not None:
            np.testing.assert_allclose(w.mean(k), ref, rtol=1e-5)
        chex.assert_shape(w.mean(k), (3, *v.shape[2:]))
        np.testing.assert_allclose(w.per_seed(k), v.reshape(3, -1).mean(axis=1), rtol=1e-5)
    # derived: element-wise ratio of window means; per seed pooled over bodies
    num, den = both["pair/num"].mean(axis=1), both["pair/den"].mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        np.testing.assert_allclose(w.mean("pair"), np.where(den != 0, num / den, np.nan), rtol=1e-5)
    np.testing.assert_allclose(w.per_seed("pair"), num.reshape(3, -1).mean(1) / den.reshape(3, -1).mean(1),
                               rtol=1e-5)  # fmt: skip
    ep, ret = both["episodes"].reshape(3, -1).sum(1), both["episode_return_sum"].reshape(3, -1).sum(1)
    np.testing.assert_allclose(w.per_seed("episode_return"), np.where(ep > 0, ret / np.maximum(ep, 1), np.nan),
                               rtol=1e-5)  # fmt: skip
    assert "pair" in w and "episode_return" in w and "nothing" not in w
    with pytest.raises(KeyError):
        w.mean("nothing")
    again = Window(0, 0, DECLARED).load(w.to_json())
    np.testing.assert_allclose(again.mean("pair"), w.mean("pair"), rtol=1e-6)
    np.testing.assert_allclose(w.select([2, 0]).mean("reward"), w.mean("reward")[[2, 0]])


def test_a_correlation_is_pearsons_r_over_the_weighted_steps():
    steps = 400
    x = RNG.normal(size=(2, steps)).astype(np.float32)
    y = (0.6 * x + RNG.normal(size=(2, steps))).astype(np.float32)
    wgt = (RNG.random((2, steps)) < 0.5).astype(np.float32)
    per_step = jax.vmap(jax.vmap(lambda a, b, c: moments("r", a, b, c)))(x, y, wgt)
    w = Window(0, steps, Declared(derived={"r": Correlation("r")}))
    w.add(0, {k: np.asarray(v) for k, v in per_step.items()})
    ref = [np.corrcoef(x[s][wgt[s] > 0], y[s][wgt[s] > 0])[0, 1] for s in range(2)]
    np.testing.assert_allclose(w.mean("r"), ref, rtol=1e-3)


def test_a_chunk_row_has_scalars_per_seed_values_and_per_body_shapes():
    c = _chunk()
    row = chunk_row(10, c, DECLARED)
    assert row["step"] == 10
    assert "episodes" not in row and "pair/num" not in row  # the inputs of ratios are left out
    assert row["reward"] == pytest.approx(float(c["reward"].mean()), rel=1e-5)
    assert len(row["per_seed"]["reward"]) == 3 and np.shape(row["per_body"]["reward"]) == (3, 2)
    assert np.shape(row["per_body"]["pair"]) == (3, 2, 4)
    pooled = c["episode_return_sum"].sum() / c["episodes"].sum()
    assert row["episode_return"] == pytest.approx(float(pooled), rel=1e-5)


def test_first_non_finite_names_the_earliest_step_over_every_axis():
    c = _chunk()
    c["pair/num"][1, 6, 1, 3] = np.nan
    c["reward"][0, 8, 0] = np.inf
    c["pair/num"][2, 6, 0, 0] = np.inf
    assert first_non_finite(110, c) == (107, "pair/num", [1, 2])  # the step, the metric, the seeds
    assert first_non_finite(110, _chunk()) is None


def test_a_metric_new_to_a_resumed_window_stays_out_of_it():
    """A window restored from a checkpoint of a version that did not measure a metric cannot average it."""
    saved = Window(0, 20)
    saved.add(0, {k: v for k, v in _chunk().items() if k != "pair/num"})
    w = Window(0, 20).load(saved.to_json())
    w.add(10, _chunk())
    assert "pair/num" not in w.sums and w.count == 20
    fresh = Window(0, 20)
    fresh.add(0, _chunk())
    assert "pair/num" in fresh.sums
