"""Penn Treebank test perplexity: interpolated Kneser-Ney, the NPLM and the LSTM / RNN LMs.

    python bench/word_lm_ptb.py --data-dir /work/shared/data/ptb --models kn,nplm,lstm \
        --minutes 4 --tsne docs/results/word_lm_ptb_tsne.png

Neural models train through ``lecun_zoo.train`` for at most ``--epochs`` epochs or
``--minutes`` minutes of training each (whichever ends first: a partial epoch is reported
as such; the validation pass after each epoch is not counted), then the whole test set
is scored. Prints a table next to the papers' figures (Mikolov et al. 2011; Zaremba et
al. 2014), and optionally writes JSON and a t-SNE picture of the word vectors.
"""

from __future__ import annotations

import argparse
import json
import os
import time

PAPER = {
    "kn": "KN-5 141.2 (Mikolov et al. 2011)",
    "nplm": "feed-forward NNLM 140.2 (Mikolov et al. 2011)",
    "rnn": "RNN LM 124.7 (Mikolov et al. 2011)",
    "lstm": "LSTM small 114.5 (Zaremba et al. 2014)",
}
PRESET = {"nplm": "nplm", "lstm": "small", "rnn": "rnn"}
TSNE_WORDS = {
    "tab:red": "monday tuesday wednesday thursday friday january february march april june july september october december".split(),
    "tab:blue": "he she they we i you it".split(),
    "tab:green": "is was are were be been has had have".split(),
    "tab:orange": "company bank firm group corp. inc. co. unit".split(),
    "tab:purple": "stock shares bonds securities prices rates".split(),
    "tab:brown": "said says reported added noted".split(),
    "tab:gray": "two three four five six seven eight nine ten million billion".split(),
    "tab:olive": "new york london tokyo japan u.s. california washington".split(),
}


class TimeBudget:
    """Stops training after ``seconds`` of it (checked after every batch; the validation
    passes of ``lecun_zoo.train`` do not count). ``callback`` keeps ``steps``, ``stopped``,
    ``val_s`` (seconds spent validating) and ``t_end`` (when training ended)."""

    def __init__(self, seconds: float):
        import keras

        class _CB(keras.callbacks.Callback):
            def __init__(cb):
                super().__init__()
                cb.t0, cb.steps, cb.stopped, cb.val_s, cb.t_end = None, 0, False, 0.0, None

            def on_train_begin(cb, logs=None):
                cb.t0 = time.time()

            def on_train_batch_end(cb, batch, logs=None):
                cb.steps += 1
                if time.time() - cb.t0 - cb.val_s > seconds:
                    cb.stopped = True
                    cb.model.stop_training = True

            def on_test_begin(cb, logs=None):
                cb.t_val = time.time()

            def on_test_end(cb, logs=None):
                cb.val_s += time.time() - cb.t_val

            def on_train_end(cb, logs=None):
                cb.t_end = time.time()

        self.callback = _CB()


def run_kn(data_dir: str, order: int, modified: bool = False) -> dict:
    from lecun_zoo.families.word_lm.corpus import PTB
    from lecun_zoo.families.word_lm.kneser_ney import KneserNey

    t0 = time.time()
    vocab = PTB.vocabulary(data_dir)
    train, test = PTB.ids("train", data_dir), PTB.ids("test", data_dir)
    lm = KneserNey(order, len(vocab), modified=modified).fit(train)
    ppl = lm.perplexity(test, start=1)
    return {"model": f"interpolated {'modified ' if modified else ''}KN-{order}", "test_ppl": ppl, "tokens": len(test) - 1,
            "wall_s": time.time() - t0, "trained": "counts of the full train split"}


