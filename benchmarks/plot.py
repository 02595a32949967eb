"""Plots the benchmark JSONs: ``python benchmarks/plot.py`` ->
``benchmarks/results/{td_update,agent_step,ppo_wallclock}.png``."""

from __future__ import annotations

from pathlib import Path

import matplotlib
from common import read_rows

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def plot_td_update(rows, path):
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    colors = {1: "tab:blue", 64: "tab:orange", 1024: "tab:green"}
    for bsz, color in colors.items():
        for impl, style in (("fused", "o-"), ("per_step", "s--"), ("numpy", "^:")):
            pts = sorted((r["d"], r["updates_per_s"] * r["B"]) for r in rows if r["impl"] == impl and r["B"] == bsz)
            a.loglog(*zip(*pts, strict=True), style, color=color, label=f"B={bsz} {impl}")
        fr = sorted((r["d"], r["bandwidth_fraction"]) for r in rows if r["impl"] == "fused" and r["B"] == bsz)
        b.semilogx(*zip(*fr, strict=True), "o-", color=color, label=f"B={bsz} fused")
        fused = [r for r in rows if r["impl"] == "fused" and r["B"] == bsz and "pass_bound" in r]
        bound = sorted((r["d"], r["pass_bound"]) for r in fused)
        if bound:
            b.semilogx(*zip(*bound, strict=True), ":", color=color, label=f"B={bsz} predict + 1 pass bound")
    a.set(xlabel="features d", ylabel="agent-updates/s (H=8 heads)", title="TD(λ) update throughput")
    b.axhline(0.5, color="grey", ls="--", lw=1, label="target 50%")
    b.set(xlabel="features d", ylabel="fraction of bandwidth ceiling", title="fused scan vs the same run's ceiling")
    a.legend(fontsize=7, ncol=3)
    b.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_agent_step(rows, path):
    fig, ax = plt.subplots(figsize=(6, 4))
    for world in sorted({r["world"] for r in rows}):
        pts = sorted((r["B"], r["agent_steps_per_s"]) for r in rows if r["world"] == world)
        line = ax.loglog(*zip(*pts, strict=True), "o-", label=world)[0]
        alone = sorted((r["B"], r["world_agent_steps_per_s"]) for r in rows if r["world"] == world
                       and "world_agent_steps_per_s" in r)  # fmt: skip
        if alone:
            ax.loglog(*zip(*alone, strict=True), ":", color=line.get_color(), label=f"{world}: the world alone")
        bound = sorted((r["B"], r["matmul_gflops"] * 1e9 / r["flops_per_agent_step"]) for r in rows
                       if r["world"] == world and "flops_per_agent_step" in r)  # fmt: skip
        if bound:
            ax.loglog(*zip(*bound, strict=True), "--", color=line.get_color(), lw=1,
                      label=f"{world}: its FLOPs at the matmul rate")  # fmt: skip
    ax.set(xlabel="agents sharing a brain (B)", ylabel="agent-steps/s", title="whole-agent step throughput")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_ppo_wallclock(rows, path):
    """CartPole return against env-steps and against training seconds: the agent evaluated as PPO is, the agent's
    training episodes, and PPO, with the 475 target."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    agent, ppo = rows["agent"], rows["ppo"]
    curves = (("agent, evaluated (128 fresh episodes per seed)", agent, "curve", "tab:blue", "o-"),
              ("agent, its training episodes", agent, "training_curve", "tab:blue", ":"),
              ("PPO (rejax), evaluated", ppo, "curve", "tab:orange", "s-"))  # fmt: skip
    for label, r, curve, color, style in curves:
        steps = r[f"{curve}_steps"]
        seconds = [s / r["total_steps"] * r["run_seconds"] for s in steps]
        for ax, x in zip(axes, (steps, seconds), strict=True):
            ax.plot(x, r[f"{curve}_return"], style, color=color, ms=3, label=label)
    for ax, xlabel in zip(axes, ("env-steps per seed", "training seconds (compile excluded), all seeds"), strict=True):
        ax.axhline(475, color="grey", ls="--", lw=1, label="475")
        ax.set(xlabel=xlabel, ylabel="mean return over seeds")
    ratio = rows.get("ratio")
    axes[1].set_title(f"agent / PPO time to 475: {ratio:.2f}" if ratio is not None else "agent / PPO: n/a")
    axes[0].set_title("CartPole-v1, " + (", ".join(rows.get("agent_sets") or []) or "default presets"))
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    plots = (("td_update", plot_td_update), ("agent_step", plot_agent_step), ("ppo_wallclock", plot_ppo_wallclock))
    for name, fn in plots:
        src = RESULTS / f"{name}.json"
        if src.exists():
            fn(read_rows(src), RESULTS / f"{name}.png")
            print(RESULTS / f"{name}.png")


if __name__ == "__main__":
    main()
