"""lecun_zoo's NTM against the real pytorch-ntm (loudinthecloud/pytorch-ntm, the anchor in
``../shared/anchors/pytorch-ntm``), run side by side: training speed in sequence-steps per
second, and wall time to 0.1 bits per sequence on copy.

The driver (this script, run with the project's Python) starts two worker processes, this same
file with ``--worker zoo`` (the project's Python, TensorFlow) and ``--worker torch`` (a Python that
has torch and attrs, e.g. a separate virtual environment), each with the same number of compute
threads (``TF_NUM_INTRAOP_THREADS`` / ``torch.set_num_threads``, interop 1), and sends them the same
work in turns, so that both run under the same load:

1. Speed, ``--rounds`` rounds; in each, for batch 1 and 32 and lengths "20" and "1-20", both sides
   train ``--steps`` timed steps (after ``--warmup``) on the same list of lengths, one length per
   batch as pytorch-ntm's data loader draws them. pytorch-ntm runs its own ``train.train_batch``
   on its ``tasks.copytask.CopyTaskModelTraining`` (128 x 20 memory, LSTM-100, one read and one
   write head, 8-bit copy, RMSprop 1e-4 as its defaults); lecun_zoo runs ``train_on_batch`` of
   ``get("ntm", "copy")`` on the batch padded to 41 steps as its training pipeline pads it (the
   XLA-compiled loop stops after the batch's 2L + 1 steps). Extra row: lecun_zoo with
   ``length_sampling="sequence"`` (each sequence its own length, the batch runs all 41 steps).
   A sequence-step is one time step of one sequence that is not padding: a batch of length L
   counts batch x (2L + 1). The table gives the median over rounds.
2. Time to 0.1 bits per sequence on copy (lengths 1-20), each side with its own recipe:
   pytorch-ntm its defaults (batch 1, RMSprop 1e-4, momentum 0.9), lecun_zoo the ``copy``
   preset through ``lecun_zoo.train`` (batch 32, Adam 1e-3, seed ``--seed``; lengths per
   sequence as the preset draws them, ``--zoo-sampling batch`` for one per batch). The two train in alternating chunks of ``--chunk`` seconds (a side's clock runs
   only during its own chunks; lecun_zoo's includes its data generation and XLA compilation)
   until the mean bits per sequence over the last ``--window`` training sequences is below
   ``--target``, or the side has used ``--budget`` seconds. ``--converge-sides lecun_zoo`` trains
   only lecun_zoo's side, which then has the machine to itself.

Setup (torch is not a lecun_zoo dependency; a venv that also sees the system's numpy)::

    python3 -m venv --system-site-packages /work/venvs/torch
    /work/venvs/torch/bin/pip install torch==2.13.0 attrs argcomplete

Run::

    python bench/ntm_vs_pytorch_ntm.py --threads 2 --rounds 5 --budget 300
    python bench/ntm_vs_pytorch_ntm.py --torch-python /work/venvs/torch/bin/python --skip-converge

The anchor's folder is put on the torch worker's ``sys.path`` (it is not part of lecun_zoo, and
nothing of it is copied here). Without torch or the anchor the script says so and stops.
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

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_ANCHOR = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "anchors", "pytorch-ntm"))
DEFAULT_TORCH_PYTHON = os.environ.get("NTM_TORCH_PYTHON", "/work/venvs/torch/bin/python")
MAX_LEN = 20
PADDED = 2 * MAX_LEN + 1


# ---------------------------------------------------------------------------------- the workers
def torch_worker(anchor: str, threads: int) -> None:
    sys.path.insert(0, anchor)
    import random

    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    import train as ntm_train  # pytorch-ntm's train.py: train_batch (forward, BCE, backward, clamp, step)
    from tasks.copytask import CopyTaskModelTraining, CopyTaskParams

    models = {}

    def model(batch):
        if batch not in models:
            torch.manual_seed(0)
            models[batch] = CopyTaskModelTraining(params=CopyTaskParams(batch_size=batch))
        return models[batch]

    def batch_of(length, batch, bits=8):  # as tasks/copytask.py's dataloader builds one batch
        seq = torch.from_numpy(np.random.binomial(1, 0.5, (length, batch, bits)))
        inp = torch.zeros(length + 1, batch, bits + 1)
        inp[:length, :, :bits] = seq
        inp[length, :, bits] = 1.0
        return inp.float(), seq.clone().float()

    state = {}
    reply({"ready": True, "torch": torch.__version__, "threads": torch.get_num_threads(),
            "params": sum(p.numel() for p in model(1).net.parameters())})
    for cmd in commands():
        if cmd["cmd"] == "speed":
            m = model(cmd["batch"])
            for length in cmd["warmup_lengths"]:
                x, y = batch_of(length, cmd["batch"])
                ntm_train.train_batch(m.net, m.criterion, m.optimizer, x, y)
            data = [batch_of(length, cmd["batch"]) for length in cmd["lengths"]]
            t0 = time.perf_counter()
            for x, y in data:
                ntm_train.train_batch(m.net, m.criterion, m.optimizer, x, y)
            reply({"seconds": time.perf_counter() - t0})
        elif cmd["cmd"] == "converge":  # pytorch-ntm's train_model loop, in chunks
            if "m" not in state:
                random.seed(cmd["seed"]), np.random.seed(cmd["seed"]), torch.manual_seed(cmd["seed"])
                state.update(m=CopyTaskModelTraining(), costs=[], seconds=0.0, sequences=0)
                state["it"] = iter(state["m"].dataloader)
            m, t0 = state["m"], time.perf_counter()
            while time.perf_counter() - t0 < cmd["chunk"]:
                _, x, y = next(state["it"])
                _, cost = ntm_train.train_batch(m.net, m.criterion, m.optimizer, x, y)
                state["costs"].append(cost)
                state["sequences"] += m.params.batch_size
            state["seconds"] += time.perf_counter() - t0
            window = max(1, cmd["window"] // m.params.batch_size)
            reply({"seconds": state["seconds"], "sequences": state["sequences"],
                    "bits": float(np.mean(state["costs"][-window:])), "full": len(state["costs"]) >= window})
        elif cmd["cmd"] == "quit":
            return


def zoo_worker(threads: int) -> None:
    import threading

    import keras
    import numpy as np

    from lecun_zoo.families.ntm import FAMILY, tasks

    models = {}

    def model(batch, sampling):
        key = (batch, sampling)
        if key not in models:
            keras.utils.set_random_seed(0)
            config = FAMILY.make_config("copy", length_sampling=sampling)
            m = FAMILY.build(config)
            FAMILY.compile(m, config)
            models[key] = (m, config)
        return models[key]

    def padded_batch(length, batch, config, rng):  # one length, padded to 41 steps as the training pipeline pads
        x, y = tasks.make_batch("copy", batch, length, int(rng.integers(1 << 30)), **FAMILY.data_options(config))
        xs = np.zeros((batch, PADDED, x.shape[2]), "float32")
        ys = np.full((batch, PADDED, y.shape[2]), -1.0, "float32")
        xs[:, : x.shape[1]], ys[:, : y.shape[1]] = x, y
        return xs, ys

    def mixed_batch(lengths, config, rng):  # each sequence its own length ("sequence" sampling)
        o = tasks.options("copy", **FAMILY.data_options(config))
        return tasks._pad([tasks.make_example("copy", rng, int(k), o) for k in lengths], PADDED)

    state = {}
    reply({"ready": True, "keras": keras.__version__, "threads": threads,
            "params": model(1, "batch")[0].count_params()})
    for cmd in commands():
        if cmd["cmd"] == "speed":
            m, config = model(cmd["batch"], cmd["sampling"])
            rng = np.random.default_rng(cmd["round"])
            if cmd["sampling"] == "batch":
                make = lambda ls: [padded_batch(k, cmd["batch"], config, rng) for k in ls]  # noqa: E731
            else:
                make = lambda ls: [mixed_batch(rng.integers(cmd["min"], cmd["max"] + 1, cmd["batch"]), config, rng)  # noqa: E731
                                   for _ in ls]
            for x, y in make(cmd["warmup_lengths"]):
                m.train_on_batch(x, y)
            data = make(cmd["lengths"])
            steps = sum(int(tasks.scored_steps(y).sum()) for _, y in data)
            t0 = time.perf_counter()
            for x, y in data:
                m.train_on_batch(x, y)
            reply({"seconds": time.perf_counter() - t0, "sequence_steps": steps})
        elif cmd["cmd"] == "converge":  # lecun_zoo.train in a thread, paused between chunks
            if "thread" not in state:
                state.update(go=threading.Event(), done=threading.Event(), seconds=0.0, bits=None, sequences=0,
                             finished=False)
                cb = _chunk_callback(keras, state, cmd)

                def run():
                    import lecun_zoo

                    lecun_zoo.train("ntm", "copy", data="copy", epochs=1, batch_size=32, seed=cmd["seed"],
                                    validation=False, verbose=0, callbacks=[cb], length_block=32,
                                    length_sampling=cmd["sampling"], train_examples=cmd["max_sequences"])
                    state["finished"] = True
                    state["seconds"] += time.perf_counter() - state["t0"]
                    state["done"].set()

                state["t0"] = time.perf_counter()
                state["chunk"] = cmd["chunk"]
                state["thread"] = threading.Thread(target=run, daemon=True)
                state["thread"].start()
            else:
                state["chunk"], state["t0"] = cmd["chunk"], time.perf_counter()
                state["go"].set()
            state["done"].wait()
            state["done"].clear()
            reply({"seconds": state["seconds"], "sequences": state["sequences"], "bits": state["bits"],
                    "full": state["bits"] is not None, "finished": state["finished"]})
        elif cmd["cmd"] == "quit":
            return


def _chunk_callback(keras, state, cmd):
    window = max(1, cmd["window"] // 32)

    class Chunks(keras.callbacks.Callback):
        """Bits per sequence over the last ``window`` batches; pauses the fit (its clock stopped)
        when the chunk's time is used, until the driver sends the next chunk."""

        def on_train_batch_end(self, batch, logs=None):
            state["sequences"] += 32
            if (batch + 1) % window == 0:
                state["bits"] = float(logs["bit_errors"])
                self.model.reset_metrics()
            if time.perf_counter() - state["t0"] >= state["chunk"]:
                state["seconds"] += time.perf_counter() - state["t0"]
                state["done"].set()
                state["go"].wait()
                state["go"].clear()
                if state.get("stop"):
                    self.model.stop_training = True

    return Chunks()


