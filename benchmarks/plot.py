"""Plots the benchmark JSONs: ``python benchmarks/plot.py`` -> ``benchmarks/results/{td_update,agent_step}.png``."""

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
    ax.set(xlabel="agents sharing a brain (B)", ylabel="agent-steps/s", title="whole-agent step throughput")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    for name, fn in (("td_update", plot_td_update), ("agent_step", plot_agent_step)):
        src = RESULTS / f"{name}.json"
        if src.exists():
            fn(read_rows(src), RESULTS / f"{name}.png")
            print(RESULTS / f"{name}.png")


if __name__ == "__main__":
    main()
