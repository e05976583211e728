#!/usr/bin/python3
"""Writes the golden fixture of the character LM's first updates, as the seeds' PyTorch code makes them.

For an RNN, an LSTM and a GRU (hidden 32) it trains d2l's RNNModel (one recurrent layer over one-hot input and a
Linear layer) on a 660-character prefix of The Time Machine, preprocessed as d2l does, with d2l's sequential loop
(train_epoch_ch8): offset 3, batch 4, 8 steps per window, the state carried from window to window and detached,
the mean cross-entropy of each window, the gradient clipped to global L2 norm 0.3 (grad_clipping; it engages in
some updates, not in others), SGD lr 1. For each of the epoch's 20 updates it records the loss, the global gradient
norm before clipping and a digest of every parameter after the update (sum, sum of squares, largest magnitude);
the initial parameters (PyTorch's initialization from seed 0, rounded to single precision) in full. PyTorch runs in
double precision from there: the fixture is the exact arithmetic the single-precision trainer is held to.

Parameters are written in rnnsweep's layout, so that the test only assigns them: a recurrent layer's W [in, g*n]
(W_ih transposed), RW [n, g*n] (W_hh transposed), b (b_ih) and RB (b_hh), gates in rnnsweep's order (LSTM g, f,
o, i; GRU r, z, n); the output layer's W [n, 28] and b.

Usage: jobs/torch_golden.py [OUT.json.gz]  (Debian python3-torch; default: the test resources). The tests read the
fixture; they do not need PyTorch.
"""
import gzip
import json
import os
import re
import sys

import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "src", "main", "resources", "io", "rnnsweep", "task", "timemachine.txt")
OUT = os.path.join(ROOT, "src", "test", "resources", "io", "rnnsweep", "task", "torch-golden.json.gz")
CHARS, OFFSET, BATCH, STEPS, HIDDEN, LR, CLIP, SEED = 660, 3, 4, 8, 32, 1.0, 0.3, 0
VOCAB = 28
# rnnsweep's gate order, as indices of PyTorch's gate blocks (LSTM: i f g o; GRU: r z n).
ORDER = {"rnn": [0], "lstm": [2, 1, 3, 0], "gru": [0, 1, 2]}


def preprocess(text):
    """d2l's read_time_machine: letters only, lower case, each line trimmed, lines joined."""
    return "".join(re.sub("[^A-Za-z]+", " ", line).strip().lower() for line in text.splitlines())


def token(c):
    """rnnsweep's vocabulary: <unk> 0, space 1, a..z 2..27."""
    return 1 if c == " " else ord(c) - ord("a") + 2 if "a" <= c <= "z" else 0


class RNNModel(nn.Module):
    """d2l's RNNModel: a recurrent layer over one-hot tokens, a Linear layer on every step's state."""

    def __init__(self, cell):
        super().__init__()
        self.cell = cell
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](VOCAB, HIDDEN)
        self.linear = nn.Linear(HIDDEN, VOCAB)

    def forward(self, inputs, state):
        x = nn.functional.one_hot(inputs.T.long(), VOCAB).to(torch.float64)
        y, state = self.rnn(x, state)
        return self.linear(y.reshape(-1, y.shape[-1])), state


def ours(model):
    """The model's parameters in rnnsweep's layout, as nested lists (matrices row by row)."""
    cell = model.cell
    g = len(ORDER[cell])

    def gates(t):  # PyTorch's [g*n, ...] blocks in rnnsweep's order
        blocks = t.detach().reshape(g, HIDDEN, *t.shape[1:])
        return torch.cat([blocks[k] for k in ORDER[cell]], 0)

    r = model.rnn
    return {
        "W": gates(r.weight_ih_l0).T.tolist(),
        "RW": gates(r.weight_hh_l0).T.tolist(),
        "b": gates(r.bias_ih_l0).tolist(),
        "RB": gates(r.bias_hh_l0).tolist(),
        "out_W": model.linear.weight.detach().T.tolist(),
        "out_b": model.linear.bias.detach().tolist(),
    }


def digest(model):
    """Sum and sum of squares of every parameter, in rnnsweep's layout and names."""
    out = {}
    for key, value in ours(model).items():
        t = torch.tensor(value, dtype=torch.float64)
        out[key] = [t.sum().item(), (t * t).sum().item(), t.abs().max().item()]
    return out


def run(cell, text):
    torch.manual_seed(SEED)
    model = RNNModel(cell).to(torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.to(torch.float32).to(torch.float64))  # what a single-precision network can hold exactly
    initial = ours(model)
    corpus = [token(c) for c in text]
    # d2l's seq_data_iter_sequential with a fixed offset.
    tokens = ((len(corpus) - OFFSET - 1) // BATCH) * BATCH
    xs = torch.tensor(corpus[OFFSET:OFFSET + tokens]).reshape(BATCH, -1)
    ys = torch.tensor(corpus[OFFSET + 1:OFFSET + 1 + tokens]).reshape(BATCH, -1)
    windows = xs.shape[1] // STEPS
    loss_fn = nn.CrossEntropyLoss()
    updater = torch.optim.SGD(model.parameters(), lr=LR)
    state = None
    updates = []
    for i in range(0, windows * STEPS, STEPS):
        x, y = xs[:, i:i + STEPS], ys[:, i:i + STEPS]
        if state is not None:
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        y_hat, state = model(x, state)
        loss = loss_fn(y_hat, y.T.reshape(-1).long()).mean()
        updater.zero_grad()
        loss.backward()
        params = [p for p in model.parameters() if p.requires_grad]
        norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
        if norm > CLIP:
            for p in params:
                p.grad[:] *= CLIP / norm
        updater.step()
        updates.append({"loss": loss.item(), "norm": norm.item(), "digest": digest(model)})
    return {"cell": cell, "initial": initial, "updates": updates}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    with open(CORPUS, encoding="utf-8") as f:
        text = preprocess(f.read())[:CHARS]
    fixture = {
        "source": "jobs/torch_golden.py, PyTorch " + torch.__version__ + ", float64",
        "text": text, "offset": OFFSET, "batch": BATCH, "steps": STEPS, "hidden": HIDDEN, "lr": LR, "clip": CLIP,
        "cells": [run(cell, text) for cell in ("rnn", "lstm", "gru")],
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with gzip.open(out, "wt", encoding="utf-8") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    for c in fixture["cells"]:
        u = c["updates"]
        print(f"{c['cell']}: {len(u)} updates, loss {u[0]['loss']:.5f} -> {u[-1]['loss']:.5f},"
              f" norm {u[0]['norm']:.4f} -> {u[-1]['norm']:.4f}")
    print("wrote", out, os.path.getsize(out), "bytes")


if __name__ == "__main__":
    main()
