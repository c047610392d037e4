#!/usr/bin/env python3
"""PyTorch reference of the four genbook benchmark models (bench/models.ts), one CPU thread by default.

The same layers, shapes, losses and optimisers as bench/models.ts, on fixed random batches of
MNIST shape, channels-first as PyTorch prefers. Used by `npm run bench` (bench/run.ts) through a
line protocol on stdin/stdout so its steps can interleave with the TensorFlow.js ones:

    > build <model>        < {"model": ..., "parameters": N, "batch": B}
    > steps <n>            < {"wall": [ms...], "cpu": [ms...], "loss": x}
    > quit

`--threads N` sets torch.set_num_threads(N) (default 1); `--threads default` keeps PyTorch's own
choice (one per core), which is what a PyTorch user gets without asking.

Run alone for a quick look: /usr/bin/python3 bench/reference/torch_models.py --model dcgan --steps 20
(needs Debian's python3-torch; `python3` from a pyenv usually lacks torch).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)


def set_threads(value):
    """'default' keeps PyTorch's own thread count; otherwise a positive integer."""
    if value != 'default':
        n = int(value)
        if n < 1:
            raise SystemExit(f'--threads must be a positive integer or "default"; got {value}')
        torch.set_num_threads(n)


def blas_library():
    """Which BLAS this torch's dense products run on, read from the process's mapped libraries.

    Debian's python3-torch calls whatever provides libblas.so.3: the reference BLAS (package
    libblas3; about 8 GFLOP/s here, so PyTorch's dense layers run ~10x slower) unless OpenBLAS
    (libopenblas0-pthread) is installed. What decides is the file mapped as libblas.so.3 (OpenBLAS's
    LAPACK may be loaded beside the reference BLAS). Returns 'OpenBLAS', 'MKL', 'reference BLAS'
    or 'unknown'.
    """
    torch.randn(64, 64) @ torch.randn(64, 64)  # make sure the BLAS is loaded
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if '/' in line}
    except OSError:
        return 'unknown'
    blas = [p for p in paths if p.rsplit('/', 1)[-1].startswith('libblas.so')]
    if any('mkl' in p for p in paths):
        return 'MKL'
    if any('openblas' in p for p in blas):
        return 'OpenBLAS'
    if any('/blas/' in p for p in blas):
        return 'reference BLAS'
    if not blas and any('openblas' in p for p in paths):
        return 'OpenBLAS'
    return 'unknown'


def count(*modules):
    return sum(p.numel() for m in modules for p in m.parameters() if p.requires_grad)


class MlpAutoencoder:
    batch = 128

    def __init__(self):
        self.net = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
            nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())
        self.opt = torch.optim.Adam(self.net.parameters(), 1e-3)
        self.x = torch.rand(self.batch, 784)
        self.parameters = count(self.net)

    def step(self):
        self.opt.zero_grad()
        loss = F.mse_loss(self.net(self.x), self.x)
        loss.backward()
        self.opt.step()
        return loss.item()


class Dcgan:
    batch = 64
    latent = 100

    def __init__(self):
        # padding=1 with k4 s2 gives the same 7→14→28 and 28→14→7 shapes as tfjs 'same'.
        self.g = nn.Sequential(
            nn.Linear(self.latent, 7 * 7 * 128), nn.BatchNorm1d(7 * 7 * 128, momentum=0.1), nn.ReLU(),
            nn.Unflatten(1, (128, 7, 7)),
            nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64, momentum=0.1), nn.ReLU(),
            nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
        self.d = nn.Sequential(
            nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128, momentum=0.1), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
        self.opt_g = torch.optim.Adam(self.g.parameters(), 2e-4, betas=(0.5, 0.999))
        self.opt_d = torch.optim.Adam(self.d.parameters(), 2e-4, betas=(0.5, 0.999))
        self.real = torch.rand(self.batch, 1, 28, 28) * 2 - 1
        self.ones = torch.ones(self.batch, 1)
        self.zeros = torch.zeros(self.batch, 1)
        self.parameters = count(self.g, self.d)

    def step(self):
        z = torch.randn(self.batch, self.latent)
        self.opt_d.zero_grad()
        fake = self.g(z).detach()
        loss_d = (F.binary_cross_entropy_with_logits(self.d(self.real), self.ones)
                  + F.binary_cross_entropy_with_logits(self.d(fake), self.zeros))
        loss_d.backward()
        self.opt_d.step()
        self.opt_g.zero_grad()
        loss_g = F.binary_cross_entropy_with_logits(self.d(self.g(z)), self.ones)
        loss_g.backward()
        self.opt_g.step()
        return loss_d.item() + loss_g.item()


