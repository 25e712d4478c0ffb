#!/usr/bin/python3
"""Benchmark: training steps per second of our DDPM MLP (2D, batch 512) and RQS spline flow (5D, batch 512)
against the same networks written in PyTorch Python (Debian's python3-torch), in the same run, with the same
thread settings: LibTorch/PyTorch intra-op threads 1, OpenBLAS threads 1 and then 2.

    /usr/bin/python3 tests/bench/training_vs_pytorch.py [BUILD_DIR] [SECONDS]

The Python networks mirror core/models: the DDPM network is our residual Mlp (input [x, emb(t)], every hidden
layer adds a projection of emb(t), SiLU, residual from the second layer on), 16-wide sinusoidal embedding of
1000 t/T, eps-prediction MSE with the linear beta schedule; the flow is 6 RQS couplings (alternating halves,
ReLU conditioners 128-128, K = 8 bins, tail bound 4, linear tails) with reversing permutations and a standard
normal base, loss = mean negative log-likelihood. One step = forward, loss, backward, clip_grad_norm(1), Adam.
"""
import json
import math
import os
import subprocess
import sys
import time

BUILD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "build")
SECONDS = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0

CHILD = r'''
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
torch.set_num_threads(1)
SECONDS = float(sys.argv[1])

def embedding(t, dim, scale=1000.0, max_period=10000.0):
    half = dim // 2
    w = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32) / half)
    a = (t * scale)[:, None] * w[None, :]
    return torch.cat([torch.sin(a), torch.cos(a)], 1)

class Mlp(nn.Module):
    def __init__(self, d, hidden=(256, 256, 256), emb=16):
        super().__init__()
        self.emb = emb
        widths = [d + emb] + list(hidden)
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.cond = nn.ModuleList(nn.Linear(emb, h) for h in hidden)
        self.out = nn.Linear(hidden[-1], d)
    def forward(self, x, t):
        c = embedding(t, self.emb)
        h = torch.cat([x, c], 1)
        for i, (layer, proj) in enumerate(zip(self.layers, self.cond)):
            nxt = F.silu(layer(h) + proj(c))
            h = h + nxt if i > 0 and nxt.shape == h.shape else nxt
        return self.out(h)

class Ddpm(nn.Module):
    def __init__(self, d, T=1000):
        super().__init__()
        self.net = Mlp(d)
        self.T = T
        betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
        self.register_buffer("abar", torch.cumprod(1 - betas, 0).float())
    def loss(self, x0):
        t = torch.randint(0, self.T, (x0.shape[0],))
        eps = torch.randn_like(x0)
        a = self.abar[t][:, None]
        xt = a.sqrt() * x0 + (1 - a).sqrt() * eps
        return ((self.net(xt, t.float() / self.T) - eps) ** 2).sum(1).mean()

def rqs(x, w, h, d, B=4.0, min_w=1e-3, min_h=1e-3, min_d=1e-3):
    """Unconstrained rational-quadratic spline on [-B, B], identity outside (Durkan et al. 2019)."""
    K = w.shape[-1]
    inside = (x >= -B) & (x <= B)
    shift = math.log(math.expm1(1 - min_d))
    d = F.pad(min_d + F.softplus(d + shift), (1, 1), value=1.0)
    w = min_w + (1 - min_w * K) * torch.softmax(w, -1)
    cw = F.pad(torch.cumsum(w, -1), (1, 0)) * 2 * B - B
    cw[..., -1] = B
    w = cw[..., 1:] - cw[..., :-1]
    h = min_h + (1 - min_h * K) * torch.softmax(h, -1)
    ch = F.pad(torch.cumsum(h, -1), (1, 0)) * 2 * B - B
    ch[..., -1] = B
    h = ch[..., 1:] - ch[..., :-1]
    xc = x.clamp(-B, B)
    k = (torch.searchsorted(cw[..., 1:-1].contiguous(), xc[..., None].contiguous()).squeeze(-1)).clamp(0, K - 1)
    g = lambda a: a.gather(-1, k[..., None]).squeeze(-1)
    x0, wk, y0, hk, dk, dk1 = g(cw[..., :-1]), g(w), g(ch[..., :-1]), g(h), g(d[..., :-1]), g(d[..., 1:])
    s = hk / wk
    th = (xc - x0) / wk
    tt = th * (1 - th)
    den = s + (dk1 + dk - 2 * s) * tt
    y = y0 + hk * (s * th ** 2 + dk * tt) / den
    dy = s ** 2 * (dk1 * th ** 2 + 2 * s * tt + dk * (1 - th) ** 2) / den ** 2
    return torch.where(inside, y, x), torch.where(inside, torch.log(dy), torch.zeros_like(x))

class Coupling(nn.Module):
    def __init__(self, D, odd, K=8, hidden=(128, 128)):
        super().__init__()
        self.I = [i for i in range(D) if (i % 2 == 1) != odd]
        self.T = [i for i in range(D) if (i % 2 == 1) == odd]
        self.K = K
        widths = [len(self.I)] + list(hidden) + [len(self.T) * (3 * K - 1)]
        self.net = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:]))
        self.back = torch.argsort(torch.tensor(self.I + self.T))
    def forward(self, x):
        xi, xt = x[:, self.I], x[:, self.T]
        p = xi
        for i, l in enumerate(self.net):
            p = l(p)
            if i + 1 < len(self.net):
                p = F.relu(p)
        p = p.reshape(x.shape[0], len(self.T), 3 * self.K - 1)
        y, ld = rqs(xt, p[..., :self.K], p[..., self.K:2 * self.K], p[..., 2 * self.K:])
        return torch.cat([xi, y], 1)[:, self.back], ld.sum(1)

class Flow(nn.Module):
    def __init__(self, D, layers=6):
        super().__init__()
        self.layers = nn.ModuleList(Coupling(D, l % 2 == 0) for l in range(layers))
    def loss(self, x):
        logdet = 0
        for l in self.layers:
            x, ld = l(x)
            logdet = logdet + ld
            x = x.flip(1)
        logp = -0.5 * (x ** 2).sum(1) - 0.5 * x.shape[1] * math.log(2 * math.pi) + logdet
        return -logp.mean()

def rate(model, D, batch=512):
    torch.manual_seed(3)
    x = torch.randn(8 * batch, D)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    def step(i):
        b = x[(i % 8) * batch:(i % 8 + 1) * batch]
        opt.zero_grad()
        l = model.loss(b)
        l.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    for i in range(20):
        step(i)
    t0 = time.perf_counter(); n = 0
    while time.perf_counter() - t0 < SECONDS:
        step(n); n += 1
    return n / (time.perf_counter() - t0)

for name, model, D in (("ddpm", Ddpm(2), 2), ("flow-rqs", Flow(5), 5)):
    params = sum(p.numel() for p in model.parameters())
    print(json.dumps({"model": name, "parameters": params, "steps_per_second": rate(model, D)}))
'''


def run(cmd, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), HEPGEN_THREADS=str(threads), OMP_NUM_THREADS="1")
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return {r["model"]: r for r in map(json.loads, out.strip().splitlines())}


def main():
    ours_exe = os.path.join(BUILD, "tests", "bench", "bench_training")
    print(f"{'model':10} {'BLAS thr':>8} {'params ours/py':>16} {'ours steps/s':>13} {'PyTorch steps/s':>16} {'ratio':>6}")
    for threads in (1, 2):
        ours = run([ours_exe, str(SECONDS)], threads)
        ref = run(["/usr/bin/python3", "-c", CHILD, str(SECONDS)], threads)
        for m in ("ddpm", "flow-rqs"):
            o, r = ours[m], ref[m]
            print(f"{m:10} {threads:>8} {o['parameters']:>8}/{r['parameters']:<7} {o['steps_per_second']:>13.1f} "
                  f"{r['steps_per_second']:>16.1f} {o['steps_per_second'] / r['steps_per_second']:>6.2f}")


if __name__ == "__main__":
    main()
