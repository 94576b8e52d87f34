#!/usr/bin/env python3
"""bench_torch.py: PyTorch's side of bench-cuda.c, the speed reference.

The same models (the MLP and the CNN of lumen-train.h), batch sizes (64, 32),
optimizer (Adam, lr 1e-3), loss (cross-entropy) and data (Fashion-MNIST's
60,000 training images when installed, else synthetic data of that size, on
the GPU once), in eager mode, float32 with TF32 off for matmuls AND cuDNN
convolutions (PyTorch's default lets cuDNN use TF32). Timed like bench-cuda.c:
CUDA events on the current stream, 20 warm-up steps, median of 7 runs of 50
steps; median of 3 epochs; the 4096^3 matmul; peak memory over 1,000 steps.

Prints a table and "RESULT key value" lines (same keys as bench-cuda.c).
Exits 0 with a message when PyTorch or a GPU is missing.
Usage: python3 bench/cuda/bench_torch.py
"""
import gzip
import os
import statistics
import struct
import sys

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("bench_torch.py: PyTorch is not installed; no reference figures")
    sys.exit(0)

FASHION = "/usr/share/datasets/fashion-mnist"


def result(key, value):
    print("RESULT %s %.6g" % (key, value))


def read_idx(path):
    for p in (path, path + ".gz"):
        if os.path.exists(p):
            with (gzip.open(p) if p.endswith(".gz") else open(p, "rb")) as f:
                data = f.read()
            ndim = data[3]
            dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
            return dims, data[4 + 4 * ndim:]
    return None, None


def load_data(device):
    n = 60000
    dims, pix = read_idx(os.path.join(FASHION, "train-images-idx3-ubyte"))
    ldims, lab = read_idx(os.path.join(FASHION, "train-labels-idx1-ubyte"))
    if dims and ldims and dims[0] >= n:
        x = torch.frombuffer(bytearray(pix), dtype=torch.uint8)[: n * 784]
        x = x.float().div_(255.0).view(n, 1, 28, 28)
        y = torch.frombuffer(bytearray(lab), dtype=torch.uint8)[:n].long()
        real = True
    else:
        g = torch.Generator().manual_seed(12345)
        x = torch.rand(n, 1, 28, 28, generator=g)
        y = torch.arange(n) % 10
        real = False
    return x.to(device), y.to(device), real


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))


def cnn():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def bench_model(name, build, batch, x, y, device):
    torch.manual_seed(0)
    model = build().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xb, yb = x[:batch], y[:batch]
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)

    def step(xs, ys):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs), ys)
        loss.backward()
        opt.step()

    for _ in range(20):
        step(xb, yb)
    runs = []
    for _ in range(7):
        start.record()
        for _ in range(50):
            step(xb, yb)
        end.record()
        end.synchronize()
        runs.append(start.elapsed_time(end) / 50)
    step_ms = statistics.median(runs)

    n = x.shape[0]
    nb = (n + batch - 1) // batch
    epochs = []
    for _ in range(3):
        start.record()
        for b in range(nb):
            step(x[b * batch:(b + 1) * batch], y[b * batch:(b + 1) * batch])
        end.record()
        end.synchronize()
        epochs.append(start.elapsed_time(end) / 1000)
    epoch_s = statistics.median(epochs)

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    for i in range(1, 1001):
        step(xb, yb)
        if i == 10:
            a10, r10 = torch.cuda.memory_allocated(), torch.cuda.memory_reserved()
    torch.cuda.synchronize()
    flat = a10 == torch.cuda.memory_allocated() and r10 == torch.cuda.memory_reserved()
    peak = torch.cuda.max_memory_allocated() / 2**20
    print("%-4s step (batch %d): %8.3f ms   epoch (%d steps): %7.3f s   peak %.1f MiB, %s"
          % (name, batch, step_ms, nb, epoch_s, peak, "flat" if flat else "NOT flat"))
    result(name + "_step_ms", step_ms)
    result(name + "_epoch_s", epoch_s)
    result(name + "_peak_mib", peak)
    result(name + "_flat", 1 if flat else 0)


def bench_matmul(tf32, device):
    torch.backends.cuda.matmul.allow_tf32 = tf32
    g = torch.Generator(device="cpu").manual_seed(1)
    a = torch.randn(4096, 4096, generator=g).to(device)
    b = torch.randn(4096, 4096, generator=g).to(device)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    runs = []
    for r in range(13):
        start.record()
        torch.mm(a, b)
        end.record()
        end.synchronize()
        if r >= 3:
            runs.append(start.elapsed_time(end))
    tflops = 2 * 4096**3 / (statistics.median(runs) * 1e-3) / 1e12
    print("matmul 4096^3 %s: torch.mm %6.1f TFLOPS" % ("TF32" if tf32 else "FP32", tflops))
    result("matmul_%s_tflops" % ("tf32" if tf32 else "fp32"), tflops)
    torch.backends.cuda.matmul.allow_tf32 = False


def main():
    if not torch.cuda.is_available():
        print("bench_torch.py: PyTorch sees no CUDA GPU; no reference figures")
        return
    device = torch.device("cuda:0")
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    x, y, real = load_data(device)
    print("PyTorch %s benchmarks on %s (%s data, float32, TF32 off unless said)"
          % (torch.__version__, torch.cuda.get_device_name(0),
             "Fashion-MNIST" if real else "synthetic"))
    bench_model("mlp", mlp, 64, x, y, device)
    bench_model("cnn", cnn, 32, x, y, device)
    bench_matmul(False, device)
    bench_matmul(True, device)


if __name__ == "__main__":
    main()
