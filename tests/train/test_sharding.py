"""A run sharded over 4 (forced host) devices equals the same run on one device; sharded checkpoints restore.

The device count is fixed when XLA starts, so the runs happen in a subprocess with
``XLA_FLAGS=--xla_force_host_platform_device_count=4``. A slow test runs two processes of two devices each as two
"hosts" joined by ``jax.distributed`` (CPU collectives over gloo).
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from train.sharding import make_mesh, replicated, split_axis

SCRIPT = r"""
import dataclasses, json, shutil, sys
from pathlib import Path

import jax
import numpy as np

import agi.measure
import agi.run
from agi.assemble import make_agent
from agi.config import preset
from agi.system import make_system
from train import Checkpointer, state_digest
from train.sharding import with_shardings

assert len(jax.devices()) == 4, jax.devices()
import warnings
from agi.sharding import env_sharding

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    assert env_sharding(6) is None and env_sharding(6) is None and env_sharding(4, enabled=False) is None
assert len(caught) == 1 and "not a multiple of the 4 devices" in str(caught[0].message), caught
out = Path(sys.argv[1])
cfg = preset("tiny")
cfg = dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=4))
finals = []
real_run = agi.measure.run


def spy(*args, **kwargs):  # keeps each run's final state
    result = real_run(*args, **kwargs)
    finals.append(result.state)
    return result


agi.measure.run = spy  # agi.measure runs every chunked run
kw = dict(progress=False, baseline=False)
plain = agi.run.train_and_evaluate(cfg, out / "plain", shard=False, **kw)
sharded = agi.run.train_and_evaluate(cfg, out / "sharded", **kw)
shutil.copytree(out / "sharded", out / "resumed")
shutil.rmtree(out / "resumed" / "checkpoints" / "200")
resumed = agi.run.train_and_evaluate(cfg, out / "resumed", resume=True, **kw)
a, b = finals[0], finals[1]

diffs = {}
for (path, x), y in zip(jax.tree_util.tree_leaves_with_path(a), jax.tree.leaves(b), strict=True):
    x, y = np.asarray(x), np.asarray(y)
    assert x.shape == y.shape and x.dtype == y.dtype
    d = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
    diffs[jax.tree_util.keystr(path)] = d

# The sharded run's final checkpoint, restored onto one device, is the sharded run's final state.
init, _ = make_system(make_agent(cfg))
keys = jax.random.split(jax.random.PRNGKey(0), cfg.train.num_seeds)
abstract = with_shardings(jax.eval_shape(lambda k: jax.lax.map(init, k), keys))
ckpt = Checkpointer(out / "sharded" / "checkpoints")
_, restored, _ = ckpt.restore(abstract)
ckpt.close()

print(json.dumps({
    "diffs": diffs,
    "digests": [plain["state_digest"], sharded["state_digest"], resumed["state_digest"]],
    "resumed_from": resumed["resumed_from_step"],
    "restored_digest": state_digest(restored),
    "agents_sharding": sorted({str(tuple(x.sharding.spec)) for x in jax.tree.leaves(b.agents)}),
    "agents_devices": sorted({len(x.sharding.device_set) for x in jax.tree.leaves(b.agents)}),
    "brain_sharding": sorted({str(tuple(x.sharding.spec)) for x in jax.tree.leaves(b.brain)}),
    "reward": [plain["reward_per_step_last"], sharded["reward_per_step_last"]],
}))
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("sharding")
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(out)], env=env, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_sharded_run_equals_unsharded_run(report):
    diffs = report["diffs"]
    worst = max(diffs, key=diffs.get)
    print(f"\nlargest |sharded - unsharded| over {len(diffs)} leaves: {diffs[worst]:.3g} at {worst}; "
          f"{sum(v == 0 for v in diffs.values())} leaves identical")  # fmt: skip
    # Only the order of the sums across devices differs (the mean over environments becomes an all-reduce).
    assert diffs[worst] < 1e-4, (worst, diffs[worst])
    np.testing.assert_allclose(report["reward"][0], report["reward"][1], atol=1e-5)


def test_the_environment_axis_is_split_and_the_brain_replicated(report):
    assert report["agents_devices"] == [4]
    assert report["agents_sharding"] == ["(None, 'envs')"]
    assert report["brain_sharding"] == ["()"]


