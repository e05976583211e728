"""PyTorch reference for jobs/bench-trainer.sh: the character LM of The Time Machine trained as d2l does.

One-hot input (28 tokens), nn.RNN / nn.LSTM / nn.GRU, a linear output layer, mean cross-entropy per token,
SGD with lr 1, clip_grad_norm_ 1, batch 32 x 35 steps with the state carried (detached) across windows.
Prints one JSON line: training tokens/s of each epoch per model, and the single-thread SGEMM GFLOP/s of
torch.mm on 1024 x 1024 matrices. Usage: python3 jobs/bench_torch.py CORPUS EPOCHS MODEL:HIDDEN...

With --curve SEED it trains one model from that seed as d2l's train_ch8 does (each epoch from a random offset in
[0, 35], the last 10% of the text held out) and prints its validation perplexity after every epoch, computed as
rnnsweep's timemachine task does (the held-out tail cut into at most 32 contiguous rows, one pass from a zero
state), and its training perplexity (exp of the epoch's mean window loss, as d2l reports it):
python3 jobs/bench_torch.py --curve SEED CORPUS EPOCHS MODEL:HIDDEN
One thread needs OPENBLAS_NUM_THREADS=1 too (jobs/bench-trainer.sh sets it): torch.set_num_threads does not
reach the BLAS Debian's torch calls; the JSON records the setting.
"""
import json
import math
import os
import random
import re
import sys
import time

import torch
from torch import nn


def tokens(path):
    text = open(path, encoding="utf-8").read()
    lines = [re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in re.split(r"\r\n|\r|\n", text)]
    joined = "".join(lines)
    return [1 if c == " " else (ord(c) - ord("a") + 2 if "a" <= c <= "z" else 0) for c in joined]


class Model(nn.Module):
    def __init__(self, kind, hidden):
        super().__init__()
        self.kind = kind
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](28, hidden)
        self.out = nn.Linear(hidden, 28)

    def forward(self, x, state):
        y, state = self.rnn(x, state)
        return self.out(y.reshape(-1, y.shape[-1])), state


def epoch(model, data, batch, steps, optimizer, loss_fn, offset=0, losses=None):
    per_row = (len(data) - offset - 1) // batch
    xs = torch.tensor(data[offset:offset + per_row * batch]).reshape(batch, per_row)
    ys = torch.tensor(data[offset + 1:offset + 1 + per_row * batch]).reshape(batch, per_row)
    state = None
    count = 0
    start = time.perf_counter()
    for i in range(0, (per_row // steps) * steps, steps):
        x = nn.functional.one_hot(xs[:, i:i + steps].T, 28).float()
        y = ys[:, i:i + steps].T.reshape(-1)
        if state is not None:
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        out, state = model(x, state)
        loss = loss_fn(out, y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        count += y.numel()
        if losses is not None:
            losses.append(loss.item())
    return count / (time.perf_counter() - start)


def blas_library():
    """The BLAS library file this process mapped (after a product has run), or None."""
    with open("/proc/self/maps") as maps:
        files = [line.split()[-1] for line in maps if "blas" in line.lower() and "/" in line]
    return files[0] if files else None


def sgemm_gflops(n=1024, repeats=10):
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    torch.mm(a, b)
    start = time.perf_counter()
    for _ in range(repeats):
        torch.mm(a, b)
    return 2 * n ** 3 * repeats / (time.perf_counter() - start) / 1e9


def validation_perplexity(model, held, batch, steps):
    """Perplexity on the held-out tail: at most `batch` contiguous rows of whole windows, one pass, zero state."""
    rows = max(1, min(batch, (len(held) - 1) // steps))
    length = (len(held) - 1) // rows
    x = torch.tensor([held[r * length:(r + 1) * length] for r in range(rows)])
    y = torch.tensor([held[r * length + 1:(r + 1) * length + 1] for r in range(rows)])
    with torch.no_grad():
        out, _ = model(nn.functional.one_hot(x.T, 28).float(), None)
        return math.exp(nn.functional.cross_entropy(out, y.T.reshape(-1)).item())


def curve(seed, path, epochs, spec):
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    rng = random.Random(seed)
    data = tokens(path)
    split = int(len(data) * 0.9)
    train, held = data[:split], data[split:]
    kind, hidden = spec.split(":")
    model = Model(kind, int(hidden))
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    ppl, train_ppl = [], []
    for _ in range(epochs):
        losses = []
        epoch(model, train, 32, 35, optimizer, nn.CrossEntropyLoss(), offset=rng.randint(0, 35), losses=losses)
        train_ppl.append(math.exp(sum(losses) / len(losses)))  # d2l's: every window has batch x steps tokens
        ppl.append(validation_perplexity(model, held, 32, 35))
    print(json.dumps({"torch": torch.__version__, "model": spec, "seed": seed, "val_perplexity": ppl,
                      "train_perplexity": train_ppl}))


def main():
    if sys.argv[1] == "--curve":
        curve(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5])
        return
    torch.set_num_threads(1)
    torch.manual_seed(0)
    data = tokens(sys.argv[1])
    data = data[: int(len(data) * 0.9)]
    epochs = int(sys.argv[2])
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(),
              "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "sgemm_gflops": sgemm_gflops(),
              "blas": blas_library()}
    for spec in sys.argv[3:]:
        kind, hidden = spec.split(":")
        model = Model(kind, int(hidden))
        optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
        result[f"{kind}_{hidden}"] = [epoch(model, data, 32, 35, optimizer, nn.CrossEntropyLoss())
                                      for _ in range(epochs)]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
