"""Training throughput (tokens per second) of the word_lm LSTM `small` (Zaremba et al. 2014:
2 x 200 LSTM, 10,000 words, batch 20, 20 BPTT steps, SGD, clipped) side by side with the same
model in plain Keras and in PyTorch, and of the NPLM; float32 and mixed_bfloat16.

    python bench/word_lm_throughput.py --threads 2 --rounds 5
    python bench/word_lm_throughput.py --pt-examples /work/ext/pytorch-examples/word_language_model

Rows, all the same architecture and update (the `small` preset's SGD with global-norm clipping):

- ``lecun_zoo``: ``FAMILY.build`` + ``FAMILY.compile`` of the ``small`` preset, as ``lecun_zoo.train``
  runs it (its loss :class:`TokenNLL` and its perplexity and bits-per-token metrics included);
- ``lecun_zoo, issue-19 loss``: the same model compiled as before issue 19, with Keras'
  ``SparseCategoricalCrossentropy`` as the loss and metrics that each ran that cross-entropy again
  (what ``lecun_zoo.train`` did until then);
- ``plain Keras``: a hand-written ``Sequential`` (Embedding, two stateful ``LSTM``, ``Dense``,
  ``Softmax``) with ``SparseCategoricalCrossentropy``, no metrics;
- ``PyTorch``: ``RNNModel("LSTM", ...)`` from pytorch/examples' ``word_language_model/model.py``,
  imported from ``--pt-examples`` (a folder outside this repository; not part of lecun_zoo), trained
  as that example's ``main.py`` trains it: hidden state detached every batch, ``NLLLoss`` on its
  log-softmax, ``clip_grad_norm_``, a plain SGD update. Needs a Python with torch
  (``--torch-python``): ``python3 -m venv --system-site-packages /work/venvs/torch &&
  /work/venvs/torch/bin/pip install torch==2.13.0``; the folder comes from
  ``git show HEAD:word_language_model/model.py`` of github.com/pytorch/examples.

Each measurement is ``--steps`` training steps (``train_on_batch``; after ``--warmup`` untimed
steps) on consecutive random windows; every round measures every row, in turns, and the table
gives the median over ``--rounds`` rounds. The two frameworks run in separate worker processes
with the same number of threads (``bench/sidebyside.py``). FLOPs per token: 3x the forward
matmuls (LSTM gates and the 10k-way output layer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from sidebyside import Worker, commands, machine, peak_gflops, reply

VOCAB, BATCH, STEPS_T, UNITS = 10000, 20, 20, 200
DEFAULT_TORCH_PYTHON = os.environ.get("WORD_LM_TORCH_PYTHON", "/work/venvs/torch/bin/python")
DEFAULT_PT_EXAMPLES = "/work/ext/pytorch-examples/word_language_model"


def flops_per_token(vocab=VOCAB, units=UNITS, layers=2) -> float:
    """Training FLOPs of one token of the LSTM LM: 3x the forward matmuls."""
    lstm = layers * 2 * (units + units) * 4 * units
    return 3.0 * (lstm + 2 * units * vocab)


def windows(n: int, seed: int, length: int = STEPS_T, batch: int = BATCH):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.integers(0, VOCAB, size=(n, batch, length)).astype("int32")
    y = rng.integers(0, VOCAB, size=(n, batch, length)).astype("int32")
    return x, y


# ---------------------------------------------------------------------------------- workers
def keras_worker(threads: int) -> None:
    import keras

    from lecun_zoo.families.word_lm import FAMILY
    from lecun_zoo.families.word_lm.metrics import BitsPerToken, Perplexity
    from lecun_zoo.runtime import runtime

    class FullCrossEntropy(Perplexity):  # the metric as it was before issue 19: a cross-entropy of its own
        def update_state(self, y_true, y_pred, sample_weight=None):
            nll = keras.losses.sparse_categorical_crossentropy(y_true, keras.ops.cast(y_pred, "float32"))
            self.total_nll.assign_add(keras.ops.sum(nll))
            self.tokens.assign_add(keras.ops.cast(keras.ops.size(nll), "float32"))

    def zoo(preset, precision, before=False):
        keras.utils.set_random_seed(0)
        with runtime(precision=precision):
            cfg = FAMILY.make_config(preset, vocab_size=VOCAB)
            model = FAMILY.build(cfg)
            FAMILY.compile(model, cfg)
            if before:
                model.compile(optimizer=model.optimizer, loss=keras.losses.SparseCategoricalCrossentropy(),
                              metrics=[FullCrossEntropy(), FullCrossEntropy(name="bits")])
        return model, cfg

    def plain(precision):
        keras.utils.set_random_seed(0)
        with runtime(precision=precision):
            init = keras.initializers.RandomUniform(-0.1, 0.1)
            model = keras.Sequential([
                keras.Input(batch_shape=(BATCH, None), dtype="int32"),
                keras.layers.Embedding(VOCAB, UNITS, embeddings_initializer=init),
                keras.layers.LSTM(UNITS, return_sequences=True, stateful=True, kernel_initializer=init,
                                  recurrent_initializer=init),
                keras.layers.LSTM(UNITS, return_sequences=True, stateful=True, kernel_initializer=init,
                                  recurrent_initializer=init),
                keras.layers.Dense(VOCAB, kernel_initializer=init),
                keras.layers.Softmax(dtype="float32"),
            ])
            model.compile(optimizer=keras.optimizers.SGD(20.0, global_clipnorm=0.25),
                          loss=keras.losses.SparseCategoricalCrossentropy())
        return model, None

    built = {}

    def get(row, precision):
        key = (row, precision)
        if key not in built:
            if row == "plain Keras":
                built[key] = plain(precision)
            else:
                built[key] = zoo("nplm" if row.startswith("lecun_zoo nplm") else "small", precision,
                                 before=row == "lecun_zoo, issue-19 loss")
        return built[key]

    reply({"ready": True, "keras": keras.__version__, "threads": threads})
    for cmd in commands():
        if cmd["cmd"] == "quit":
            return
        model, cfg = get(cmd["row"], cmd["precision"])
        length = cfg.seq_len + cfg.context if cfg is not None and cfg.architecture == "nplm" else STEPS_T
        batch = cfg.batch_size if cfg is not None else BATCH
        x, y = windows(cmd["warmup"] + cmd["steps"], cmd["round"], length, batch)
        if length != STEPS_T:
            y = y[:, :, : cfg.seq_len]
        for i in range(cmd["warmup"]):
            model.train_on_batch(x[i], y[i])
        t0 = time.perf_counter()
        for i in range(cmd["warmup"], cmd["warmup"] + cmd["steps"]):
            model.train_on_batch(x[i], y[i])
        tokens = cmd["steps"] * y.shape[1] * y.shape[2]
        reply({"seconds": time.perf_counter() - t0, "tokens": tokens})


def torch_worker(threads: int, pt_examples: str) -> None:
    sys.path.insert(0, pt_examples)
    import torch
    from model import RNNModel  # pytorch/examples' word_language_model/model.py

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = RNNModel("LSTM", VOCAB, UNITS, UNITS, 2, dropout=0.0)
    criterion = torch.nn.NLLLoss()
    lr, clip = 20.0, 0.25  # its main.py defaults (--lr 20 --clip 0.25 on the mean loss), as the Keras rows

    def step(data, targets, hidden):  # one batch as its main.py's train() runs it
        hidden = tuple(h.detach() for h in hidden)
        model.zero_grad()
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(p.grad, alpha=-lr)
        return hidden

    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
           "params": sum(p.numel() for p in model.parameters())})
    for cmd in commands():
        if cmd["cmd"] == "quit":
            return
        model.train()
        x, y = windows(cmd["warmup"] + cmd["steps"], cmd["round"])
        xs = [torch.from_numpy(b.T.astype("int64")).contiguous() for b in x]  # [time, batch], its layout
        ys = [torch.from_numpy(b.T.astype("int64")).reshape(-1) for b in y]
        hidden = model.init_hidden(BATCH)
        for i in range(cmd["warmup"]):
            hidden = step(xs[i], ys[i], hidden)
        t0 = time.perf_counter()
        for i in range(cmd["warmup"], cmd["warmup"] + cmd["steps"]):
            hidden = step(xs[i], ys[i], hidden)
        reply({"seconds": time.perf_counter() - t0, "tokens": cmd["steps"] * BATCH * STEPS_T})


# ---------------------------------------------------------------------------------- driver
def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", choices=("keras", "torch"), help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=2, help="compute threads of each worker")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--precisions", default="float32,mixed_bfloat16")
    p.add_argument("--torch-python", default=DEFAULT_TORCH_PYTHON)
    p.add_argument("--pt-examples", default=DEFAULT_PT_EXAMPLES,
                   help="pytorch/examples' word_language_model folder (holds model.py)")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    if args.worker == "keras":
        return keras_worker(args.threads)
    if args.worker == "torch":
        return torch_worker(args.threads, args.pt_examples)

    precisions = args.precisions.split(",")
    rows = [(r, pr) for pr in precisions for r in ("lecun_zoo", "lecun_zoo, issue-19 loss", "plain Keras")]
    rows += [("lecun_zoo nplm", pr) for pr in precisions]
    workers = {"keras": Worker(sys.executable, __file__, ["--worker", "keras", "--threads", str(args.threads)],
                               args.threads, "word_lm_bench_keras")}
    torch_ok = not args.no_torch and os.path.exists(os.path.join(args.pt_examples, "model.py")) and not subprocess.run(
        [args.torch_python, "-c", "import torch"], capture_output=True).returncode
    if torch_ok:
        workers["torch"] = Worker(args.torch_python, __file__, ["--worker", "torch", "--threads", str(args.threads),
                                                                "--pt-examples", args.pt_examples],
                                  args.threads, "word_lm_bench_torch")
        rows.insert(3, ("PyTorch (pytorch/examples RNNModel)", "float32"))
    else:
        print(f"PyTorch row left out: needs {args.torch_python} with torch and {args.pt_examples}/model.py")
    print(f"machine: {machine()}")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    res: dict = {}
    loads = []
    try:
        for r in range(args.rounds):
            for row, precision in (rows if r % 2 == 0 else rows[::-1]):
                w = workers["torch" if row.startswith("PyTorch") else "keras"]
                out = w.ask(cmd="speed", row=row, precision=precision, steps=args.steps, warmup=args.warmup, round=r)
                res.setdefault((row, precision), []).append(out["tokens"] / out["seconds"])
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{args.rounds}, load average {loads[-1]:.2f}", flush=True)
    finally:
        for w in workers.values():
            w.close()
    fl, peak = flops_per_token(), peak_gflops(args.threads)
    print(f"\nTraining tokens per second, median of {args.rounds} rounds of {args.steps} steps, {args.threads} "
          f"threads each, load average {min(loads):.1f}-{max(loads):.1f}; LSTM small: {fl / 1e6:.1f} MFLOP per "
          f"token, float32 peak {peak:.0f} GFLOP/s:\n")
    print("| model | precision | tokens/s | vs plain Keras | float32 peak used |")
    print("|---|---|---:|---:|---:|")
    table = []
    for row, precision in rows:
        v = statistics.median(res[(row, precision)])
        base = res.get(("plain Keras", precision)) or res.get(("plain Keras", "float32"))
        ratio = "-" if "nplm" in row or not base else f"{v / statistics.median(base):.2f}x"
        used = "-" if "nplm" in row else f"{100 * v * fl / 1e9 / peak:.0f} %"
        print(f"| {row} | {precision} | {v:,.0f} | {ratio} | {used} |")
        table.append({"row": row, "precision": precision, "tokens_per_s": v, "rounds": res[(row, precision)]})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "machine": machine(), "table": table}, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