class ConvVae:
    batch = 128
    latent = 16

    def __init__(self):
        self.enc = nn.Sequential(
            nn.Conv2d(1, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU(),
            nn.Flatten(), nn.Linear(7 * 7 * 64, 2 * self.latent))
        # output_padding=1 gives tfjs 'same' shapes 7→14→28 for k3 s2.
        self.dec = nn.Sequential(
            nn.Linear(self.latent, 7 * 7 * 64), nn.ReLU(), nn.Unflatten(1, (64, 7, 7)),
            nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(32, 1, 3, 2, 1, output_padding=1))
        self.opt = torch.optim.Adam(list(self.enc.parameters()) + list(self.dec.parameters()), 1e-3)
        self.x = torch.rand(self.batch, 1, 28, 28)
        self.parameters = count(self.enc, self.dec)

    def step(self):
        self.opt.zero_grad()
        stats = self.enc(self.x)
        mu, log_var = stats[:, :self.latent], stats[:, self.latent:]
        z = mu + torch.exp(0.5 * log_var) * torch.randn_like(mu)
        logits = self.dec(z)
        rec = F.binary_cross_entropy_with_logits(logits, self.x, reduction='sum') / self.batch
        kl = -0.5 * torch.sum(1 + log_var - mu.pow(2) - log_var.exp()) / self.batch
        loss = rec + kl
        loss.backward()
        self.opt.step()
        return loss.item()


class ResBlock(nn.Module):
    """GroupNorm 8 → SiLU → conv 3×3 → + Dense(SiLU(emb)) → GroupNorm 8 → SiLU → conv 3×3 → + skip."""

    def __init__(self, cin, cout, emb=96, groups=8):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, cin), cin, eps=1e-5)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=1e-5)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x))) + self.emb(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class DdpmUnet(nn.Module):
    """genbook's models.DiffusionUNet with DDPM_UNET_CONFIG (lib/src/models/diffusion-unet.ts)."""

    def __init__(self, c0=24, c1=48, emb=96):
        super().__init__()
        self.t1 = nn.Linear(32, emb)
        self.t2 = nn.Linear(emb, emb)
        self.conv_in = nn.Conv2d(4, c0, 3, padding=1)
        self.down0 = ResBlock(c0, c0, emb)
        self.down = nn.Conv2d(c0, c0, 3, 2, padding=1)
        self.down1 = ResBlock(c0, c1, emb)
        self.mid = ResBlock(c1, c1, emb)
        self.up1 = ResBlock(2 * c1, c1, emb)
        self.up = nn.Conv2d(c1, c0, 3, padding=1)
        self.up0 = ResBlock(2 * c0, c0, emb)
        self.norm_out = nn.GroupNorm(8, c0)
        self.conv_out = nn.Conv2d(c0, 4, 3, padding=1)

    def forward(self, x, temb):
        emb = self.t2(F.silu(self.t1(temb)))
        h = self.conv_in(F.pixel_unshuffle(x, 2))  # [B, 24, 14, 14]
        h0 = self.down0(h, emb)
        h1 = self.down1(self.down(h0), emb)  # [B, 48, 7, 7]
        h = self.mid(h1, emb)
        h = self.up1(torch.cat([h, h1], 1), emb)
        h = self.up(F.interpolate(h, scale_factor=2, mode='nearest'))  # [B, 24, 14, 14]
        h = self.up0(torch.cat([h, h0], 1), emb)
        return F.pixel_shuffle(self.conv_out(F.silu(self.norm_out(h))), 2)  # [B, 1, 28, 28]


def timestep_embedding(t, dim=32):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / (half - 1))
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.sin(args), torch.cos(args)], 1)


class UnetDdpm:
    batch = 64
    steps_t = 1000

    def __init__(self):
        self.net = DdpmUnet()
        self.opt = torch.optim.Adam(self.net.parameters(), 2e-4)
        self.x0 = torch.rand(self.batch, 1, 28, 28) * 2 - 1
        betas = torch.linspace(1e-4, 0.02, self.steps_t)
        self.alpha_bar = torch.cumprod(1 - betas, 0)
        self.parameters = count(self.net)

    def step(self):
        t = torch.randint(0, self.steps_t, (self.batch,))
        ab = self.alpha_bar[t][:, None, None, None]
        eps = torch.randn_like(self.x0)
        xt = ab.sqrt() * self.x0 + (1 - ab).sqrt() * eps
        self.opt.zero_grad()
        loss = F.mse_loss(self.net(xt, timestep_embedding(t)), eps)
        loss.backward()
        self.opt.step()
        return loss.item()


MODELS = {'mlp-ae': MlpAutoencoder, 'dcgan': Dcgan, 'conv-vae': ConvVae, 'unet-ddpm': UnetDdpm}


def run_steps(model, n):
    wall, cpu, loss = [], [], 0.0
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        loss = model.step()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
    return {'wall': wall, 'cpu': cpu, 'loss': loss}


def serve():
    model = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == 'build':
            model = MODELS[words[1]]()
            reply = {'model': words[1], 'parameters': model.parameters, 'batch': model.batch,
                     'torch': torch.__version__, 'threads': torch.get_num_threads(), 'blas': blas_library()}
        elif words[0] == 'steps':
            reply = run_steps(model, int(words[1]))
        elif words[0] == 'quit':
            break
        else:
            reply = {'error': f'unknown command {words[0]}'}
        print(json.dumps(reply), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--serve', action='store_true', help='line protocol on stdin/stdout')
    parser.add_argument('--threads', default='1', help='torch threads: a number, or "default" (default 1)')
    parser.add_argument('--model', choices=sorted(MODELS), default='mlp-ae')
    parser.add_argument('--steps', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    args = parser.parse_args()
    set_threads(args.threads)
    if args.serve:
        serve()
        return
    model = MODELS[args.model]()
    run_steps(model, args.warmup)
    result = run_steps(model, args.steps)
    wall = sorted(result['wall'])
    cpu = sorted(result['cpu'])
    print(f'{args.model}: {model.parameters} parameters, torch {torch.__version__} on {blas_library()}, median {wall[len(wall) // 2]:.2f} ms '
          f'(min {wall[0]:.2f}, max {wall[-1]:.2f}), CPU median {cpu[len(cpu) // 2]:.2f} ms')


if __name__ == '__main__':
    main()
