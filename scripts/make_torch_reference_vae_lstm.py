#!/usr/bin/python3
"""Writes tests/fixtures/torch_reference_vae_lstm.json: references for ecgad's VAE and LSTM classifier, computed
by PyTorch in float64 (Debian's python3-torch), in the manner of llm.c's test against its PyTorch reference.

For each case: fixed weights and one batch (drawn once from a seeded torch.Generator and rounded to float32, so
that ecgad, which computes in float32, gets exactly the same inputs), the loss (and its parts) and the gradient
of every tensor of ecgad's tensor table, in ecgad's storage order. The layouts follow the PyTorch peer
(../shared/peers/torch_seed_models.py, the Keras-equivalent models); the mapping from PyTorch's parameters to
ecgad's tensors is written out below (VAE_TENSORS, LSTM_TENSORS).

VAE cases (ecgad's two presets' configurations, at small sizes):
  exercise-vae: encoder W-10-6-4 ReLU, heads 4 -> 3, decoder 3-6-10-W with a ReLU output, Keras' BCE of the
                output clipped to [1e-7, 1 - 1e-7] (no gradient where the clip holds), beta 1;
  vae:          encoder W-10-6 ReLU, heads 6 -> 3, decoder 3-10-W with a sigmoid output, the BCE taken from the
                logits (binary_cross_entropy_with_logits), beta 1e-4.
  z = z_mean + exp(0.5 z_log_var) * eps with eps fixed and exported; KL = -0.5 mean(1 + lv - mu^2 - exp(lv)) over
  batch and latent units; the BCE is the mean over batch and samples; loss = BCE + beta KL.
LSTM cases (exercise-lstm's network at small sizes: 12 steps of 1 sample, hidden 7, batch 5):
  torch.nn.LSTM(1, 7) (gate rows i, f, g, o: Keras' i, f, c, o), the last hidden state, dropout, Linear(7, 1),
  BCE from the logit (binary_cross_entropy_with_logits, mean over the batch).
  dropout-off: the mask is all ones (evaluation mode);
  dropout-mask: training mode with a fixed inverted-dropout mask (rate 0.25: entries 0 or 1/0.75), exported and
  applied to h by multiplication (what nn.Dropout does with its own random mask).

Usage: /usr/bin/python3 scripts/make_torch_reference_vae_lstm.py > tests/fixtures/torch_reference_vae_lstm.json
"""
import json

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
GEN = torch.Generator().manual_seed(20261203)


def f32(t):
    """Rounded to float32 and back: a value ecgad's float32 holds exactly."""
    return t.float().double()


def uniform(shape, low, high):
    return f32(low + (high - low) * torch.rand(shape, generator=GEN))


def normal(shape):
    return f32(torch.randn(shape, generator=GEN))


def flat(t):
    """ecgad's storage order: a matrix is column-major (the transpose of PyTorch's row-major), 9 significant
    digits (a float32 is exact in 9)."""
    t = t.detach()
    values = (t.t() if t.dim() == 2 else t).reshape(-1).tolist()
    return [float(f"{value:.9g}") for value in values]


def columns(t):
    """A (B, n) batch as B lists (ecgad's column j is beat j)."""
    return [[float(f"{v:.9g}") for v in row] for row in t.tolist()]


# ---- the VAE --------------------------------------------------------------------------------------------------

def linear(fan_in, fan_out, bias=0.1):
    """A Linear layer with Glorot-uniform weights and random biases in [-bias, bias] (not zero, so that their
    gradients are checked through a nonzero bias too), float32-exact."""
    layer = torch.nn.Linear(fan_in, fan_out)
    limit = (6.0 / (fan_in + fan_out)) ** 0.5
    with torch.no_grad():
        layer.weight.copy_(uniform((fan_out, fan_in), -limit, limit))
        layer.bias.copy_(uniform((fan_out,), -bias, bias))
    return layer


