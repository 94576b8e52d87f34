#!/usr/bin/python3
"""load_checkpoint.py: load a Lumen checkpoint into PyTorch, as a user would.

Reads the safetensors file with nothing but json, struct and torch (the
`safetensors` package does the same in one call: safetensors.torch.load_file),
puts the parameters into the PyTorch twin of the model with
load_state_dict(strict=True), runs it on the deterministic input
x[i, j] = sin(0.01 * (i * 784 + j)) of shape (2, 1, 28, 28) and prints one
JSON line with the logits and the optimizer state names it found.

With --export OUT it goes the other way: it builds the PyTorch model
(torch.manual_seed(0)), writes its state_dict to OUT in the safetensors
format (what safetensors.torch.save_file writes) and prints its logits.

Used by tests/train/test-safetensors.c to check that the weights a Lumen
user saves give the same outputs in PyTorch and back; usable on its own:
    /usr/bin/python3 tests/train/load_checkpoint.py CHECKPOINT mlp|cnn|net|keras-cnn
    /usr/bin/python3 tests/train/load_checkpoint.py --export OUT mlp|cnn|net|keras-cnn
"""
import json
import math
import struct
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64,
          "I32": torch.int32, "U8": torch.uint8}


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[b:e]), dtype=DTYPES[info["dtype"]])
        tensors[name] = t.reshape(info["shape"])
    return tensors, meta


class Net(nn.Module):
    """pytorch/examples' mnist/main.py Net, as written there (lumen-train --model net)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def model_for(kind):
    if kind == "net":
        return Net()
    if kind == "keras-cnn":
        # keras.io's Simple MNIST convnet, channels first, Keras' layer names
        return nn.Sequential(OrderedDict([
            ("conv2d", nn.Conv2d(1, 32, 3)), ("relu", nn.ReLU()), ("max_pooling2d", nn.MaxPool2d(2)),
            ("conv2d_1", nn.Conv2d(32, 64, 3)), ("relu_1", nn.ReLU()), ("max_pooling2d_1", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()), ("dropout", nn.Dropout(0.5)), ("dense", nn.Linear(1600, 10)),
            ("softmax", nn.Softmax(dim=1))]))
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))


def save_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def sample_input():
    x = torch.tensor([math.sin(0.01 * i) for i in range(2 * 784)], dtype=torch.float32)
    return x.reshape(2, 1, 28, 28)


def main():
    if sys.argv[1] == "--export":
        out, kind = sys.argv[2], sys.argv[3]
        torch.manual_seed(0)
        model = model_for(kind)
        model.eval()
        save_safetensors(out, model.state_dict())
        with torch.no_grad():
            logits = model(sample_input())
        print(json.dumps({"logits": logits.reshape(-1).tolist()}))
        return
    path, kind = sys.argv[1], sys.argv[2]
    tensors, meta = load_safetensors(path)
    params = {k: v for k, v in tensors.items() if not k.startswith("optimizer.")}
    state = sorted({k.rsplit(".", 1)[1] for k in tensors if k.startswith("optimizer.")})
    model = model_for(kind)
    model.load_state_dict(params, strict=True)
    model.eval()
    with torch.no_grad():
        out = model(sample_input())
    print(json.dumps({"logits": out.reshape(-1).tolist(), "optimizer_state": state,
                      "model": meta.get("model"), "step": meta.get("step")}))


if __name__ == "__main__":
    main()