def run_neural(kind: str, data_dir: str, epochs: int, minutes: float, precision: str, save: str | None,
               overrides: dict) -> dict:
    import lecun_zoo
    from lecun_zoo.families.word_lm import FAMILY

    budget = TimeBudget(minutes * 60)
    # a Recipe, since train()'s own batch_size keyword would not set the config's field of that name
    batch_size = FAMILY.make_config(PRESET[kind], **overrides).batch_size
    recipe = lecun_zoo.Recipe("word_lm", preset=PRESET[kind], overrides=overrides, data="ptb", epochs=epochs,
                              batch_size=batch_size, precision=precision)
    result = lecun_zoo.train(recipe=recipe, data_dir=data_dir, callbacks=[budget.callback], verbose=2)
    cb, model, cfg = budget.callback, result.model, result.config
    eval_s = time.time() - cb.t_end  # train() scores the test split after training
    train_s = result.train_seconds - cb.val_s
    tokens_per_step = cfg.batch_size * cfg.seq_len
    if save:
        lecun_zoo.save(model, save)
    done = cb.steps
    return {
        "model": f"{kind} (preset {PRESET[kind]}, {model.count_params():,} params)",
        "test_ppl": result.metrics["perplexity"], "train_ppl_last_epoch": float(result.history.history["perplexity"][-1]),
        "steps": done, "train_tokens": done * tokens_per_step, "stopped_by_time": cb.stopped,
        "wall_s": train_s, "eval_s": eval_s, "tokens_per_s": done * tokens_per_step / train_s,
        "precision": precision, "config": {k: v for k, v in cfg.to_dict().items() if k != "vocab"},
        "epochs_done": done * tokens_per_step / 929_589,
    }


def tsne_picture(model_path: str, out: str) -> str:
    import lecun_zoo
    from lecun_zoo.families.word_lm.embeddings import nearest, tsne_plot

    model = lecun_zoo.load(model_path)
    colors = {w: c for c, ws in TSNE_WORDS.items() for w in ws}
    words = [w for ws in TSNE_WORDS.values() for w in ws]
    for w in ("monday", "company", "said", "he", "three"):
        print(f"  nearest({w!r}):", ", ".join(f"{t} {s:.2f}" for t, s in nearest(model, w, 6)))
    return tsne_plot(model, words, out, colors=colors, title="PTB word vectors (t-SNE), colours = word groups")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data-dir", required=True, help="folder with ptb.{train,valid,test}.txt")
    p.add_argument("--models", default="kn,nplm,lstm", help="comma list of kn (interpolated Kneser-Ney), mkn (modified KN), nplm, lstm, rnn")
    p.add_argument("--kn-order", type=int, default=5)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--minutes", type=float, default=4.0, help="training time budget per neural model")
    p.add_argument("--precision", default="float32")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="config override for the neural models (JSON value)")
    p.add_argument("--save-dir", default=None, help="save the trained .keras models here")
    p.add_argument("--tsne", default=None, help="write a t-SNE PNG of the word vectors of the last neural model")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    overrides = {}
    for pair in args.set:
        k, v = pair.split("=", 1)
        try:
            overrides[k] = json.loads(v)
        except json.JSONDecodeError:
            overrides[k] = v
    rows, last_saved = [], None
    for kind in args.models.split(","):
        kind = kind.strip()
        if kind in ("kn", "mkn"):
            row = run_kn(args.data_dir, args.kn_order, modified=kind == "mkn")
            row["paper"] = PAPER["kn"]
        else:
            save = None
            if args.save_dir or args.tsne:
                folder = args.save_dir or "/tmp"
                os.makedirs(folder, exist_ok=True)
                save = os.path.join(folder, f"word_lm_ptb_{kind}.keras")
            row = run_neural(kind, args.data_dir, args.epochs, args.minutes, args.precision, save, overrides)
            row["paper"] = PAPER[kind]
            last_saved = save
        rows.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "config"}, default=str))
    print()
    print(f"{'model':48s} {'test ppl':>9s} {'trained':>28s} {'wall s':>8s}   paper")
    for r in rows:
        trained = r.get("trained") or f"{r['steps']} steps, {r['train_tokens']:,} tok"
        print(f"{r['model']:48s} {r['test_ppl']:9.1f} {trained:>28s} {r['wall_s']:8.1f}   {r['paper']}")
    if args.tsne and last_saved:
        print("t-SNE:", tsne_picture(last_saved, args.tsne))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