def vae_case(name, width, encoder, latent, decoder, output, beta, batch):
    """Draws weights, beats and eps until no ReLU input lies within 0.01 of 0: there float32 and float64 could
    disagree on its side, and a ReLU output p near 0 makes the clipped BCE's gradient, (p - t) / (p (1 - p)),
    sensitive to p's rounding (an output of 0.003 alone moved the float32 gradients by 1e-5 relative)."""
    for attempt in range(1000):
        case = vae_draw(name, width, encoder, latent, decoder, output, beta, batch)
        if case["relu_margin"] > 0.01:
            case["draws"] = attempt + 1
            return case
    raise RuntimeError(name + ": no draw kept its ReLU inputs away from 0")


def vae_draw(name, width, encoder, latent, decoder, output, beta, batch):
    enc = [linear(a, b) for a, b in zip([width] + encoder[:-1], encoder)]
    # Heads with larger biases: z_mean and z_log_var of order 1, so that the KL weighs in the gradients.
    mu_head, lv_head = linear(encoder[-1], latent, 0.8), linear(encoder[-1], latent, 0.8)
    dec = [linear(a, b) for a, b in zip([latent] + decoder, decoder + [width])]
    # ecgad's tensor table (src/vae.cc: encoder.i, z_mean, z_log_var, decoder.i; weight (outputs, inputs), bias)
    # -> the PyTorch parameters.
    tensors = {}
    for prefix, layers in (("encoder", enc), ("decoder", dec)):
        for i, layer in enumerate(layers):
            tensors[f"{prefix}.{i}.weight"], tensors[f"{prefix}.{i}.bias"] = layer.weight, layer.bias
    tensors["z_mean.weight"], tensors["z_mean.bias"] = mu_head.weight, mu_head.bias
    tensors["z_log_var.weight"], tensors["z_log_var.bias"] = lv_head.weight, lv_head.bias
    order = [f"encoder.{i}.{p}" for i in range(len(enc)) for p in ("weight", "bias")] + \
        ["z_mean.weight", "z_mean.bias", "z_log_var.weight", "z_log_var.bias"] + \
        [f"decoder.{i}.{p}" for i in range(len(dec)) for p in ("weight", "bias")]

    x = uniform((batch, width), 0.02, 0.98)  # scaled beats
    eps = normal((batch, latent))
    preactivations = []  # of every ReLU: none may sit so close to 0 that float32 and float64 disagree on its side

    h = x
    for layer in enc:
        h = layer(h)
        preactivations.append(h)
        h = torch.relu(h)
    mu, lv = mu_head(h), lv_head(h)
    z = mu + torch.exp(0.5 * lv) * eps
    y = z
    for k, layer in enumerate(dec):
        y = layer(y)
        if k < len(dec) - 1 or output == "relu":
            preactivations.append(y)
            y = torch.relu(y)
    if output == "sigmoid":
        reconstruction = F.binary_cross_entropy_with_logits(y, x, reduction="mean")
    else:
        # The clip's bounds as float32 holds them (Keras and the peer clip in float32): 1 - 1e-7 is 1 - 2^-23 there,
        # and an output clipped at the top contributes (1 - t) log(2^-23), not (1 - t) log(1e-7).
        low = torch.tensor(1e-7, dtype=torch.float32)
        p = y.clamp(f32(low).item(), f32(1 - low).item())
        reconstruction = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).mean()
    kl = -0.5 * (1 + lv - mu ** 2 - torch.exp(lv)).mean()
    loss = reconstruction + beta * kl
    loss.backward()
    margin = min(t.detach().abs().min().item() for t in preactivations)
    architecture = {"input_width": width, "encoder": encoder, "latent": latent, "decoder": decoder,
                    "output_activation": output, "loss": "bce", "beta": beta, "score": "mae"}
    return {
        "name": name, "architecture": architecture, "x": columns(x), "eps": columns(eps),
        "tensors": order,
        "parameters": {n: flat(tensors[n]) for n in order},
        "loss": {"total": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()},
        "gradients": {n: flat(tensors[n].grad) for n in order},
        "relu_margin": margin,
        "clipped_outputs": int(((y < 1e-7) | (y > 1 - 2 ** -23)).sum().item()) if output == "relu" else 0,
    }


