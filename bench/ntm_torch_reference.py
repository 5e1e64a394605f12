"""A per-time-step PyTorch NTM: the speed comparator for ``bench/ntm_speed.py``.

This is an independent re-implementation (not a copy) of the neural Turing machine of
Graves, Wayne & Danihelka (2014), written the way loudinthecloud/pytorch-ntm is
structured, so that its training step costs what theirs costs:

* an NTM *cell* module called once per time step from a Python loop (input phase:
  ``length`` data vectors + the delimiter; output phase: ``length`` steps with zero
  input), eager PyTorch, autograd through the whole unrolled sequence;
* the controller is ``nn.LSTM`` fed a length-1 sequence at every step;
* a memory module that holds the batch's ``[batch, N, M]`` memory as mutable state,
  read heads and write heads as separate modules, each with its own ``nn.Linear`` from
  the controller output to its parameters;
* outputs collected into a preallocated tensor (``y_out[t] = o``), sigmoid outputs,
  ``nn.BCELoss``, gradient clipping, one optimizer step per batch.

The model is lecun_zoo's ``copy`` preset (``lecun_zoo/families/ntm/config.py``): 8-bit
vectors plus 2 delimiter channels (10 inputs), 8 outputs, a 128 x 20 memory with the
constant 1e-6 initialisation, an LSTM-100 controller starting at zero, one read and one
write head, shift range 1, read vector and weightings starting from learned biases,
head parameters and output logits clipped to [-20, 20], the same head activations (tanh
key, softplus strength, sigmoid gate, softmax shift, 1 + softplus sharpening, sigmoid
erase, tanh add), Adam 1e-3 with global gradient norm clip 50 (``--optimizer rmsprop``
gives pytorch-ntm's RMSprop 1e-4, momentum 0.9, alpha 0.95 and its element-wise
[-10, 10] gradient clamp). pytorch-ntm differs in such details (raw key, random memory
init, a learned controller start), which do not change the cost of a step. The parameter
count differs from ours only by ``nn.LSTM``'s second bias vector (4 x 100 = 400, +0.6 %),
see the printed breakdown. Every step trains on one fixed batch of copy length 20, as
``bench/ntm_speed.py`` does.

Three variants are timed (``--variants``), the same model and maths in each:

* ``pytorch-ntm`` -- as loudinthecloud/pytorch-ntm runs: ``nn.LSTM`` on a length-1
  sequence per step, and the circular shift as one ``conv1d`` per sequence in a Python
  loop over the batch (pytorch-ntm's memory module does this; it adds to the cost of the
  per-time-step loop as the batch grows);
* ``batched-shift`` -- the same, with the shift done for the whole batch at once
  (``torch.roll`` of the weighting, one term per shift);
* ``lstmcell`` -- ``batched-shift`` with ``nn.LSTMCell`` instead of ``nn.LSTM`` (on CPU a
  one-step ``nn.LSTM`` takes the oneDNN RNN path, costly per call): the fastest eager
  per-time-step version we wrote, a stronger baseline than pytorch-ntm itself.

Install (benchmark only; torch is NOT a lecun_zoo dependency)::

    python -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install numpy torch --index-url https://download.pytorch.org/whl/cpu

Run (one thread, like ``TF_NUM_INTRAOP_THREADS=1`` on our side)::

    /tmp/torchvenv/bin/python bench/ntm_torch_reference.py --steps 20 --threads 1
    /tmp/torchvenv/bin/python bench/ntm_torch_reference.py --check   # addressing self-checks

Columns: wall ms per step (mean and median over ``--steps`` after ``--warmup`` steps),
steps per second (1000 / mean), and CPU ms per step (process CPU time, less sensitive to
other jobs on a shared machine than wall time).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

EPS = 1e-8  # as lecun_zoo.families.ntm.addressing.EPSILON
CONSTANT_INIT = 1e-6  # Collier & Beel's constant memory initialisation


# ---------------------------------------------------------------------------- memory
class Memory(nn.Module):
    """The ``[batch, N, M]`` memory of the current sequences, plus NTM addressing (Sec. 3.3)."""

    def __init__(self, n: int, m: int, shift: str = "per-sample"):
        super().__init__()
        self.n, self.m, self.shift_mode = n, m, shift
        self.register_buffer("initial", torch.full((n, m), CONSTANT_INIT))
        self.data = None  # [batch, N, M], replaced by every write

    def reset(self, batch: int) -> None:
        self.batch = batch
        self.data = self.initial.unsqueeze(0).expand(batch, -1, -1).clone()  # [batch, N, M]

    def read(self, w):  # w [batch, N] -> [batch, M]   (eq. 2)
        return torch.bmm(w.unsqueeze(1), self.data).squeeze(1)

    def write(self, w, erase, add):  # w [batch, N], erase/add [batch, M]   (eqs. 3-4)
        w = w.unsqueeze(-1)  # [batch, N, 1]
        self.data = self.data * (1 - w * erase.unsqueeze(1)) + w * add.unsqueeze(1)

    def address(self, key, beta, g, s, gamma, w_prev):
        # content: softmax over rows of beta * cosine(key, row)   (eqs. 5-6)
        sim = F.cosine_similarity(self.data + EPS, key.unsqueeze(1) + EPS, dim=-1)  # [batch, N]
        w_c = torch.softmax(beta * sim, dim=1)
        # interpolation   (eq. 7)
        w_g = g * w_c + (1 - g) * w_prev
        # circular shift   (eq. 8)
        w_s = self._shift_per_sample(w_g, s) if self.shift_mode == "per-sample" else self._shift_batched(w_g, s)
        # sharpening   (eq. 9)
        w = w_s.clamp_min(0) ** gamma
        return w / (w.sum(dim=1, keepdim=True) + EPS)

    @staticmethod
    def _circular_conv(w, s):  # one sequence: w [N], s [2R + 1] -> [N]
        r = s.shape[0] // 2
        padded = torch.cat([w[-r:], w, w[:r]]) if r else w  # wrap around
        # conv1d is a correlation: flip s so that s[k + R] moves weight by +k
        return F.conv1d(padded.view(1, 1, -1), s.flip(0).view(1, 1, -1)).view(-1)

    def _shift_per_sample(self, w, s):  # a Python loop over the batch, as pytorch-ntm
        out = torch.zeros_like(w)
        for b in range(self.batch):
            out[b] = self._circular_conv(w[b], s[b])
        return out

    @staticmethod
    def _shift_batched(w, s):  # the whole batch at once
        r = s.shape[1] // 2
        return sum(s[:, j : j + 1] * torch.roll(w, shifts=j - r, dims=1) for j in range(s.shape[1]))


# ---------------------------------------------------------------------------- heads
class Head(nn.Module):
    """A read or write head: its own linear map from the controller output to
    ``[key M | beta 1 | g 1 | shift 2R+1 | gamma 1]`` (+ ``[erase M | add M]`` to write)."""

    def __init__(self, memory: Memory, controller_size: int, shift_range: int, clip: float, write: bool):
        super().__init__()
        self.memory, self.clip, self.is_write = memory, clip, write
        m = memory.m
        self.sizes = [m, 1, 1, 2 * shift_range + 1, 1] + ([m, m] if write else [])
        self.fc = nn.Linear(controller_size, sum(self.sizes))
        nn.init.xavier_uniform_(self.fc.weight, gain=1.4)
        nn.init.normal_(self.fc.bias, std=0.01)

    def forward(self, h, w_prev):
        p = self.fc(h)
        if self.clip:
            p = p.clamp(-self.clip, self.clip)
        parts = torch.split(p, self.sizes, dim=1)
        key, beta, g, s, gamma = parts[:5]
        w = self.memory.address(torch.tanh(key), F.softplus(beta), torch.sigmoid(g),
                                torch.softmax(s, dim=1), 1 + F.softplus(gamma), w_prev)
        if self.is_write:
            self.memory.write(w, torch.sigmoid(parts[5]), torch.tanh(parts[6]))
            return None, w
        return self.memory.read(w), w


# ---------------------------------------------------------------------------- controller
class LSTMController(nn.Module):
    """An LSTM controller that starts at zero (as ours). ``kind="lstm"``: ``nn.LSTM`` run on
    a length-1 sequence per time step (pytorch-ntm; on CPU this takes the oneDNN RNN path,
    which is slow for one step); ``kind="lstmcell"``: ``nn.LSTMCell``. Same parameters."""

    def __init__(self, inputs: int, units: int, kind: str = "lstm"):
        super().__init__()
        self.units, self.kind = units, kind
        if kind == "lstm":
            self.lstm = nn.LSTM(input_size=inputs, hidden_size=units, num_layers=1)
        elif kind == "lstmcell":
            self.lstm = nn.LSTMCell(inputs, units)
        else:
            raise ValueError(f"LSTMController kind got {kind!r}; expected 'lstm' or 'lstmcell'")

    def initial_state(self, batch: int):
        shape = (1, batch, self.units) if self.kind == "lstm" else (batch, self.units)
        return torch.zeros(shape), torch.zeros(shape)

    def forward(self, x, state):  # x [batch, in] -> h [batch, units]
        if self.kind == "lstmcell":
            h, c = self.lstm(x, state)
            return h, (h, c)
        out, state = self.lstm(x.unsqueeze(0), state)  # [1, batch, units]
        return out.squeeze(0), state


# ---------------------------------------------------------------------------- cell + model
class NTMCell(nn.Module):
    """One time step: controller([x, r_prev]) -> heads (read, then write) -> output."""

    def __init__(self, inputs: int, outputs: int, controller: LSTMController, memory: Memory,
                 heads: nn.ModuleList, clip: float):
        super().__init__()
        self.controller, self.memory, self.heads, self.clip = controller, memory, heads, clip
        n, m = memory.n, memory.m
        self.reads = sum(not h.is_write for h in heads)
        self.read_bias = nn.Parameter(nn.init.xavier_uniform_(torch.empty(self.reads, m)))  # r_0 = tanh(bias)
        self.weighting_bias = nn.Parameter(nn.init.xavier_uniform_(torch.empty(len(heads), n)))  # w_0 = softmax(bias)
        self.fc = nn.Linear(controller.units + self.reads * m, outputs)

    def initial_state(self, batch: int):
        reads = [torch.tanh(self.read_bias[i]).expand(batch, -1) for i in range(self.reads)]
        weights = [torch.softmax(self.weighting_bias[i], 0).expand(batch, -1) for i in range(len(self.heads))]
        return reads, self.controller.initial_state(batch), weights

    def forward(self, x, state):
        prev_reads, controller_state, prev_weights = state
        h, controller_state = self.controller(torch.cat([x] + prev_reads, dim=1), controller_state)
        reads, weights = [], []
        for head, w_prev in zip(self.heads, prev_weights):
            r, w = head(h, w_prev)
            weights.append(w)
            if r is not None:
                reads.append(r)
        logits = self.fc(torch.cat([h] + reads, dim=1))
        if self.clip:
            logits = logits.clamp(-self.clip, self.clip)
        return torch.sigmoid(logits), (reads, controller_state, weights)


class CopyNTM(nn.Module):
    """The whole machine, stepped by the caller: ``init_sequence(batch)``, then ``net(x_t)``."""

    def __init__(self, inputs=10, outputs=8, units=100, n=128, m=20, read_heads=1, write_heads=1,
                 shift_range=1, clip=20.0, shift="per-sample", controller="lstm"):
        super().__init__()
        self.inputs = inputs
        self.memory = Memory(n, m, shift)
        heads = [Head(self.memory, units, shift_range, clip, write=False) for _ in range(read_heads)]
        heads += [Head(self.memory, units, shift_range, clip, write=True) for _ in range(write_heads)]
        controller = LSTMController(inputs + read_heads * m, units, controller)
        self.cell = NTMCell(inputs, outputs, controller, self.memory, nn.ModuleList(heads), clip)

    def init_sequence(self, batch: int) -> None:
        self.batch = batch
        self.memory.reset(batch)
        self.state = self.cell.initial_state(batch)

    def forward(self, x=None):
        if x is None:
            x = torch.zeros(self.batch, self.inputs)
        out, self.state = self.cell(x, self.state)
        return out


def parameter_breakdown(net: CopyNTM) -> dict:
    return {name: p.numel() for name, p in net.named_parameters()}


# ---------------------------------------------------------------------------- training
def copy_batch(batch: int, length: int, bits: int = 8, seed: int = 0):
    """Our input layout, time-major: x ``[L + 1, batch, bits + 2]`` (the bits, then the
    delimiter on channel ``bits``; the ``L`` output-phase steps get zero input, see
    ``train_step``), y ``[L, batch, bits]`` (what the output phase must reproduce)."""
    rng = np.random.default_rng(seed)
    seq = rng.integers(0, 2, (length, batch, bits)).astype("float32")
    x = np.zeros((length + 1, batch, bits + 2), "float32")
    x[:length, :, :bits] = seq
    x[length, :, bits] = 1.0
    return torch.from_numpy(x), torch.from_numpy(seq)


def train_step(net, criterion, optimizer, x, y, clip_mode: str):
    """One batch: zero grads, a Python loop over time steps, BCE, backward, clip, step."""
    optimizer.zero_grad()
    length, batch, _ = y.shape
    net.init_sequence(batch)
    for t in range(length + 1):  # the sequence and the delimiter
        net(x[t])
    y_out = torch.zeros(y.shape)
    for t in range(length):  # the answer, with no input
        y_out[t] = net()
    loss = criterion(y_out, y)
    loss.backward()
    if clip_mode == "norm":
        nn.utils.clip_grad_norm_(net.parameters(), 50.0)
    else:  # pytorch-ntm: each gradient element to [-10, 10]
        for p in net.parameters():
            if p.grad is not None:
                p.grad.data.clamp_(-10, 10)
    optimizer.step()
    bit_errors = (y_out.detach() > 0.5).float().sub(y).abs().sum().item() / batch
    return loss.item(), bit_errors


#: variant -> (shift, controller)
VARIANTS = {"pytorch-ntm": ("per-sample", "lstm"), "batched-shift": ("batched", "lstm"),
            "lstmcell": ("batched", "lstmcell")}


def measure(batch: int, length: int, steps: int, warmup: int, variant: str, optimizer: str, seed: int = 0) -> dict:
    torch.manual_seed(seed)
    shift, controller = VARIANTS[variant]
    net = CopyNTM(shift=shift, controller=controller)
    criterion = nn.BCELoss()
    if optimizer == "adam":
        opt, clip_mode = torch.optim.Adam(net.parameters(), lr=1e-3), "norm"
    else:
        opt, clip_mode = torch.optim.RMSprop(net.parameters(), lr=1e-4, momentum=0.9, alpha=0.95), "value"
    x, y = copy_batch(batch, length, seed=seed)
    t0 = time.perf_counter()
    for _ in range(warmup):
        train_step(net, criterion, opt, x, y, clip_mode)
    first = time.perf_counter() - t0
    times, losses = [], []
    cpu0 = time.process_time()
    for _ in range(steps):
        t0 = time.perf_counter()
        loss, _ = train_step(net, criterion, opt, x, y, clip_mode)
        times.append(time.perf_counter() - t0)
        losses.append(loss)
    cpu = (time.process_time() - cpu0) / steps
    mean = statistics.fmean(times)
    return {"batch": batch, "variant": variant, "ms_mean": 1000 * mean, "ms_median": 1000 * statistics.median(times),
            "cpu_ms": 1000 * cpu,
            "steps_per_s": 1 / mean, "warmup_s": first, "time_steps": x.shape[0] + y.shape[0],
            "loss_first": losses[0], "loss_last": losses[-1], "params": sum(parameter_breakdown(net).values())}


def self_check() -> None:
    """Hand-checked addressing cases, and the variants computing the same function."""
    w = torch.zeros(2, 8)
    w[0, 3], w[1, 7] = 1.0, 1.0
    plus_one = torch.tensor([[0.0, 0.0, 1.0]] * 2)
    memory = Memory(8, 4)
    memory.reset(2)
    for out in (memory._shift_per_sample(w, plus_one), Memory._shift_batched(w, plus_one)):
        moved = out.argmax(1).tolist()
        assert moved == [4, 0], f"shift by +1 of one-hots at 3 and 7 (N=8) gave peaks at {moved}; expected [4, 0]"
    memory.reset(1)
    memory.data = torch.randn(1, 8, 4)
    w = memory.address(memory.data[:, 5], torch.tensor([[100.0]]), torch.ones(1, 1), torch.tensor([[0.0, 1.0, 0.0]]),
                       torch.tensor([[50.0]]), torch.zeros(1, 8))
    assert w.argmax().item() == 5 and w.max().item() > 0.99, f"content addressing of row 5 gave {w}"
    outputs = {}
    x, y = copy_batch(3, 4)
    for variant, (shift, controller) in VARIANTS.items():
        torch.manual_seed(0)
        net = CopyNTM(shift=shift, controller=controller)
        if controller == "lstmcell":  # the same weights as the nn.LSTM model (its layer 0)
            ref = outputs["pytorch-ntm"][1]
            net.load_state_dict({k: v for k, v in ref.items() if ".lstm." not in k}, strict=False)
            with torch.no_grad():
                for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                    getattr(net.cell.controller.lstm, name).copy_(ref[f"cell.controller.lstm.{name}_l0"])
        net.init_sequence(3)
        for t in range(5):
            net(x[t])
        outputs[variant] = (torch.stack([net() for _ in range(4)]).detach(), net.state_dict())
    for variant, (out, _) in outputs.items():
        diff = (out - outputs["pytorch-ntm"][0]).abs().max().item()
        assert diff < 1e-5, f"variant {variant!r} differs from pytorch-ntm by {diff}"
    print("self-check passed: shift +1, content addressing, all variants give the same outputs")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--length", type=int, default=20, help="copy length (2 * length + 1 time steps)")
    p.add_argument("--batches", type=int, nargs="*", default=[1, 32])
    p.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS))
    p.add_argument("--optimizer", default="adam", choices=["adam", "rmsprop"])
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (default 1, as our runs)")
    p.add_argument("--check", action="store_true", help="only run the addressing self-checks")
    args = p.parse_args()
    if args.check:
        self_check()
        return
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass

    net = CopyNTM()
    breakdown = parameter_breakdown(net)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); copy length {args.length} "
          f"({2 * args.length + 1} time steps), optimizer {args.optimizer}")
    print(f"parameters: {sum(breakdown.values()):,} "
          f"(lecun_zoo copy preset: 62,936; nn.LSTM has a second bias vector of 4 x 100 = 400)")
    for name, count in breakdown.items():
        print(f"    {name}: {count:,}")
    print()
    print("| batch | variant | ms/step mean | ms/step median | steps/s | CPU ms/step | first steps s "
          "| loss first -> last |")
    print("|---|---|---|---|---|---|---|---|")
    for batch in args.batches:
        for variant in args.variants:
            r = measure(batch, args.length, args.steps, args.warmup, variant, args.optimizer)
            print(f"| {batch} | {variant} | {r['ms_mean']:.1f} | {r['ms_median']:.1f} | {r['steps_per_s']:.1f} | "
                  f"{r['cpu_ms']:.1f} | {r['warmup_s']:.1f} | {r['loss_first']:.3f} -> {r['loss_last']:.3f} |",
                  flush=True)


if __name__ == "__main__":
    main()
