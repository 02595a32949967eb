"""The generic loop: chunked runs equal one scan; metrics arrive per chunk with the right shapes."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from train import compile_ahead, make_chunk, make_train, program, run


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


def test_results_do_not_depend_on_chunking_or_on_the_number_of_seeds():
    key = jax.random.PRNGKey(7)
    one = run(_init, _step, key, num_seeds=2, num_steps=40, chunk_len=40, progress=False)
    many = run(_init, _step, key, num_seeds=2, num_steps=40, chunk_len=8, progress=False)
    np.testing.assert_array_equal(one.state["x"], many.state["x"])
    four = run(_init, _step, key, num_seeds=4, num_steps=40, chunk_len=10, progress=False)
    np.testing.assert_array_equal(four.state["x"][:2], one.state["x"])  # seed 0 of 4 is seed 0 of 2
    seen = []
    run(_init, _step, key, num_seeds=2, num_steps=80, chunk_len=40, progress=False,
        on_chunk=lambda end, m: seen.append(m["mean"]))  # fmt: skip
    shorter = []
    run(_init, _step, key, num_seeds=2, num_steps=40, chunk_len=40, progress=False,
        on_chunk=lambda end, m: shorter.append(m["mean"]))  # fmt: skip
    np.testing.assert_array_equal(seen[0], shorter[0])  # a longer run begins as the shorter one did


def test_make_train_is_seed_0_of_a_chunked_run():
    key = jax.random.PRNGKey(5)
    state, _ = jax.jit(make_train(_init, _step, num_steps=12, chunk_len=4))(key)
    res = run(_init, _step, key, num_seeds=1, num_steps=12, chunk_len=4, progress=False)
    np.testing.assert_allclose(state["x"], res.state["x"][0], rtol=1e-6)


def test_step_keys_are_fold_in_of_the_global_step():
    from train import step_keys

    k = jax.random.PRNGKey(1)
    got = step_keys(k, jnp.uint32(5), 3)
    want = [jax.random.fold_in(k, t) for t in (5, 6, 7)]
    np.testing.assert_array_equal(np.asarray(got), np.stack([np.asarray(w) for w in want]))


def test_a_chunk_compiled_ahead_runs_the_same_program():
    key = jax.random.PRNGKey(5)
    wait = compile_ahead(_step, 10, program(_init, key, num_seeds=3))
    ahead = run(_init, _step, key, num_seeds=3, num_steps=30, chunk_len=10, progress=False, compiled=wait)
    inline = run(_init, _step, key, num_seeds=3, num_steps=30, chunk_len=10, progress=False)
    np.testing.assert_array_equal(ahead.state["x"], inline.state["x"])
    np.testing.assert_array_equal(ahead.state["t"], [30, 30, 30])
    # the same as a chunk lowered on the concrete state, as run() did before programs were lowered on shapes
    prog = program(_init, key, num_seeds=3)
    state = prog.init_all(prog.init_keys)
    concrete = make_chunk(_step, 10).lower(state, prog.run_keys, np.uint32(0)).compile()
    for c in range(3):
        state, _ = concrete(state, prog.run_keys, np.uint32(10 * c))
    np.testing.assert_array_equal(state["x"], inline.state["x"])


def test_compiling_ahead_hands_its_error_to_the_waiter():
    def bad_step(state, key):
        return {"x": state["x"][:2], "t": state["t"]}, {}  # a carry whose shape changes cannot be scanned

    wait = compile_ahead(bad_step, 4, program(_init, jax.random.PRNGKey(0), num_seeds=1))
    with pytest.raises(TypeError):
        wait()