# ---- the LSTM -------------------------------------------------------------------------------------------------

def lstm_case(name, steps, hidden, batch, rate):
    H = hidden
    lstm = torch.nn.LSTM(1, H, batch_first=True)
    out = torch.nn.Linear(H, 1)
    with torch.no_grad():
        limit = (6.0 / (1 + 4 * H)) ** 0.5
        lstm.weight_ih_l0.copy_(uniform((4 * H, 1), -limit, limit))
        lstm.weight_hh_l0.copy_(uniform((4 * H, H), -0.5, 0.5))
        bias = uniform((4 * H,), -0.2, 0.2)
        bias[H:2 * H] += 1.0  # Keras' unit_forget_bias, on top of a random part
        lstm.bias_ih_l0.copy_(f32(bias))
        lstm.bias_hh_l0.zero_()  # ecgad has one bias: bias_ih + bias_hh
        limit = (6.0 / (H + 1)) ** 0.5
        out.weight.copy_(uniform((1, H), -limit, limit))
        out.bias.copy_(uniform((1,), -0.1, 0.1))
    x = uniform((batch, steps), 0.02, 0.98)
    labels = torch.tensor([float(j % 2 == 0 or j == 3) for j in range(batch)])  # both classes
    if rate > 0:
        keep = torch.rand((batch, H), generator=GEN) >= rate
        mask = f32(keep.double() * f32(torch.tensor(1.0 / (1.0 - rate))))
    else:
        mask = torch.ones(batch, H)
    _, (h, _) = lstm(x.unsqueeze(2))
    logits = out(h[-1] * mask).squeeze(1)
    loss = F.binary_cross_entropy_with_logits(logits, labels, reduction="mean")
    loss.backward()
    assert torch.allclose(lstm.bias_ih_l0.grad, lstm.bias_hh_l0.grad)
    with torch.no_grad():  # the scores: no dropout
        _, (h_eval, _) = lstm(x.unsqueeze(2))
        probabilities = torch.sigmoid(out(h_eval[-1])).squeeze(1)
    # ecgad's tensor table (src/lstm_model.cc) -> PyTorch. Wx (4H, F) and Wh (4H, H) are stored column-major, so
    # their flat order is PyTorch's weight transposed (Keras' kernel (F, 4H) and recurrent_kernel (H, 4H) in
    # row-major order); the gate blocks are rows [0,H) i, [H,2H) f, [2H,3H) g (Keras' c), [3H,4H) o in both.
    tensors = {
        "lstm.input_weight": (lstm.weight_ih_l0, lstm.weight_ih_l0.grad),
        "lstm.recurrent_weight": (lstm.weight_hh_l0, lstm.weight_hh_l0.grad),
        "lstm.bias": (lstm.bias_ih_l0 + lstm.bias_hh_l0, lstm.bias_ih_l0.grad),
        "dense.weight": (out.weight, out.weight.grad),
        "dense.bias": (out.bias, out.bias.grad),
    }
    order = list(tensors)
    architecture = {"input_width": steps, "features": 1, "hidden": H, "dropout": rate if rate > 0 else 0.25}
    return {
        "name": name, "architecture": architecture, "x": columns(x), "labels": labels.tolist(),
        "mask": columns(mask), "tensors": order,
        "parameters": {n: flat(tensors[n][0]) for n in order},
        "loss": {"total": loss.item()},
        "gradients": {n: flat(tensors[n][1]) for n in order},
        "probabilities": probabilities.tolist(),
    }


def main():
    out = {
        "made_by": "scripts/make_torch_reference_vae_lstm.py, torch " + torch.__version__ + ", float64",
        "vae": [
            vae_case("exercise-vae", 20, [10, 6, 4], 3, [6, 10], "relu", 1.0, 5),
            vae_case("vae", 20, [10, 6], 3, [10], "sigmoid", 1e-4, 5),
        ],
        "lstm": [
            lstm_case("dropout-off", 12, 7, 5, 0.0),
            lstm_case("dropout-mask", 12, 7, 5, 0.25),
        ],
    }
    print(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()
