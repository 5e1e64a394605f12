"""Perplexity per epoch of finished word_lm training runs, and the t-SNE of one run's word vectors.

    python bench/word_lm_run_report.py RUN [RUN ...] --curves docs/results/word_lm_ptb_curves.png \\
        --tsne docs/results/word_lm_ptb_tsne.png

RUN is a ``lecun-zoo train word_lm --data ptb --out RUN`` folder (``history.json``,
``model.keras``). Prints each run's per-epoch train and validation perplexity and its test
perplexity; ``--curves`` draws them all in one PNG (log scale), with ``--published`` lines;
``--tsne`` draws the word vectors of the first run's final model (the words of
``word_lm_ptb.TSNE_WORDS``) and prints nearest neighbours.
"""

from __future__ import annotations

import argparse
import json
import math
import os

from word_lm_ptb import tsne_picture

PUBLISHED = {"small": (114.5, "LSTM small, Zaremba et al. 2014"), "nplm": (140.2, "NNLM, Mikolov et al. 2011")}


def read_run(run: str) -> dict:
    with open(os.path.join(run, "history.json")) as f:
        h = json.load(f)
    hist = h["history"]
    preset = h["recipe"].get("preset") or "small"
    return {"run": run, "preset": preset, "train": hist.get("perplexity", []), "val": hist.get("val_perplexity", []),
            "test": (h.get("test") or {}).get("perplexity"), "seconds": h.get("train_seconds"),
            "runtime": h.get("runtime", "")}


def curves(runs: list, out: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for i, r in enumerate(runs):
        color = f"C{i}"
        epochs = range(1, len(r["train"]) + 1)
        ax.plot(epochs, r["train"], "--", color=color, label=f"{r['preset']} train")
        ax.plot(epochs, r["val"], "-o", color=color, markersize=3, label=f"{r['preset']} validation")
        if r["test"]:
            ax.plot([len(r["train"])], [r["test"]], "*", color=color, markersize=11,
                    label=f"{r['preset']} test {r['test']:.1f}")
        if r["preset"] in PUBLISHED:
            value, who = PUBLISHED[r["preset"]]
            ax.axhline(value, color=color, linewidth=0.8, alpha=0.6)
            ax.text(1, value, f" {who}: {value}", color=color, fontsize=7, va="bottom")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("perplexity (log scale)")
    ax.set_title("Penn Treebank: perplexity per epoch (lecun-zoo train word_lm --data ptb)")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="+")
    p.add_argument("--curves", default=None)
    p.add_argument("--tsne", default=None)
    args = p.parse_args(argv)
    runs = [read_run(r) for r in args.runs]
    for r in runs:
        print(f"{r['run']} ({r['preset']}, {r['seconds'] or 0:.0f} s, {r['runtime']}):")
        print("  epoch  train ppl  val ppl")
        for i, (t, v) in enumerate(zip(r["train"], r["val"]), 1):
            print(f"  {i:5d} {t:10.1f} {v:8.1f}")
        if r["test"] and not math.isnan(r["test"]):
            print(f"  test perplexity {r['test']:.2f}")
    if args.curves:
        print("curves:", curves(runs, args.curves))
    if args.tsne:
        print("t-SNE:", tsne_picture(os.path.join(args.runs[0], "model.keras"), args.tsne))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