def test_sharded_checkpoints_resume_exactly_and_restore_onto_one_device(report):
    plain, sharded, resumed = report["digests"]
    assert report["resumed_from"] == 100
    assert resumed == sharded
    assert report["restored_digest"] == sharded


def test_a_one_device_mesh_changes_nothing():
    """The sharded code path of ``train.run`` (placement, in/out shardings, replicated keys) on any machine."""
    import jax
    import jax.numpy as jnp

    from train import run

    def init(key):
        return {"x": jax.random.normal(key, (4, 3)), "t": jnp.zeros(())}

    def step(state, key):
        x = 0.9 * state["x"] + jax.random.normal(key, (4, 3))
        return {"x": x, "t": state["t"] + 1}, {"mean": jnp.mean(x)}

    mesh = make_mesh("envs", jax.devices()[:1])
    spec = lambda abstract: {"x": split_axis(mesh, 1), "t": replicated(mesh)}
    kw = dict(num_seeds=2, num_steps=20, chunk_len=10, progress=False)
    a = run(init, step, jax.random.PRNGKey(0), **kw)
    b = run(init, step, jax.random.PRNGKey(0), sharding=spec, **kw)
    assert b.state["x"].sharding == split_axis(mesh, 1)
    np.testing.assert_array_equal(a.state["x"], b.state["x"])


def test_spec_helpers():
    mesh = make_mesh("envs")
    assert mesh.axis_names == ("envs",)
    assert tuple(replicated(mesh).spec) == ()
    assert tuple(split_axis(mesh, 2).spec) == (None, None, "envs")


LAUNCH = r"""
import os, sys
import jax

# What `agi --distributed` does, done before `agi` is imported (importing it touches a device).
jax.distributed.initialize(os.environ["COORDINATOR"], num_processes=2, process_id=int(os.environ["PROCESS_ID"]))
from agi.cli import main

sys.exit(main(sys.argv[1:]))
"""


def _two_hosts(args, tmp_path):
    """Runs ``agi ARGS`` as 2 processes of 2 CPU devices each, joined by jax.distributed."""
    import socket

    with socket.socket() as s:
        s.bind(("localhost", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2", "JAX_PLATFORMS": "cpu",
           "COORDINATOR": f"localhost:{port}"}  # fmt: skip
    logs = [tmp_path / f"{args[0]}-{port}-{i}.log" for i in range(2)]
    procs = []
    for i, log in enumerate(logs):
        with open(log, "w") as f:
            procs.append(subprocess.Popen([sys.executable, "-c", LAUNCH, *args], env={**env, "PROCESS_ID": str(i)},
                                          stdout=f, stderr=subprocess.STDOUT))  # fmt: skip
    for p in procs:
        p.wait(timeout=300)
    assert all(p.returncode == 0 for p in procs), "".join(log.read_text()[-3000:] for log in logs)


@pytest.mark.slow
def test_two_hosts_train_resume_exactly_and_evaluate_on_one(tmp_path):
    import shutil

    from agi.cli import main

    run = tmp_path / "run"
    _two_hosts(["train", "--preset", "tiny", "--set", "train.num_envs=4", "--quiet", "--no-baseline", "--out",
                str(run)], tmp_path)  # fmt: skip
    # Only the first process writes the run's files: one row per chunk, not one per process.
    steps = [json.loads(line)["step"] for line in (run / "metrics.jsonl").read_text().splitlines()]
    chunks = json.loads((run / "config.json").read_text())["train"]["chunks"]
    assert steps == sorted(set(steps)) and len(steps) == chunks
    shutil.copytree(run, tmp_path / "resumed")
    shutil.rmtree(tmp_path / "resumed" / "checkpoints" / "200")
    _two_hosts(["train", "--resume", str(tmp_path / "resumed"), "--quiet", "--no-baseline"], tmp_path)
    a, b = (json.loads((d / "summary.json").read_text()) for d in (run, tmp_path / "resumed"))
    assert b["resumed_from_step"] == 100 and a["state_digest"] == b["state_digest"]
    assert main(["eval", "--run", str(run), "--steps", "100", "--gif-steps", "3", "--quiet"]) == 0  # one device
