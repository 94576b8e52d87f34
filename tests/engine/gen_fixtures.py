#!/usr/bin/python3
"""gen_fixtures.py: known answers from PyTorch for Lumen's engine tests.

Writes small binary fixture files into tests/engine/fixtures/ (committed, so
the C tests need no Python): inputs, outputs and gradients of every op, a tiny
MLP and a tiny CNN (fixed weights, forward and backward), a few steps of
SGD (momentum, dampening, nesterov, weight decay), Adam, AdamW, AMSGrad and
StepLR, and three steps of the models of PyTorch's and Keras' MNIST examples. tests/engine/nn/test-nn-fixtures.c reads them back and compares.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tests/engine/gen_fixtures.py

File format (.lmfx, little-endian), a flat list of named tensors:
    magic "LMFX", uint32 version (1), uint32 count, then per tensor:
    uint16 name length, name bytes (UTF-8, no NUL), uint8 dtype (0 float32,
    1 int64), uint8 ndim, int64 shape[ndim], the elements in row-major order.
Names are "<case>.<role>": roles are inputs a, b, ... (or x, w, bias, target),
"out", "grad_out" (the gradient fed to backward) and "grad_<input>";
"<case>.args" (int64) holds an op's integer attributes, "<case>.fargs"
(float32) its float ones; "*64" entries are float64 values stored as their
int64 bit patterns (exact optimizer hyper-parameters and learning rates).
"""
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
# main.py's Net and the Keras convnet, as tests/train/load_checkpoint.py writes them
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train"))
from load_checkpoint import model_for  # noqa: E402


class Fixture:
    def __init__(self):
        self.entries = []

    def add(self, name, t):
        if isinstance(t, torch.Tensor):
            t = t.detach().cpu()
            if t.dtype in (torch.int64, torch.int32):
                arr = t.to(torch.int64).numpy()
            else:
                arr = t.to(torch.float32).numpy()
        else:
            arr = np.asarray(t)
            arr = arr.astype(np.int64 if arr.dtype.kind in "iu" else np.float32)
        self.entries.append((name, arr))

    def write(self, filename):
        path = os.path.join(OUT_DIR, filename)
        with open(path, "wb") as f:
            f.write(b"LMFX")
            f.write(struct.pack("<II", 1, len(self.entries)))
            for name, arr in self.entries:
                nb = name.encode()
                f.write(struct.pack("<H", len(nb)))
                f.write(nb)
                dtype = 1 if arr.dtype == np.int64 else 0
                f.write(struct.pack("<BB", dtype, arr.ndim))
                for d in arr.shape:
                    f.write(struct.pack("<q", d))
                f.write(np.ascontiguousarray(arr).astype("<i8" if dtype else "<f4").tobytes())
        return os.path.getsize(path)


def rnd(*shape, lo=-1.0, hi=1.0):
    return torch.rand(*shape) * (hi - lo) + lo


def op_case(fx, name, fn, inputs, args=None, fargs=None):
    """Runs fn(*inputs) with grad on float inputs, feeds a random grad_out and
    stores inputs, output and the gradient of each float input."""
    leaves = []
    for key, t in inputs:
        if t.dtype.is_floating_point:
            t = t.clone().requires_grad_(True)
        leaves.append((key, t))
        fx.add(f"{name}.{key}", t)
    out = fn(*[t for _, t in leaves])
    fx.add(f"{name}.out", out)
    g = rnd(*out.shape) if out.dim() > 0 else torch.tensor(0.7)
    fx.add(f"{name}.grad_out", g)
    out.backward(g)
    for key, t in leaves:
        if t.dtype.is_floating_point:
            fx.add(f"{name}.grad_{key}", t.grad)
    if args is not None:
        fx.add(f"{name}.args", torch.tensor(args, dtype=torch.int64))
    if fargs is not None:
        fx.add(f"{name}.fargs", torch.tensor(fargs, dtype=torch.float32))