# ---------------------------------------------------------------------------------- the driver
def flops_per_sequence_step(n=128, m=20, units=100, inputs=10, outputs=8, shifts=3) -> float:
    """Useful float32 FLOPs of one training time step of one sequence (forward + backward, taken
    as 3x forward): LSTM, head and output projections, and both heads' addressing and memory."""
    lstm = 2 * (inputs + m + units) * 4 * units
    heads = 2 * units * ((m + 3 + shifts) + (m + 3 + shifts + 2 * m))
    out = 2 * (units + m) * outputs
    address = 2 * (3 * n * m + 12 * n + 2 * shifts * n)  # cosine (dot and norms) + softmaxes, gates, shift, sharpen
    memory = 2 * n * m + 4 * n * m  # read; erase and add
    return 3.0 * (lstm + heads + out + address + memory)


def speed_table(args, cases, res, loads) -> list:
    print(f"\nSequence-steps per second (training: forward, backward, optimiser), median of {args.rounds} "
          f"rounds, {args.threads} threads each, load average {min(loads):.1f}-{max(loads):.1f}:\n")
    print("| batch | lengths | pytorch-ntm | lecun_zoo | ratio | lecun_zoo, per-sequence lengths |")
    print("|---|---|---|---|---|---|")
    table = []
    for batch, lo, hi in cases:
        t = statistics.median(res[(batch, lo, hi, "pytorch-ntm")])
        z = statistics.median(res[(batch, lo, hi, "lecun_zoo")])
        s = res.get((batch, lo, hi, "lecun_zoo, per-sequence lengths"))
        s = f"{statistics.median(s):,.0f} ({statistics.median(s) / t:.0f}x)" if s else "-"
        span = str(hi) if lo == hi else f"{lo}-{hi}"
        print(f"| {batch} | {span} | {t:,.0f} | {z:,.0f} | {z / t:.1f}x | {s} |")
        table.append({"batch": batch, "lengths": span, "pytorch_ntm": t, "lecun_zoo": z})
    fl = flops_per_sequence_step()
    peak = peak_gflops(args.threads)
    z32 = statistics.median(res[(32, 20, 20, "lecun_zoo")])
    print(f"\nlecun_zoo at batch 32, length 20: {z32 * fl / 1e9:.1f} useful GFLOP/s ({fl / 1e6:.2f} MFLOP per "
          f"sequence-step) = {100 * z32 * fl / 1e9 / peak:.1f} % of a float32 peak of {peak:.0f} GFLOP/s "
          f"({args.threads} cores x clock x 2 FMA x SIMD lanes x 2)", flush=True)

    return table


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--worker", choices=("zoo", "torch"), help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=2, help="compute threads of each side")
    p.add_argument("--anchor", default=DEFAULT_ANCHOR)
    p.add_argument("--torch-python", default=DEFAULT_TORCH_PYTHON)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, nargs=2, default=[40, 10], metavar=("BATCH1", "BATCH32"),
                   help="timed steps per measurement at batch 1 and at batch 32")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--skip-converge", action="store_true")
    p.add_argument("--budget", type=float, default=300.0, help="seconds of training per side at most")
    p.add_argument("--chunk", type=float, default=15.0)
    p.add_argument("--window", type=int, default=3200, help="training sequences the bits are averaged over")
    p.add_argument("--target", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=2)
    p.add_argument("--zoo-sampling", choices=("sequence", "batch"), default="sequence",
                   help="lecun_zoo's training lengths in the convergence run (the copy preset: per sequence)")
    p.add_argument("--converge-sides", choices=("both", "lecun_zoo"), default="both",
                   help="who trains to the target: both sides in alternating chunks, or lecun_zoo alone (an idle "
                        "machine for its whole clock: issue 17's two-minute check)")
    p.add_argument("--out", default=None, help="a JSON file for the raw results")
    args = p.parse_args()
    if args.worker == "torch":
        return torch_worker(args.anchor, args.threads)
    if args.worker == "zoo":
        return zoo_worker(args.threads)

    if not os.path.isdir(os.path.join(args.anchor, "ntm")):
        sys.exit(f"pytorch-ntm not found at {args.anchor} (--anchor)")
    if subprocess.run([args.torch_python, "-c", "import torch, attr, argcomplete"], capture_output=True).returncode:
        sys.exit(f"{args.torch_python} cannot import torch, attrs and argcomplete; see this script's docstring")
    print(f"machine: {machine()}")
    print(f"anchor: {args.anchor} (on the torch worker's sys.path)")
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    zoo, torch = (Worker(python, __file__, ["--worker", kind, "--threads", str(args.threads), "--anchor", args.anchor],
                         args.threads, f"ntm_bench_{kind}")
                  for python, kind in ((sys.executable, "zoo"), (args.torch_python, "torch")))
    print(f"lecun_zoo: keras {zoo.hello['keras']}, {zoo.hello['params']:,} parameters; pytorch-ntm: torch "
          f"{torch.hello['torch']}, {torch.hello['params']:,} parameters; {args.threads} threads each", flush=True)
    import random

    cases = [(1, 20, 20), (1, 1, 20), (32, 20, 20), (32, 1, 20)]
    res: dict = {}
    table: list = []
    loads = []
    try:
        for r in range(args.rounds):
            rng = random.Random(r)
            for batch, lo, hi in cases:
                n = args.steps[0] if batch == 1 else args.steps[1]
                lengths = [rng.randint(lo, hi) for _ in range(n)]
                warm = [rng.randint(lo, hi) for _ in range(args.warmup)]
                steps = sum(batch * (2 * k + 1) for k in lengths)
                common = dict(cmd="speed", batch=batch, lengths=lengths, warmup_lengths=warm, min=lo, max=hi, round=r)
                sides = [("pytorch-ntm", torch, {}), ("lecun_zoo", zoo, {"sampling": "batch"})]
                if lo != hi:
                    sides.append(("lecun_zoo, per-sequence lengths", zoo, {"sampling": "sequence"}))
                for name, w, extra in (sides if r % 2 == 0 else sides[::-1]):
                    out = w.ask(**common, **extra)
                    useful = out.get("sequence_steps", steps)
                    res.setdefault((batch, lo, hi, name), []).append(useful / out["seconds"])
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{args.rounds} done, load average {loads[-1]:.2f}", flush=True)
        table = []
        if args.rounds:
            table = speed_table(args, cases, res, loads)
        conv = {}
        if not args.skip_converge:
            print(f"\nTime to {args.target} bits per sequence (mean over the last {args.window} training "
                  f"sequences), alternating chunks of {args.chunk:.0f} s, at most {args.budget:.0f} s each:", flush=True)
            active = {"pytorch-ntm": torch, "lecun_zoo": zoo}
            if args.converge_sides == "lecun_zoo":
                del active["pytorch-ntm"]
            max_seq = int(args.budget * 32 * 30)  # about what lecun_zoo can train in the budget (generated up front)
            while active:
                for name, w in list(active.items()):
                    out = w.ask(cmd="converge", chunk=args.chunk, window=args.window, seed=args.seed,
                                max_sequences=max_seq, sampling=args.zoo_sampling)
                    conv[name] = out
                    bits = "-" if out["bits"] is None else f"{out['bits']:.2f}"
                    print(f"  {name:12s} {out['seconds']:6.0f} s  {out['sequences']:>8,d} sequences  {bits} bits/seq"
                          f"  (load {os.getloadavg()[0]:.1f})", flush=True)
                    reached = out["full"] and out["bits"] is not None and out["bits"] < args.target
                    if reached or out["seconds"] >= args.budget or out.get("finished"):
                        out["reached"] = bool(reached)
                        del active[name]
            print("\n| side | recipe | reached | seconds | sequences | bits/seq at the end |")
            print("|---|---|---|---|---|---|")
            recipes = {"pytorch-ntm": "its defaults: batch 1, RMSprop 1e-4",
                       "lecun_zoo": f"copy preset: batch 32, Adam 1e-3, lengths per {args.zoo_sampling}, seed {args.seed}"}
            for name, out in conv.items():
                print(f"| {name} | {recipes[name]} | {'yes' if out.get('reached') else 'no'} | {out['seconds']:.0f} | "
                      f"{out['sequences']:,} | {out['bits']:.2f} |")
        print(f"\nload average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        if args.out:
            with open(args.out, "w") as f:
                json.dump({"args": vars(args), "machine": machine(), "speed": table, "converge": conv,
                           "raw": {" ".join(map(str, k)): v for k, v in res.items()}}, f, indent=2)
    finally:
        torch.close()
        zoo.close()  # a paused fit runs in a daemon thread: the worker ends with its command loop


if __name__ == "__main__":
    main()
