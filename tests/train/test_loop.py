"""The generic loop: chunked runs equal one scan; metrics arrive per chunk with the right shapes."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from train import make_train, run


def _init(key):
    return {"x": jax.random.normal(key, (3,)), "t": jnp.zeros(())}


def _step(state, key):
    x = 0.9 * state["x"] + jax.random.normal(key, (3,))
    return {"x": x, "t": state["t"] + 1}, {"mean": jnp.mean(x)}


def test_chunks_report_metrics_and_count_steps():
    seen = []
    res = run(_init, _step, jax.random.PRNGKey(0), num_seeds=3, num_steps=40, chunk_len=10,
              on_chunk=lambda end, m: seen.append((end, m["mean"].shape)), progress=False)  # fmt: skip
    assert seen == [(10, (3, 10)), (20, (3, 10)), (30, (3, 10)), (40, (3, 10))]
    np.testing.assert_array_equal(res.state["t"], [40, 40, 40])
    assert res.compile_seconds > 0 and res.run_seconds > 0


def test_runs_are_deterministic_given_the_key():
    a = run(_init, _step, jax.random.PRNGKey(0), num_seeds=2, num_steps=20, chunk_len=20, progress=False)
    b = run(_init, _step, jax.random.PRNGKey(0), num_seeds=2, num_steps=20, chunk_len=20, progress=False)
    np.testing.assert_array_equal(a.state["x"], b.state["x"])


def test_make_train_one_program():
    train = jax.jit(make_train(_init, _step, num_steps=15, chunk_len=5))
    state, metrics = train(jax.random.PRNGKey(0))
    assert metrics["mean"].shape == (15,) and state["t"] == 15


def test_bad_chunking():
    with pytest.raises(ValueError, match="multiple"):
        run(_init, _step, jax.random.PRNGKey(0), num_seeds=1, num_steps=10, chunk_len=3, progress=False)


def test_seed_index_and_init_args_let_variants_share_seeds():
    def init(key, scale=1.0):
        return {"x": jax.random.normal(key, ()) * scale}

    def step(s, key):
        x = s["x"] + jax.random.normal(key, ())
        return {"x": x}, {"x": x}

    key = jax.random.PRNGKey(3)
    plain = run(init, step, key, num_seeds=2, num_steps=4, chunk_len=2, progress=False)
    shared = run(init, step, key, num_seeds=4, num_steps=4, chunk_len=2, progress=False, seed_index=[0, 1, 0, 1],
                 init_args=jnp.asarray([1.0, 1.0, 1.0, 1.0]))  # fmt: skip
    np.testing.assert_array_equal(shared.state["x"][:2], plain.state["x"])
    np.testing.assert_array_equal(shared.state["x"][2:], plain.state["x"])  # slots 2, 3 replay seeds 0, 1
    scaled = run(init, step, key, num_seeds=2, num_steps=4, chunk_len=2, progress=False,
                 init_args=jnp.asarray([0.0, 0.0]))  # fmt: skip
    assert not np.allclose(scaled.state["x"], plain.state["x"])
