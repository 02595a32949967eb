"""Runs that can be trusted: one writer per folder, resumes that extend and never damage, crash-safe records,
signals in every phase, and one clear line (no traceback) for every fault."""

import importlib.util
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
CMD = [sys.executable, "-m", "agi.cli"]


def _summary(d):
    return json.loads((Path(d) / "summary.json").read_text())


def _one_line(capsys):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def _wait_for(predicate, proc=None, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline and not predicate():
        assert proc is None or proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    assert predicate(), "timed out"


def _checkpoints(d):
    return sorted(int(p.name) for p in (Path(d) / "checkpoints").iterdir() if p.name.isdigit())


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    d = tmp_path_factory.mktemp("straight") / "run"
    assert main(["train", *TINY, "--out", str(d)]) == 0
    return d


def test_a_second_run_into_a_used_folder_is_refused_and_changes_nothing(straight, capsys):
    before = {p.name: p.read_bytes() for p in straight.iterdir() if p.is_file()}
    assert main(["train", *TINY, "--set", "agent.lr=0.1", "--out", str(straight)]) == 2
    err = _one_line(capsys)
    assert "already holds a run" in err and "--resume" in err and "--overwrite" in err
    assert before == {p.name: p.read_bytes() for p in straight.iterdir() if p.is_file()}


def test_overwrite_replaces_the_run(straight, tmp_path):
    d = tmp_path / "run"
    shutil.copytree(straight, d)
    (d / "notes.txt").write_text("mine")
    assert main(["train", "--preset", "tiny", "--quiet", "--no-baseline", "--out", str(d), "--overwrite"]) == 0
    assert _summary(d)["steps"] == 200 and _checkpoints(d) == [100, 200]
    assert (d / "notes.txt").read_text() == "mine"  # only the run's own files are replaced


def test_default_out_never_collides():
    from agi.rundir import default_out

    a = default_out("gymnax:CartPole-v1", root="/nonexistent-root")
    assert a.name.startswith("gymnax-CartPole-v1-")


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_two_writers_the_second_is_refused(tmp_path, capsys):
    d = tmp_path / "busy"
    proc = subprocess.Popen([*CMD, "train", *TINY, "--out", str(d)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        _wait_for(lambda: (d / "metrics.jsonl").exists(), proc)
        assert main(["train", *TINY, "--out", str(d), "--overwrite"]) == 2
        assert f"another agi process (pid {proc.pid})" in _one_line(capsys)
        assert main(["train", "--resume", str(d), "--quiet"]) == 2
        assert "another agi process" in _one_line(capsys)
    finally:
        proc.wait(timeout=300)
    assert proc.returncode == 0
    rows = [json.loads(line) for line in (d / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(100, 2001, 100))


def test_resuming_a_finished_run_rewrites_nothing(straight, capsys):
    before = {p.name: p.read_bytes() for p in straight.iterdir() if p.is_file() and p.name != ".lock"}
    assert main(["train", "--resume", str(straight), "--quiet"]) == 0
    assert "complete at 2,000 steps" in capsys.readouterr().out
    assert before == {p.name: p.read_bytes() for p in straight.iterdir() if p.is_file() and p.name != ".lock"}


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_resume_with_steps_extends_exactly_as_a_longer_run(straight, tmp_path):
    longer = tmp_path / "longer"
    args = ["--preset", "tiny", "--steps", "3000", "--set", "train.chunks=30", "--quiet", "--no-baseline"]
    assert main(["train", *args, "--out", str(longer)]) == 0
    extended = tmp_path / "extended"
    shutil.copytree(straight, extended)
    assert main(["train", "--resume", str(extended), "--steps", "3000", "--quiet", "--no-baseline"]) == 0
    a, b = _summary(longer), _summary(extended)
    assert a["state_digest"] == b["state_digest"] and b["steps"] == 3000 and b["resumed_from_step"] == 2000
    assert b["agent_steps_per_second"] > 0  # counted over both sessions
    rows = lambda d: [json.loads(line) for line in (d / "metrics.jsonl").read_text().splitlines()]
    assert rows(longer) == rows(extended)
    assert json.loads((extended / "config.json").read_text())["train"]["steps"] == 3000


@pytest.mark.parametrize(
    "extra,needle",
    [
        (["--set", "agent.lr=0.5"], "--set would change it"),
        (["--seeds", "3"], "--seeds"),
        (["--out", "elsewhere"], "--out"),
        (["--steps", "1000"], "extended, not shortened"),
        (["--steps", "2050"], "multiple of the run's chunk length"),
    ],
)
def test_resume_refuses_changes_it_cannot_make(straight, tmp_path, capsys, extra, needle):
    assert main(["train", "--resume", str(straight), "--quiet", *extra]) == 2
    assert needle in _one_line(capsys)


def test_kill_during_a_resumes_compile_loses_no_rows_and_a_torn_line_is_repaired(straight, tmp_path):
    d = tmp_path / "torn"
    shutil.copytree(straight, d)
    for step in _checkpoints(d)[1:]:
        shutil.rmtree(d / "checkpoints" / str(step))  # as if the run had died after its first kept checkpoint
    kept = _checkpoints(d)[-1]
    with open(d / "metrics.jsonl", "a") as f:
        f.write('{"step": 2100, "TORN')  # a line torn by a crash mid-write
    proc = subprocess.Popen([*CMD, "train", "--resume", str(d), "--quiet", "--no-baseline"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    _wait_for(lambda: "TORN" not in (d / "metrics.jsonl").read_text(), proc)  # repaired; now it compiles
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    rows = [json.loads(line) for line in (d / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows] == list(range(100, kept + 1, 100))
    assert main(["train", "--resume", str(d), "--quiet", "--no-baseline"]) == 0
    assert (d / "metrics.jsonl").read_text() == (straight / "metrics.jsonl").read_text()
    assert _summary(d)["state_digest"] == _summary(straight)["state_digest"]


def test_metrics_rows_keep_every_seed(straight):
    row = json.loads((straight / "metrics.jsonl").read_text().splitlines()[-1])
    assert len(row["per_seed"]["reward"]) == 2
    assert abs(sum(row["per_seed"]["reward"]) / 2 - row["reward"]) < 1e-6


def test_summary_records_provenance(straight):
    p = _summary(straight)["provenance"]
    assert p["versions"]["jax"] and p["devices"] and p["python"]


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_results_do_not_depend_on_chunking_or_checkpointing(tmp_path):
    digests = []
    for i, extra in enumerate((["--set", "train.chunks=1"], ["--set", "train.chunks=4", "--checkpoint-every", "100"])):
        d = tmp_path / str(i)
        assert main(["train", "--preset", "tiny", "--steps", "400", "--quiet", "--no-baseline", "--out", str(d),
                     *extra]) == 0  # fmt: skip
        digests.append(_summary(d)["state_digest"])
    assert digests[0] == digests[1]


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_ctrl_c_in_the_baseline_saves_the_training_and_resume_finishes_it(tmp_path):
    d = tmp_path / "baseline"
    args = ["--preset", "tiny", "--steps", "4000", "--set", "train.chunks=40"]
    proc = subprocess.Popen([*CMD, "train", *args, "--out", str(d)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    _wait_for(lambda: (d / "checkpoints" / "4000").exists(), proc, timeout=300)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "baseline was interrupted" in err and "--resume" in err
    assert not (d / "summary.json").exists()
    assert main(["train", "--resume", str(d), "--quiet"]) == 0
    s = _summary(d)
    assert s["random_policy_reward_per_step"] is not None and s["steps"] == 4000
    assert s["agent_steps_per_second"] > 0 and s["resumed_from_step"] == 4000


def test_a_second_interrupt_exits_at_once(tmp_path):
    d = tmp_path / "twice"
    args = ["--preset", "tiny", "--steps", "200000", "--set", "train.chunks=2", "--quiet"]  # long chunks
    proc = subprocess.Popen([*CMD, "train", *args, "--out", str(d)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    _wait_for(lambda: (d / "metrics.jsonl").exists(), proc)
    time.sleep(5)  # compiling or in the first chunk
    proc.send_signal(signal.SIGINT)
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "second interrupt" in err and "Traceback" not in err, err
    assert not list((d / "checkpoints").glob("[0-9]*"))  # it did not wait for the chunk to end


@pytest.mark.parametrize(
    "content,needle",
    [
        ("[1, 2]", "not a list"),
        ('{"train": {"steps": 200.5}}', "train.steps=200.5"),
        ('{"agent": {"lr": "fast"}}', "agent.lr"),
        ('{"train": []}', "section 'train'"),
        ("{not json", "unreadable"),
    ],
)
def test_malformed_config_json_is_one_line(tmp_path, capsys, content, needle):
    path = tmp_path / "config.json"
    path.write_text(content)
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "x")]) == 2
    assert needle in _one_line(capsys)
    assert not (tmp_path / "x").exists()
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(path, run / "config.json")
    assert main(["train", "--resume", str(run)]) == 2
    assert needle in _one_line(capsys)


def test_config_file_reruns_a_run(straight, tmp_path):
    d = tmp_path / "again"
    assert main(["train", "--config", str(straight / "config.json"), "--quiet", "--no-baseline", "--out", str(d)]) == 0
    assert _summary(d)["state_digest"] == _summary(straight)["state_digest"]


@pytest.mark.parametrize(
    "args,needle",
    [
        (["--set", "agent.lr=inf"], "agent.lr"),
        (["--set", "steering.w_eat=nan"], "steering.homeostasis.w_eat"),  # an alias, named by its nested key
        (["--set", "train.num_envs=99999999999"], "train.num_envs"),
    ],
)
def test_non_finite_and_huge_numbers_are_refused_before_work(tmp_path, capsys, args, needle):
    assert main(["train", "--preset", "tiny", "--out", str(tmp_path / "x"), *args]) == 2
    assert needle in _one_line(capsys)
    assert not (tmp_path / "x").exists()


def test_a_run_too_big_for_memory_is_refused_before_work(tmp_path, capsys):
    args = ["--preset", "tiny", "--set", "agent.hidden=200000", "--out", str(tmp_path / "x")]
    assert main(["train", *args]) == 2
    assert "GiB" in _one_line(capsys) and not (tmp_path / "x").exists()


def test_an_output_path_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["train", "--preset", "tiny", "--quiet", "--out", str(tmp_path / "file" / "run")]) == 2
    assert "is a file" in _one_line(capsys)


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_ablate_with_a_nan_stops_with_status_3(tmp_path, capsys):
    code = main(["ablate", "--preset", "tiny", "--world", "foraging", "--seeds", "2", "--quiet", *POISON,
                 "--variants", "base; nan: poison.at=50", "--out", str(tmp_path / "a")])  # fmt: skip
    assert code == 3
    err = _one_line(capsys)
    assert "non-finite" in err and "step 5" in err


@pytest.mark.slow  # ~25-75 s; kept out of the default run for CI time (make test-slow runs it)
def test_ablate_saves_each_program_and_resumes(tmp_path, capsys):
    d = tmp_path / "suite"
    args = ["ablate", "--preset", "tiny", "--world", "foraging", "--seeds", "2", "--quiet",
            "--variants", "base; nopain: -pain", "--out", str(d)]  # fmt: skip
    assert main(args) == 0
    first = json.loads((d / "results.json").read_text())
    assert main(args) == 2 and "agi ablate --resume" in _one_line(capsys)
    kept = (d / "programs" / "program-0.json").stat().st_mtime_ns
    (d / "programs" / "program-1.json").unlink()  # as if interrupted during the second program
    (d / "results.json").unlink()
    assert main(["ablate", "--resume", str(d), "--quiet"]) == 0
    assert (d / "programs" / "program-0.json").stat().st_mtime_ns == kept  # not trained again
    again = json.loads((d / "results.json").read_text())
    for a, b in zip(first["variants"], again["variants"], strict=True):
        assert a["metrics"]["reward_per_step"] == b["metrics"]["reward_per_step"]


@pytest.mark.slow  # CI time; an optional sink (`make test-slow` checks it)
def test_tensorboard_sink_writes_events(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    d = tmp_path / "tb"
    assert main(["train", "--preset", "tiny", "--quiet", "--no-baseline", "--tensorboard", "--out", str(d)]) == 0
    acc = EventAccumulator(str(d / "tensorboard"))
    acc.Reload()
    assert [e.step for e in acc.Scalars("reward")] == [100, 200]
    assert len(acc.Scalars("seed_1/reward")) == 2


def test_version_and_help_list_every_config_field(capsys):
    from agi.config import field_docs

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and "agi" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for key, _, _, doc in field_docs():
        assert f"{key} (" in out and doc[:40] in out
    assert "exit status" in out


def test_ctrl_c_in_eval_writes_what_it_measured(straight, tmp_path):
    out = tmp_path / "eval"
    args = ["eval", "--run", str(straight), "--steps", "2000000", "--no-gif", "--quiet", "--out", str(out)]
    proc = subprocess.Popen([*CMD, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(8)  # past the compile, inside the long evaluation
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "eval interrupted" in err and "Traceback" not in err, err
    saved = json.loads((out / "eval.json").read_text())
    assert saved["interrupted"] and 0 < saved["steps"] < 2_000_000


def test_a_resumed_tensorboard_log_shows_each_step_once(tmp_path):
    """A run killed after its last checkpoint wrote events past it; the resumed session's start drops them."""
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from agi.sinks import TensorBoard

    row = lambda r: {"step": 0, "reward": r, "per_seed": {"reward": [r, r]}}
    first = TensorBoard(tmp_path)
    for step in (100, 200, 300):
        first(step, row(step / 1000))
    first.close()
    resumed = TensorBoard(tmp_path)  # resumed from the checkpoint at step 100
    for step in (200, 300):
        resumed(step, row(-step / 1000))
    resumed.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, round(e.value, 3)) for e in acc.Scalars("reward")] == [(100, 0.1), (200, -0.2), (300, -0.3)]


def test_a_resumed_run_keeps_the_options_it_was_started_with(tmp_path):
    """``--checkpoint-every``, ``--tensorboard`` and ``--no-baseline`` are kept in options.json and used again by
    ``--resume``."""
    tb = importlib.util.find_spec("tensorboard") is not None
    d = tmp_path / "run"
    args = ["train", "--preset", "tiny", "--steps", "400", "--set", "train.chunks=4", "--checkpoint-every", "200",
            "--quiet", "--no-baseline", "--out", str(d), *(["--tensorboard"] if tb else [])]  # fmt: skip
    assert main(args) == 0
    assert json.loads((d / "options.json").read_text()) == {"checkpoint_every": 200, "tensorboard": tb,
                                                             "no_shard": False, "baseline": False}  # fmt: skip
    assert main(["train", "--resume", str(d), "--steps", "600", "--quiet"]) == 0
    assert not (d / "baseline.json").exists()  # the run skipped its random baseline, and the resume did too
    assert sorted(int(p.name) for p in (d / "checkpoints").iterdir() if p.name.isdigit()) == [200, 400, 600]
    if tb:
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

        acc = EventAccumulator(str(d / "tensorboard"))
        acc.Reload()
        assert [e.step for e in acc.Scalars("reward")] == [100, 200, 300, 400, 500, 600]
    assert main(["train", "--resume", str(d), "--steps", "800", "--quiet", "--no-baseline", "--no-tensorboard"]) == 0
    assert json.loads((d / "options.json").read_text())["tensorboard"] is False  # switched off, and kept so
