"""BLEU by source sentence length, with and without attention (the analogue of Bahdanau
et al. 2015, Fig. 2), from the test outputs that ``bench/seq2seq_multi30k.py --out DIR`` wrote.

    python bench/seq2seq_bleu_by_length.py --runs DIR --png docs/results/seq2seq_bleu_by_length.png

Test sentences are grouped by source length (words and punctuation, our tokeniser); each
group, and the whole test set, is scored with sacrebleu's corpus BLEU (13a, lower-cased), one
line per model, and the table of the same numbers is printed. Hypotheses are passed through
``detokenize(tokenize(.))`` first, so runs saved before detokenisation attached punctuation
("dog ." -> "dog.", "t - shirt" -> "t-shirt") are scored the same way as later ones, and
the ``<unk>`` token becomes the one word ``unk``: sacrebleu's 13a tokeniser would split it
into three tokens (``< unk >``) and count each unknown word as three wrong words.
"""

from __future__ import annotations

import argparse
import glob
import json
import os

EDGES = (0, 10, 13, 16, 20, 1000)  # source-length groups: [lo, hi)


def for_sacrebleu(text: str) -> str:
    """A translation as sacrebleu should see it: detokenised, ``<unk>`` as one word."""
    from lecun_zoo.families.seq2seq.tokens import detokenize, tokenize

    return detokenize(tokenize(text.replace("<unk>", "unk"), "word", False))


def groups(outputs, edges=EDGES):
    """``outputs`` (dicts with ``source_length``) -> ``[(label, [indices])]`` by source length."""
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        idx = [i for i, o in enumerate(outputs) if lo <= o["source_length"] < hi]
        label = f"{max(lo, 1)}-{hi - 1}" if hi < 1000 else f"{lo}+"
        out.append((label, idx))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", required=True, help="folder of <model>.json files from seq2seq_multi30k.py --out")
    ap.add_argument("--png", default="seq2seq_bleu_by_length.png")
    ap.add_argument("--decode", default="greedy", choices=("greedy", "beam"))
    args = ap.parse_args(argv)

    import sacrebleu

    from lecun_zoo.plots._mpl import pyplot

    runs = {}
    for path in sorted(glob.glob(os.path.join(args.runs, "*.json"))):
        with open(path) as f:
            run = json.load(f)
        if args.decode in run["outputs"][0]:
            runs[run["model"]] = run
    if not runs:
        raise SystemExit(f"no run with {args.decode!r} outputs in {args.runs}")
    first = next(iter(runs.values()))["outputs"]
    bins = groups(first)
    bleu = sacrebleu.metrics.BLEU(lowercase=True)
    table = {}
    for name, run in runs.items():
        outs = run["outputs"]
        hyps = [for_sacrebleu(o[args.decode]) for o in outs]
        score = lambda idx: bleu.corpus_score([hyps[i] for i in idx], [[outs[i]["reference"] for i in idx]]).score  # noqa: E731
        table[name] = [score(idx) for _, idx in bins] + [score(range(len(outs)))]
    labels = [f"{label} (n={len(idx)})" for label, idx in bins] + [f"all (n={len(first)})"]
    print(f"sacreBLEU ({args.decode}) by source length; {bleu.get_signature()}")
    print("| model | " + " | ".join(labels) + " |")
    print("|---|" + "---:|" * len(labels))
    for name, row in table.items():
        print(f"| {name} | " + " | ".join(f"{b:.1f}" for b in row) + " |")

    plt = pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    for name, row in table.items():
        style = "-o" if runs[name].get("attention", "none") != "none" else "--s"
        ax.plot(range(len(bins)), row[:-1], style, label=f"{name} ({row[-1]:.1f} overall)")
    ax.set_xticks(range(len(bins)), [label for label, _ in bins])
    ax.set_xlabel("source sentence length (tokens)")
    ax.set_ylabel(f"sacreBLEU, {args.decode}")
    ax.set_title("Multi30k De->En test_2016_flickr: BLEU by source length")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    plt.close(fig)
    print(f"wrote {args.png}")
    return table


if __name__ == "__main__":
    main()