def ops_fixture():
    fx = Fixture()
    a34, b4 = rnd(3, 4), rnd(4)
    op_case(fx, "add", torch.add, [("a", a34), ("b", b4)])
    op_case(fx, "sub", torch.sub, [("a", rnd(2, 3, 4)), ("b", rnd(3, 1))])
    op_case(fx, "mul", torch.mul, [("a", rnd(2, 3, 4)), ("b", rnd(3, 1))])
    op_case(fx, "div", torch.div, [("a", rnd(3, 4)), ("b", rnd(4, lo=0.5, hi=2.0))])
    op_case(fx, "pow", torch.pow, [("a", rnd(3, 4, lo=0.5, hi=2.0)), ("b", rnd(3, 4, lo=-1.5, hi=2.5))])
    op_case(fx, "neg", torch.neg, [("a", rnd(5))])
    op_case(fx, "exp", torch.exp, [("a", rnd(2, 5))])
    op_case(fx, "log", torch.log, [("a", rnd(2, 5, lo=0.1, hi=3.0))])
    op_case(fx, "sqrt", torch.sqrt, [("a", rnd(2, 5, lo=0.1, hi=3.0))])
    op_case(fx, "abs", torch.abs, [("a", rnd(2, 5))])
    op_case(fx, "clamp", lambda a: torch.clamp(a, -0.5, 0.5), [("a", rnd(3, 5))], fargs=[-0.5, 0.5])
    op_case(fx, "add_scalar", lambda a: a + 2.5, [("a", rnd(4))], fargs=[2.5])
    op_case(fx, "mul_scalar", lambda a: a * -1.5, [("a", rnd(4))], fargs=[-1.5])
    op_case(fx, "div_scalar", lambda a: a / 3.0, [("a", rnd(4))], fargs=[3.0])
    op_case(fx, "pow_scalar", lambda a: a ** 3.0, [("a", rnd(4))], fargs=[3.0])
    op_case(fx, "relu", torch.relu, [("a", rnd(4, 5))])
    op_case(fx, "sigmoid", torch.sigmoid, [("a", rnd(4, 5, lo=-4, hi=4))])
    op_case(fx, "tanh", torch.tanh, [("a", rnd(4, 5, lo=-3, hi=3))])
    op_case(fx, "gelu", F.gelu, [("a", rnd(4, 5, lo=-3, hi=3))])
    op_case(fx, "sum", torch.sum, [("a", rnd(3, 4))])
    op_case(fx, "mean", torch.mean, [("a", rnd(3, 4))])
    op_case(fx, "max", torch.max, [("a", rnd(3, 4))])
    op_case(fx, "sum_dim", lambda a: a.sum(1, keepdim=True), [("a", rnd(3, 4, 2))], args=[1, 1])
    op_case(fx, "mean_dim", lambda a: a.mean(0), [("a", rnd(3, 4))], args=[0, 0])
    op_case(fx, "max_dim", lambda a: a.max(-1).values, [("a", rnd(3, 5))], args=[-1, 0])
    a = rnd(4, 7)
    fx.add("argmax.a", a)  # forward only: int64 indices, no gradient
    fx.add("argmax.idx", a.argmax(1))
    op_case(fx, "matmul", torch.matmul, [("a", rnd(5, 7)), ("b", rnd(7, 3))])
    op_case(fx, "matmul_batched", torch.matmul, [("a", rnd(2, 5, 7)), ("b", rnd(7, 3))])
    op_case(fx, "softmax", lambda a: torch.softmax(a, 1), [("a", rnd(4, 6, lo=-3, hi=3))], args=[1])
    op_case(fx, "log_softmax", lambda a: torch.log_softmax(a, -1),
            [("a", rnd(2, 3, 6, lo=-3, hi=3))], args=[-1])
    target = torch.randint(0, 5, (6,))
    op_case(fx, "cross_entropy", F.cross_entropy, [("a", rnd(6, 5, lo=-3, hi=3)), ("target", target)])
    op_case(fx, "nll_loss", F.nll_loss,
            [("a", torch.log_softmax(rnd(6, 5, lo=-3, hi=3), 1)), ("target", target)])
    op_case(fx, "mse_loss", F.mse_loss, [("a", rnd(3, 4)), ("b", rnd(3, 4))])
    op_case(fx, "linear", F.linear, [("a", rnd(4, 6)), ("w", rnd(3, 6)), ("bias", rnd(3))])
    op_case(fx, "cat", lambda a, b: torch.cat([a, b], 1), [("a", rnd(2, 3)), ("b", rnd(2, 2))], args=[1])
    op_case(fx, "transpose", lambda a: a.transpose(0, 1), [("a", rnd(3, 4))], args=[0, 1])
    op_case(fx, "reshape", lambda a: a.reshape(6, 2), [("a", rnd(3, 4))], args=[6, 2])
    # conv2d: args = stride_h, stride_w, pad_h, pad_w, dil_h, dil_w
    for name, x, w, bias, args in [
        ("conv2d", rnd(2, 3, 6, 5), rnd(4, 3, 3, 3), rnd(4), [1, 1, 1, 1, 1, 1]),
        ("conv2d_stride", rnd(2, 2, 7, 7), rnd(3, 2, 3, 3), None, [2, 2, 0, 0, 1, 1]),
        ("conv2d_dilation", rnd(1, 2, 8, 7), rnd(2, 2, 3, 3), rnd(2), [1, 1, 2, 2, 2, 2]),
        ("conv2d_rect", rnd(2, 3, 7, 9), rnd(2, 3, 2, 4), rnd(2), [2, 1, 1, 0, 1, 2]),
    ]:
        fn = (lambda x, w, b=None, args=args: F.conv2d(x, w, b, stride=args[0:2],
                                                        padding=args[2:4], dilation=args[4:6]))
        inputs = [("x", x), ("w", w)] + ([("bias", bias)] if bias is not None else [])
        op_case(fx, name, fn, inputs, args=args)
    # pooling: args = kh, kw, sh, sw, ph, pw
    for name, fn, x, args in [
        ("max_pool2d", F.max_pool2d, rnd(2, 3, 6, 6), [2, 2, 2, 2, 0, 0]),
        ("max_pool2d_pad", F.max_pool2d, rnd(2, 2, 7, 6), [3, 3, 2, 2, 1, 1]),
        ("avg_pool2d", F.avg_pool2d, rnd(2, 3, 6, 6), [2, 2, 2, 2, 0, 0]),
        ("avg_pool2d_pad", F.avg_pool2d, rnd(2, 2, 7, 6), [3, 3, 2, 2, 1, 1]),
    ]:
        op_case(fx, name, lambda x, fn=fn, a=args: fn(x, a[0:2], a[2:4], a[4:6]), [("x", x)], args=args)
    return fx


