#!/usr/bin/python3
"""torch_train.py: the PyTorch reference for lumen-train and bench-train-epoch.

Trains the same models as lumen-train (the MLP 784-128-10 and the CNN of the
engine issue) on the same IDX data with the same defaults (batch 64, 32 for the CNN,
Adam lr 1e-3, StepLR with --lr-step, the last 10% of the training set held
out for validation, pixels scaled to [0, 1] then normalised with the
training set's mean and std), and
prints per-epoch times and accuracies. bench-train-epoch runs it with
--epochs 1 --time-only to put PyTorch's epoch time next to Lumen's.

Not a test: it prints figures. Needs /usr/bin/python3 with torch (Debian's
python3-torch); use it as:  /usr/bin/python3 bench/train/torch_train.py --help
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    return data.reshape(dims)


def load_split(data_dir, prefix):
    def find(kind, n):
        for name in (f"{prefix}-{kind}-idx{n}-ubyte.gz", f"{prefix}-{kind}-idx{n}-ubyte"):
            p = os.path.join(data_dir, name)
            if os.path.exists(p):
                return p
        sys.exit(f"{data_dir}: no {prefix}-{kind}-idx{n}-ubyte[.gz]")
    return read_idx(find("images", 3)), read_idx(find("labels", 1))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def make_optimizer(name, params, lr):
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=0.9)
    if name == "adamw":
        return torch.optim.AdamW(params, lr=lr)
    return torch.optim.Adam(params, lr=lr)


def evaluate(model, x, y, batch):
    model.eval()
    loss_sum, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            out = model(x[i:i + 1000])
            loss_sum += nn.functional.cross_entropy(out, y[i:i + 1000], reduction="sum").item()
            correct += (out.argmax(1) == y[i:i + 1000]).sum().item()
    model.train()
    return loss_sum / len(x), correct / len(x)


def best_threads(model_fn, shape, opt_name, lr):
    """Times a few steps per thread count and returns the fastest setting."""
    best, best_t = 1, None
    for th in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(th)
        m = model_fn()
        opt = make_optimizer(opt_name, m.parameters(), lr)
        x = torch.randn(*shape)
        y = torch.randint(0, 10, (shape[0],))
        ts = []
        for i in range(40):
            t0 = time.perf_counter()
            opt.zero_grad()
            nn.functional.cross_entropy(m(x), y).backward()
            opt.step()
            ts.append(time.perf_counter() - t0)
        t = sorted(ts[5:])[len(ts[5:]) // 2]
        if best_t is None or t < best_t:
            best, best_t = th, t
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=0, help="0: 64 for mlp, 32 for cnn")
    ap.add_argument("--lr", type=float, default=None)
    ap.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="adam")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--val-split", type=float, default=0.1)
    ap.add_argument("--lr-step", type=int, default=-1,
                    help="StepLR step_size in epochs (-1: 70%% of the epochs, like lumen-train; 0: constant lr)")
    ap.add_argument("--lr-gamma", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=0, help="0: pick the fastest")
    ap.add_argument("--time-only", action="store_true",
                    help="skip evaluation; print one JSON line with the epoch times")
    a = ap.parse_args()
    epochs = a.epochs or (10 if a.model == "mlp" else 5)
    a.batch_size = a.batch_size or (64 if a.model == "mlp" else 32)
    if a.lr_step < 0:
        a.lr_step = int(0.7 * epochs + 0.5)
    lr = a.lr or (0.01 if a.optimizer == "sgd" else 1e-3)
    model_fn = mlp if a.model == "mlp" else cnn
    shape = (a.batch_size, 1, 28, 28)

    threads = a.threads or best_threads(model_fn, shape, a.optimizer, lr)
    torch.set_num_threads(threads)
    torch.manual_seed(a.seed)

    xtr, ytr = load_split(a.data, "train")
    xte, yte = load_split(a.data, "t10k")
    nval = int(len(xtr) * a.val_split)
    ntr = len(xtr) - nval
    xtr = torch.from_numpy(xtr.astype(np.float32) / 255.0).unsqueeze(1)
    xte = torch.from_numpy(xte.astype(np.float32) / 255.0).unsqueeze(1)
    mean, std = xtr[:ntr].mean().item(), xtr[:ntr].std().item()
    xtr = (xtr - mean) / std
    xte = (xte - mean) / std
    ytr = torch.from_numpy(ytr.astype(np.int64))
    yte = torch.from_numpy(yte.astype(np.int64))
    xval, yval = xtr[ntr:], ytr[ntr:]
    xtr, ytr = xtr[:ntr], ytr[:ntr]

    model = model_fn()
    opt = make_optimizer(a.optimizer, model.parameters(), lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, a.lr_step, a.lr_gamma) if a.lr_step > 0 else None
    gen = torch.Generator().manual_seed(a.seed)
    times = []
    for epoch in range(epochs):
        perm = torch.randperm(ntr, generator=gen)
        t0 = time.perf_counter()
        loss_sum, correct = 0.0, 0
        for i in range(0, ntr, a.batch_size):
            idx = perm[i:i + a.batch_size]
            x, y = xtr[idx], ytr[idx]
            opt.zero_grad()
            out = model(x)
            loss = nn.functional.cross_entropy(out, y)
            loss.backward()
            opt.step()
            if not a.time_only:
                loss_sum += loss.item() * len(idx)
                correct += (out.argmax(1) == y).sum().item()
        times.append(time.perf_counter() - t0)
        if sched:
            sched.step()
        if a.time_only:
            continue
        vl, va = evaluate(model, xval, yval, a.batch_size)
        print(f"epoch {epoch + 1}/{epochs}: train loss {loss_sum / ntr:.4f} acc {100 * correct / ntr:.2f}% | "
              f"val loss {vl:.4f} acc {100 * va:.2f}% | {times[-1]:.1f} s", flush=True)
    if a.time_only:
        print(json.dumps({"model": a.model, "threads": threads, "epoch_seconds": times}))
        return
    tl, ta = evaluate(model, xte, yte, a.batch_size)
    print(f"test loss {tl:.4f} acc {100 * ta:.2f}% (threads {threads})")


if __name__ == "__main__":
    main()
