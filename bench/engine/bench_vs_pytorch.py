#!/usr/bin/python3
"""bench_vs_pytorch.py: PyTorch's side of bench-train-step.

Times one training step (zero_grad, forward, cross-entropy, backward, Adam
step) of the issue's two models in PyTorch on the CPU:
  MLP  784-128-10 (ReLU), batch 64
  CNN  Conv(1->32,3,p1)-ReLU-MaxPool(2)-Conv(32->64,3,p1)-ReLU-MaxPool(2)-
       Flatten-Linear(3136->128)-ReLU-Dropout(0.5)-Linear(128->10), batch 32
for each thread count asked (default 1 and 2) and prints one line per run:
  RESULT <model> threads=<n> median_ms=<t> steps=<k>
bench-train-step runs this script and keeps each model's fastest thread
setting; run it alone to see PyTorch's numbers only.

Usage: /usr/bin/python3 bench_vs_pytorch.py [--models mlp,cnn] [--threads 1,2]
                                            [--steps N] [--warmup N]
"""
import argparse
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_mlp():
    return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)), (64, 784)


def make_cnn():
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    return model, (32, 1, 28, 28)


MODELS = {"mlp": make_mlp, "cnn": make_cnn}


def time_model(name, threads, steps, warmup):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model, shape = MODELS[name]()
    model.train()
    opt = torch.optim.Adam(model.parameters())
    x = torch.randn(*shape)
    y = torch.randint(0, 10, (shape[0],))
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        t1 = time.perf_counter()
        if i >= warmup:
            times.append(t1 - t0)
    return statistics.median(times) * 1e3


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="mlp,cnn")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--steps", type=int, default=0, help="timed steps (default 200 MLP, 40 CNN)")
    ap.add_argument("--warmup", type=int, default=10)
    args = ap.parse_args()
    print(f"# PyTorch {torch.__version__} on {os.cpu_count()} CPUs", flush=True)
    for name in args.models.split(","):
        if name not in MODELS:
            print(f"unknown model {name!r} (mlp, cnn)", file=sys.stderr)
            return 2
        steps = args.steps or (200 if name == "mlp" else 40)
        for threads in (int(t) for t in args.threads.split(",")):
            ms = time_model(name, threads, steps, args.warmup)
            print(f"RESULT {name} threads={threads} median_ms={ms:.4f} steps={steps}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
