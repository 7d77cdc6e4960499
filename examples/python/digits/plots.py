"""Figures of the demo: the two groups side by side, and the per-step trace."""
import matplotlib

matplotlib.use("Agg")  # files only; no display needed
import matplotlib.pyplot as plt
import numpy as np


def plot_groups(path, rows, digit):
    """rows: [(label, images (K, 64), quality (K,))], one row per method."""
    k = max(len(images) for _, images, _ in rows)
    fig, axes = plt.subplots(len(rows), k, figsize=(1.6 * k + 1.2, 1.9 * len(rows)), squeeze=False)
    for r, (label, images, quality) in enumerate(rows):
        for j in range(k):
            ax = axes[r, j]
            ax.set_xticks([]), ax.set_yticks([])
            if j < len(images):
                ax.imshow(images[j].reshape(8, 8), cmap="gray_r", vmin=-1, vmax=1)
                ax.set_title(f"log p = {quality[j]:.2f}", fontsize=8)
        axes[r, 0].set_ylabel(label, fontsize=9)
    fig.suptitle(f"digit {digit}: i.i.d. samples vs. group inference")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_trace(path, records, final_ids, digit):
    """Survivors per step and every scored candidate's preview scores; the
    final group's candidates are drawn as lines through the steps."""
    fig, (ax_n, ax_q, ax_d) = plt.subplots(1, 3, figsize=(13, 3.8))
    steps = [r.step for r in records]
    ax_n.plot(steps, [len(r.ids) for r in records], "o-", label="scored")
    ax_n.plot(steps, [len(r.kept) for r in records], "s--", label="kept")
    ax_n.set(xlabel="step (only steps that were scored)", ylabel="candidates", yscale="log",
             title="survivors per step")
    ax_n.legend()
    for ax, values, title in [(ax_q, lambda r: r.scorer_values["quality"], "quality: log p(digit | preview)"),
                              (ax_d, lambda r: r.diversity, "diversity: mean 1 - cos to the others")]:
        for r in records:
            v = values(r)
            kept = np.isin(r.ids, r.kept)
            ax.scatter(np.full((~kept).sum(), r.step), v[~kept], s=8, c="0.7", label="dropped" if r is records[0] else None)
            ax.scatter(np.full(kept.sum(), r.step), v[kept], s=8, c="tab:blue", label="kept" if r is records[0] else None)
        for i in final_ids:  # each final member's path through the records
            pts = [(r.step, values(r)[np.searchsorted(r.ids, i)]) for r in records if i in r.ids]
            ax.plot(*zip(*pts), c="tab:red", lw=1, alpha=0.7)
        ax.set(xlabel="step", title=title)
        ax.legend(fontsize=8)
    fig.suptitle(f"digit {digit}: group inference trace (red: the final group)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
