#!/usr/bin/python3
"""Writes tests/fixtures/torch_reference.json: an end-to-end reference for ecgad's autoencoder, computed by
PyTorch in float64 (Debian's python3-torch), in the manner of llm.c's test against its PyTorch reference.

The tutorial network (140-32-16-8-16-32-140, ReLU, sigmoid output, MAE loss) with fixed weights (a formula,
no random numbers), 32 fixed beats, ten Adam steps over fixed batches of 8 (beats 8t mod 32 ...), Adam as
Keras writes it (epsilon outside the bias correction). It records the loss before each step, the gradient of
every tensor at the first step, and a checksum of every tensor after the tenth step. The inputs are formulas that
tests/reference_test.cc writes out again (their sums are recorded, so that a mismatch shows); it compares the rest.

Usage: /usr/bin/python3 scripts/make_torch_reference.py > tests/fixtures/torch_reference.json
"""
import json
import math

import torch

torch.set_default_dtype(torch.float64)
WIDTH, SIZES, BEATS, BATCH, STEPS = 140, [140, 32, 16, 8, 16, 32, 140], 32, 8, 10
LR, BETA1, BETA2, EPSILON = 1e-3, 0.9, 0.999, 1e-7


def beats():
    x = torch.empty(BEATS, WIDTH)
    for j in range(BEATS):
        for i in range(WIDTH):
            x[j, i] = 0.5 + 0.4 * math.sin(0.05 * i * (j % 5 + 1) + j) * math.exp(-((i - 70) / 60.0) ** 2)
    return x


def initial_parameters():
    params = []
    for layer in range(len(SIZES) - 1):
        fan_in, fan_out = SIZES[layer], SIZES[layer + 1]
        w = torch.empty(fan_out, fan_in)
        for o in range(fan_out):
            for i in range(fan_in):
                w[o, i] = math.sqrt(6.0 / (fan_in + fan_out)) * math.sin(1.3 * o + 0.7 * i + 2.1 * layer)
        b = torch.tensor([0.02 * math.cos(o + 3.0 * layer) for o in range(fan_out)])
        params += [(f"layers.{layer}.weight", w.requires_grad_()), (f"layers.{layer}.bias", b.requires_grad_())]
    return params


def forward(params, x):
    h = x
    for layer in range(len(SIZES) - 1):
        w, b = params[2 * layer][1], params[2 * layer + 1][1]
        h = h @ w.T + b
        h = torch.sigmoid(h) if layer == len(SIZES) - 2 else torch.relu(h)
    return h


def flat(t):
    """Column-major (as ecgad stores an (outputs x inputs) weight), 9 significant digits."""
    t = t.detach()
    values = (t.t() if t.dim() == 2 else t).reshape(-1).tolist()
    return [float(f"{value:.9g}") for value in values]


def main():
    x = beats()
    params = initial_parameters()
    m = [torch.zeros_like(p) for _, p in params]
    v = [torch.zeros_like(p) for _, p in params]
    losses, first_gradients = [], {}
    for step in range(1, STEPS + 1):
        start = ((step - 1) * BATCH) % BEATS
        batch = x[start:start + BATCH]
        loss = (forward(params, batch) - batch).abs().mean()
        for _, p in params:
            p.grad = None
        loss.backward()
        losses.append(loss.item())
        if step == 1:
            first_gradients = {name: flat(p.grad) for name, p in params}
        lr_t = LR * math.sqrt(1 - BETA2 ** step) / (1 - BETA1 ** step)
        with torch.no_grad():
            for k, (_, p) in enumerate(params):
                m[k] = BETA1 * m[k] + (1 - BETA1) * p.grad
                v[k] = BETA2 * v[k] + (1 - BETA2) * p.grad * p.grad
                p -= lr_t * m[k] / (v[k].sqrt() + EPSILON)
    out = {
        "made_by": "scripts/make_torch_reference.py, torch " + torch.__version__ + ", float64",
        "sizes": SIZES, "batch": BATCH, "steps": STEPS,
        "adam": {"learning_rate": LR, "beta1": BETA1, "beta2": BETA2, "epsilon": EPSILON},
        "beats_sum": x.sum().item(),
        "initial_sums": {name: p.detach().sum().item() for name, p in initial_parameters()},
        "losses": losses,
        "first_gradients": first_gradients,
        "final_sums": {name: p.detach().sum().item() for name, p in params},
        "final_abs_sums": {name: p.detach().abs().sum().item() for name, p in params},
    }
    print(json.dumps(out, separators=(",", ":"), default=float))


if __name__ == "__main__":
    main()
