#!/usr/bin/env python3
"""PyTorch's convolution and matrix-product kernels on the shapes of bench/kernels.ts, for its `--torch` columns.

Reads a JSON list of cases on stdin and prints one JSON object per line on stdout:

    {"kind": "conv", "x": [B, H, W, C], "filter": [KH, KW, C, CO], "stride": s}
        → {"forward": ms, "input": ms, "filter": ms}    (TensorFlow's 'same' padding)
    {"kind": "matmul", "m": M, "k": K, "n": N}
        → {"product": ms}

Each time is the median wall-clock ms of 7 calls after 2 warm-up calls, as in bench/kernels.ts.
`--threads N` sets torch.set_num_threads(N); `--threads default` keeps PyTorch's own choice.
Each line also names the BLAS behind the products (see torch_models.blas_library). The gradients are aten's convolution_backward with one output each, which is what
autograd calls for a convolution; inputs are channels-first as PyTorch prefers (NCHW, OIHW).
Needs Debian's python3-torch (run with /usr/bin/python3: a pyenv `python3` usually lacks torch).
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F

from torch_models import blas_library


def median_ms(f, warmup=2, calls=7):
    for _ in range(warmup):
        f()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        f()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[calls // 2]


def same_padding(size, kernel, stride):
    """TensorFlow's 'same' padding (before, after) along one axis."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv_case(x_shape, filter_shape, stride):
    b, h, w, c = x_shape
    kh, kw, _, co = filter_shape
    (top, bottom), (left, right) = same_padding(h, kh, stride), same_padding(w, kw, stride)
    # Pad once outside the timed calls (the padded input has the same FLOPs per output).
    x = F.pad(torch.randn(b, c, h, w), (left, right, top, bottom))
    weight = torch.randn(co, c, kh, kw)
    with torch.no_grad():
        y = F.conv2d(x, weight, stride=stride)
    dy = torch.randn_like(y)
    args = dict(bias_sizes=None, stride=[stride, stride], padding=[0, 0], dilation=[1, 1],
                transposed=False, output_padding=[0, 0], groups=1)
    backward = torch.ops.aten.convolution_backward
    with torch.no_grad():
        return {
            'forward': median_ms(lambda: F.conv2d(x, weight, stride=stride)),
            'input': median_ms(lambda: backward(dy, x, weight, output_mask=[True, False, False], **args)),
            'filter': median_ms(lambda: backward(dy, x, weight, output_mask=[False, True, False], **args)),
        }


def matmul_case(m, k, n):
    a, b = torch.randn(m, k), torch.randn(k, n)
    with torch.no_grad():
        return {'product': median_ms(lambda: a @ b)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--threads', default='1', help='a positive integer, or "default" (PyTorch\'s own choice)')
    threads = parser.parse_args().threads
    if threads != 'default':
        if not threads.isdigit() or int(threads) < 1:
            raise SystemExit(f'--threads must be a positive integer or "default"; got {threads}')
        torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    for case in json.load(sys.stdin):
        if case['kind'] == 'conv':
            result = conv_case(case['x'], case['filter'], case['stride'])
        elif case['kind'] == 'matmul':
            result = matmul_case(case['m'], case['k'], case['n'])
        else:
            raise SystemExit(f"unknown case kind {case['kind']!r}")
        print(json.dumps({**result, 'threads': torch.get_num_threads(), 'blas': blas_library()}), flush=True)


if __name__ == '__main__':
    main()