def model_fixture(fx, prefix, model, x, target):
    """Fixed weights, input, logits, loss and every parameter's gradient."""
    for pname, p in model.named_parameters():
        fx.add(f"{prefix}.param.{pname}", p)
    fx.add(f"{prefix}.x", x)
    fx.add(f"{prefix}.target", target)
    logits = model(x)
    loss = F.cross_entropy(logits, target)
    loss.backward()
    fx.add(f"{prefix}.logits", logits)
    fx.add(f"{prefix}.loss", loss.reshape(1))
    for pname, p in model.named_parameters():
        fx.add(f"{prefix}.grad.{pname}", p.grad)


def models_fixture():
    fx = Fixture()
    mlp = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5))
    model_fixture(fx, "mlp", mlp, rnd(8, 12), torch.randint(0, 5, (8,)))
    cnn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1), nn.Tanh(), nn.AvgPool2d(2),
        nn.Flatten(), nn.Dropout(0.5), nn.Linear(6 * 2 * 2, 5), nn.Sigmoid())
    cnn.eval()  # Dropout is the identity: the rest is deterministic
    model_fixture(fx, "cnn", cnn, rnd(3, 1, 8, 8), torch.randint(0, 5, (3,)))
    # Three Adam steps of the MLP (fresh copy of the same weights), loss each step.
    mlp2 = nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 5))
    mlp2.load_state_dict(mlp.state_dict())
    opt = torch.optim.Adam(mlp2.parameters(), lr=0.01)
    x, target = rnd(8, 12), torch.randint(0, 5, (8,))
    fx.add("mlp_adam.x", x)
    fx.add("mlp_adam.target", target)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(mlp2(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    fx.add("mlp_adam.losses", torch.tensor(losses))
    for pname, p in mlp2.named_parameters():
        fx.add(f"mlp_adam.param.{pname}", p)
    return fx


def optim_fixture():
    """Each case: p0, grads (steps x shape), the parameter after every step.
    fargs hold the hyper-parameters in the order the C test reads them."""
    fx = Fixture()
    steps, shape = 4, (7, 3)
    p0 = rnd(*shape)
    grads = torch.stack([rnd(*shape) for _ in range(steps)])
    grads[2] *= 0.01  # a step with small gradients: eps and bias correction matter
    fx.add("optim.p0", p0)
    fx.add("optim.grads", grads)
    cases = [
        # name, constructor, fargs
        ("sgd", lambda ps: torch.optim.SGD(ps, lr=0.1), [0.1, 0, 0, 0, 0]),
        ("sgd_momentum", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), [0.1, 0.9, 0, 0, 0]),
        ("sgd_dampening", lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, dampening=0.3,
                                                      weight_decay=0.01), [0.05, 0.8, 0.3, 0.01, 0]),
        ("sgd_nesterov", lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True,
                                                     weight_decay=0.05), [0.1, 0.9, 0, 0.05, 1]),
        # Adam family: lr, beta1, beta2, eps, weight_decay, amsgrad
        ("adam", lambda ps: torch.optim.Adam(ps), [1e-3, 0.9, 0.999, 1e-8, 0, 0]),
        ("adam_lr_wd", lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1),
         [0.01, 0.9, 0.999, 1e-8, 0.1, 0]),
        ("adam_betas", lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
         [0.02, 0.8, 0.99, 1e-6, 0, 0]),
        ("adam_amsgrad", lambda ps: torch.optim.Adam(ps, lr=0.01, amsgrad=True),
         [0.01, 0.9, 0.999, 1e-8, 0, 1]),
        ("adamw", lambda ps: torch.optim.AdamW(ps), [1e-3, 0.9, 0.999, 1e-8, 0.01, 0]),
        ("adamw_lr_wd", lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.3),
         [0.01, 0.9, 0.999, 1e-8, 0.3, 0]),
    ]
    for name, make, fargs in cases:
        p = nn.Parameter(p0.clone())
        opt = make([p])
        after = []
        for s in range(steps):
            p.grad = grads[s].clone()
            opt.step()
            after.append(p.detach().clone())
        fx.add(f"{name}.params", torch.stack(after))
        # Hyper-parameters as float64 bit patterns in an int64 tensor, so the
        # C side gets exactly the doubles Python used (0.1 is not a float32).
        fx.add(f"{name}.fargs64", torch.tensor(fargs, dtype=torch.float64).view(torch.int64))
    # StepLR(step_size=2, gamma=0.5) from lr 0.1 over 7 epochs.
    p = nn.Parameter(p0.clone())
    opt = torch.optim.SGD([p], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    lrs = []
    for _ in range(7):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    fx.add("step_lr.lrs64", torch.tensor(lrs, dtype=torch.float64).view(torch.int64))
    return fx


def fill_example_params(model):
    """The weights the C test fills in the same way (no 5 MB of Net's weights
    in the repository): parameter j, element i is s * sin(0.37 i + j),
    s = 1/sqrt(fan_in) for a weight, 0.1 for a bias, computed in float64."""
    with torch.no_grad():
        for j, (_, p) in enumerate(model.named_parameters()):
            s = 1.0 / np.sqrt(p.numel() / p.shape[0]) if p.dim() >= 2 else 0.1
            v = s * np.sin(0.37 * np.arange(p.numel(), dtype=np.float64) + j)
            p.copy_(torch.from_numpy(v.astype(np.float32)).reshape(p.shape))


def keras_categorical_crossentropy(probs, target):
    """Keras 3's categorical_crossentropy of one-hot labels (from_logits=False)."""
    return -torch.log(torch.clamp(probs, 1e-7, 1 - 1e-7)).gather(1, target[:, None]).mean()


def examples_fixture():
    """Three training steps of each MNIST example's model (eval mode: dropout
    off), from the weights of fill_example_params, on 4 images
    x[i] = sin(0.013 i): the first step's outputs and every step's loss.
    Net: F.nll_loss, Adadelta(lr=1.0) as main.py; the Keras convnet: Keras'
    categorical cross-entropy, Adam(lr=1e-3, eps=1e-7)."""
    fx = Fixture()
    x = torch.from_numpy(np.sin(0.013 * np.arange(4 * 784, dtype=np.float64))
                         .astype(np.float32)).reshape(4, 1, 28, 28)
    target = torch.tensor([3, 1, 4, 1])
    cases = [
        ("mnist_net", model_for("net"), F.nll_loss, lambda ps: torch.optim.Adadelta(ps, lr=1.0)),
        ("keras_convnet", model_for("keras-cnn"), keras_categorical_crossentropy,
         lambda ps: torch.optim.Adam(ps, lr=1e-3, eps=1e-7)),
    ]
    for name, model, loss_fn, make_opt in cases:
        fill_example_params(model)
        model.eval()
        opt = make_opt(model.parameters())
        losses = []
        for step in range(3):
            opt.zero_grad()
            out = model(x)
            if step == 0:
                fx.add(f"{name}.out", out)
            loss = loss_fn(out, target)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        fx.add(f"{name}.losses", torch.tensor(losses))
    return fx


def main():
    torch.manual_seed(20240601)
    torch.set_num_threads(1)
    os.makedirs(OUT_DIR, exist_ok=True)
    total = 0
    for filename, make in [("ops.lmfx", ops_fixture), ("models.lmfx", models_fixture),
                           ("optim.lmfx", optim_fixture), ("examples.lmfx", examples_fixture)]:
        fx = make()
        size = fx.write(filename)
        total += size
        print(f"{filename}: {len(fx.entries)} tensors, {size} bytes")
    print(f"total {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
