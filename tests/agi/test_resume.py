"""Checkpoints: a resumed run equals an uninterrupted one bit for bit; clear errors for bad checkpoints."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agi.cli import main

POISON = ["--plugin", "agi_poison", "--set", "steering.drives=poison"]  # tests/plugins: NaN reward from poison.at

TINY = ["--preset", "tiny", "--steps", "2000", "--set", "train.chunks=20", "--quiet", "--no-baseline"]


def _summary(d):
    return json.loads((Path(d) / "summary.json").read_text())


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    d = tmp_path_factory.mktemp("straight")
    assert main(["train", *TINY, "--checkpoint-every", "1000", "--out", str(d)]) == 0
    return d


def test_resume_from_a_mid_run_checkpoint_is_bit_exact(straight, tmp_path):
    d = tmp_path / "resumed"
    shutil.copytree(straight, d)
    shutil.rmtree(d / "checkpoints" / "2000")  # as if the run had died after the step-1000 checkpoint
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 0
    a, b = _summary(straight), _summary(d)
    assert b["resumed_from_step"] == 1000
    assert a["state_digest"] == b["state_digest"]
    assert a["reward_per_step_last"] == b["reward_per_step_last"]
    assert (straight / "metrics.jsonl").read_text() == (d / "metrics.jsonl").read_text()


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_kill_9_then_resume_is_bit_exact(straight, tmp_path):
    d = tmp_path / "killed"
    cmd = [sys.executable, "-m", "agi.cli", "train", *TINY, "--checkpoint-every", "100", "--out", str(d)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and not (d / "checkpoints" / "300").exists() and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    saved = sorted(int(p.name) for p in (d / "checkpoints").iterdir() if p.name.isdigit())
    assert saved and saved[-1] < 2000, saved  # it really was interrupted
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 0
    assert _summary(d)["state_digest"] == _summary(straight)["state_digest"]


def test_resume_with_a_changed_config_is_refused(straight, tmp_path, capsys):
    d = tmp_path / "changed"
    shutil.copytree(straight, d)
    shutil.rmtree(d / "checkpoints" / "2000")
    cfg = json.loads((d / "config.json").read_text())
    cfg["agent"]["lr"] = 0.5
    (d / "config.json").write_text(json.dumps(cfg))
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "different config (agent.lr differ)" in err and len(err.splitlines()) == 1


def test_corrupted_checkpoint_gets_a_clear_error(straight, tmp_path, capsys):
    d = tmp_path / "corrupt"
    shutil.copytree(straight, d)
    (d / "summary.json").unlink()  # the run died after saving its last checkpoint
    for f in (d / "checkpoints" / "2000").rglob("*"):
        if f.is_file():
            f.write_bytes(b"garbage")
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "cannot be restored" in err and len(err.splitlines()) == 1
    # the earlier checkpoint it keeps is named, with what to do
    assert f"earlier checkpoints are kept (1000): remove the folder {(d / 'checkpoints').absolute()}/2000 to use " \
           "1000" in err, err


def test_resume_without_a_run(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "nothing")]) == 2
    assert "no config.json" in capsys.readouterr().err


@pytest.mark.slow  # CI time; resume is checked bit-exact in the default set on foraging
def test_cartpole_resume_with_empty_interoception(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    args = ["--preset", "tiny", "--world", "cartpole", "--steps", "400", "--quiet", "--no-baseline"]
    assert main(["train", *args, "--out", str(a)]) == 0
    shutil.copytree(a, b)
    shutil.rmtree(b / "checkpoints" / "400")
    assert main(["train", "--resume", str(b), "--quiet", "--no-baseline"]) == 0
    assert _summary(a)["state_digest"] == _summary(b)["state_digest"]


SLOW_SIGNALS = [pytest.param(s, marks=pytest.mark.slow) for s in (signal.SIGTERM, signal.SIGHUP)]


@pytest.mark.parametrize("sig", [signal.SIGINT, *SLOW_SIGNALS])
def test_signal_finishes_the_chunk_saves_and_resumes_exactly(straight, tmp_path, sig):
    d = tmp_path / "signalled"
    cmd = [sys.executable, "-m", "agi.cli", "train", *TINY, "--checkpoint-every", "1000", "--out", str(d)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 120
    while time.time() < deadline and not (d / "metrics.jsonl").exists():
        time.sleep(0.05)
    while time.time() < deadline and (d / "metrics.jsonl").read_text().count("\n") < 3:
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    if sig != signal.SIGHUP:  # (after a hangup the run writes to /dev/null: its terminal is gone)
        assert "resume with: agi train --resume" in err
    saved = sorted(int(p.name) for p in (d / "checkpoints").iterdir() if p.name.isdigit())
    assert saved and saved[-1] < 2000 and saved[-1] % 100 == 0  # saved at the interrupted chunk, not at 1000
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 0
    assert _summary(d)["state_digest"] == _summary(straight)["state_digest"]


def test_non_finite_stops_at_the_right_step_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    d = tmp_path / "nan"
    args = [*TINY, "--checkpoint-every", "100", *POISON, "--set", "poison.at=550", "--out", str(d)]
    assert main(["train", *args]) == 3
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "non-finite" in err, err
    assert "step 551" in err or "step 550" in err, err
    saved = sorted(int(p.name) for p in (d / "checkpoints").iterdir() if p.name.isdigit())
    assert saved[-1] == 500 and str(d / "checkpoints" / "500") in err
    assert not (d / "summary.json").exists()
    assert json.loads((d / "stopped.json").read_text()) == {"reason": "non-finite", "message": err.split(": ", 2)[2]}


def test_only_the_first_process_writes_the_run_files(tmp_path, monkeypatch):
    import agi.run
    from agi import preset

    monkeypatch.setattr(agi.run, "_is_primary", lambda: False)  # as if this were the second host of several
    out = tmp_path / "run"
    summary = agi.run.train_and_evaluate(preset("tiny"), out, progress=False, baseline=False)
    assert summary["steps"] == preset("tiny").train.steps  # it trained and summarised its share
    assert not any((out / f).exists() for f in ("config.json", "metrics.jsonl", "summary.json", "reward.png"))
    assert (out / "checkpoints").is_dir()  # checkpoints are written by every process together (orbax)


def test_a_checkpoint_of_another_layout_names_what_differs(straight, tmp_path, capsys):
    d = tmp_path / "other"
    shutil.copytree(straight, d)
    shutil.rmtree(d / "checkpoints" / "2000")
    cfg = json.loads((d / "config.json").read_text())
    cfg["agent"]["hidden"] = 8  # as a config.json from another version of the run would
    (d / "config.json").write_text(json.dumps(cfg))
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "does not fit this run" in err and "brain" in err and len(err.splitlines()) == 1, err


def test_a_checkpoint_whose_bookkeeping_lacks_a_key_is_one_line(straight, tmp_path, capsys):
    d = tmp_path / "lacking"
    shutil.copytree(straight, d)
    (d / "summary.json").unlink()
    meta = d / "checkpoints" / "2000" / "host" / "metadata"  # orbax's JsonSave file
    host = json.loads(meta.read_text())
    del host["first"]
    meta.write_text(json.dumps(host))
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 2
    err = capsys.readouterr().err.strip()
    assert "lacks its bookkeeping" in err and len(err.splitlines()) == 1, err


def test_a_full_disk_is_one_line(tmp_path, capsys, monkeypatch):
    import errno

    import agi.run

    written = agi.run.write_json

    def full(path, obj):  # the disk fills up while the run trains: its summary cannot be written
        if str(path).endswith("summary.json"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written(path, obj)

    monkeypatch.setattr(agi.run, "write_json", full)
    assert main(["train", "--preset", "tiny", "--quiet", "--no-baseline", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip()
    assert "the disk is full" in err and "summary.json" in err and len(err.splitlines()) == 1, err
    assert (tmp_path / "r" / "checkpoints" / "200").is_dir()  # the training itself is kept


def test_a_run_under_nohup_keeps_ignoring_sighup():
    """nohup ignores SIGHUP so that a run outlives its terminal; the signal counting must not undo that."""
    from agi.run import stop_on_signals

    old = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with stop_on_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
        with stop_on_signals():  # without nohup it is counted like Ctrl-C
            assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_IGN, signal.SIG_DFL)
    finally:
        signal.signal(signal.SIGHUP, old)


def test_a_checkpoint_with_every_heads_traces_restores_into_the_shared_formulation(tmp_path):
    """Runs before ``agent.assessor_update`` kept eligibility traces for every head (the per-agent formulation);
    their checkpoints restore into the shared formulation's traced rows exactly, and are refused, naming the
    difference, without the agent's adaptation."""
    import jax
    import numpy as np

    from agi import make_agent, make_system, override, preset
    from train import Checkpointer, CheckpointError

    old = make_agent(override(preset("tiny", "foraging"), ["agent.assessor_update=per_agent"]))
    new = make_agent(preset("tiny", "foraging"))
    init, step = make_system(old)
    s, _ = jax.jit(lambda s, k: jax.lax.scan(step, s, k))(init(jax.random.PRNGKey(0)),
                                                          jax.random.split(jax.random.PRNGKey(1), 5))
    ckpt = Checkpointer(tmp_path / "checkpoints")
    ckpt.save(5, s, {"step": 5})
    abstract = jax.eval_shape(make_system(new)[0], jax.random.PRNGKey(0))
    with pytest.raises(CheckpointError, match="traces"):
        ckpt.restore(abstract)
    other = abstract._replace(brain=abstract.brain._replace(assessors=jax.ShapeDtypeStruct(
        abstract.brain.assessors.shape, jax.numpy.bfloat16)))  # fmt: skip
    with pytest.raises(CheckpointError, match="assessors has another dtype"):  # adapting shapes casts nothing
        ckpt.restore(other, adapt=new.adapt_checkpoint)
    at, restored, host = ckpt.restore(abstract, adapt=new.adapt_checkpoint)
    ckpt.close()
    assert at == 5 and host["step"] == 5
    z = np.asarray(s.agents.traces.z)
    np.testing.assert_array_equal(restored.agents.traces.z, z[..., list(new.traced), :])
    for a, b in zip(jax.tree.leaves(restored.brain), jax.tree.leaves(s.brain), strict=True):
        np.testing.assert_array_equal(a, b)
    jax.jit(make_system(new)[1])(restored, jax.random.PRNGKey(2))  # and the run goes on
