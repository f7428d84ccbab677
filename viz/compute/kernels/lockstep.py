"""The CPU kernel for narrow networks: a thread trains P pixels in lockstep, each SIMD lane a pixel.

The one-thread-per-pixel kernel (per_pixel.py) vectorises across a
network's hidden units; at n = 8 that is two vectors, so the tanh, the
output's sum over units and the per-row bookkeeping run nearly scalar. Here
every per-pixel quantity is a vector over P pixels that share the data rows,
so all of it runs P wide and the sum over units is a plain vertical add.
One core, quick preset (n = 8, 100 steps), default view, early stopping on:
7,506 px/s with P = 16, 6,243 with P = 8, 4,698 with P = 4, against 4,091
for the per-pixel kernel. At n = 16 the per-pixel kernel stays faster (105.7
px/s against 98.4 with P = 4 and 86.9 with P = 8), so this kernel serves
widths up to MAX_WIDTH.

Arrays are flat vectors indexed unit-major, lane-minor (unit j of lane l at
j * P + l), so the shared activation functions apply unchanged. The row loop
has no branches (a row that feeds no gradient adds a selected zero; loss and
probe rows are selected likewise): branches there cost a third of the speed.
Lanes stop early one by one (their later losses are added in closed form, as
in the other kernels); the thread stops when all its lanes have. The caller
hands neighbouring pixels to one thread (`block_order`), so that they tend to
stop together.
"""
import math

import numpy as np

from viz.compute.kernels.parts import OPTIMISER_VALUES, make_activations, make_optimiser, make_parts, train_kernel

#: Pixels a thread trains in lockstep: two 256-bit vectors of float64. 16
#: lanes ran 20% faster on one core (6% in the two-core bench) but take 57 s
#: to build instead of 11 s: a minute's wait at the explorer's first start on
#: a machine, and in every cold CI run.
LANES = 8
#: The widest network this kernel serves (see the module docstring).
MAX_WIDTH = 8


def block_order(count: int, lanes: int = LANES) -> np.ndarray:
    """Pixel indices, `lanes` neighbours per thread, the threads' blocks in a shuffled order.

    Neighbouring pixels run about as long, so a block wastes little on lanes
    that stopped early; shuffling the blocks spreads the long runs (which
    cluster in an image) over the threads. The last block is padded with
    its own last pixel: its thread trains that pixel twice over and writes
    the same value twice.
    """
    blocks = -(-count // lanes)
    starts = np.random.default_rng(count).permutation(blocks) * lanes
    order = (starts[:, None] + np.arange(lanes)[None, :]).ravel()
    return np.minimum(order, count - 1).astype(np.int32)


def build_simd_kernel(n: int, lanes: int = LANES, optimizer: str = "gd"):
    """Define the lockstep CPU kernel for width n and an optimiser (same arguments and results as the other kernels).

    `order` must come from `block_order` (a multiple of `lanes` long).
    """
    import taichi as ti

    f64 = ti.f64
    P = lanes
    per_lane = ti.types.vector(P, f64)
    stops = ti.types.vector(P, ti.i32)
    units = ti.types.vector(n * P, f64)
    weights = ti.types.vector(n * n * P, f64)
    lane_values = ti.types.matrix(P, len(OPTIMISER_VALUES), f64)  # each lane's optimiser_values
    # Multiplying by 1/sqrt(n) equals the notebook's division whenever sqrt(n)
    # is a power of two (n = 4, 16, 64, ...).
    inv_s = 1.0 / math.sqrt(n)
    parts = make_parts(n)
    is_finite, load_row = parts.is_finite, parts.load_row
    activate, activate_backward = make_activations(n * P, parts.tanh)
    opt = make_optimiser(optimizer)

    @ti.func
    def update(w, g, s1, s2, lr, values, c1, c2, size: ti.template()):
        """Every lane's weights of one layer (`size` per lane, unit-major, lane-minor) after its update."""
        for k in ti.static(range(size)):
            for lane in ti.static(range(P)):
                e = k * P + lane
                w[e], s1[e], s2[e] = opt.update(w[e], g[e], s1[e], s2[e], lr[lane], values[lane, :], c1[lane], c2[lane])
        return w, s1, s2

    @ti.func
    def hidden(kind: ti.i32, x, w0):
        """Every lane's hidden layer for the row x: its pre-activation z = x W0 / sqrt(n), and h."""
        z = units(0.0)
        for i in ti.static(range(n)):
            for j in ti.static(range(n)):
                for lane in ti.static(range(P)):
                    z[j * P + lane] += x[i] * w0[(i * n + j) * P + lane]
        z *= inv_s
        return z, activate(kind, z)

    @train_kernel
    def train(xs, ys, order, out, steps_run, X, Y, W0, W1, probe, batches,
              steps, data, minibatch, kind, init_mode, want_probe, early_stop, hyper, axis_x, axis_y):
        for b in range(order.shape[0] // P):
            lr0 = per_lane(0.0)
            lr1 = per_lane(0.0)
            offset = per_lane(0.0)
            sigma = per_lane(0.0)
            values = lane_values(0.0)
            for lane in ti.static(range(P)):
                p = order[b * P + lane]
                lr0[lane], lr1[lane], offset[lane] = parts.pixel_rates(xs, ys, p, hyper, axis_x, axis_y, 1.0)
                sigma[lane], lane_value = parts.optimiser_values(xs, ys, p, hyper, axis_x, axis_y)
                for k in ti.static(range(len(OPTIMISER_VALUES))):
                    values[lane, k] = lane_value[k]
            w0 = weights(0.0)
            w1 = units(0.0)
            for i in ti.static(range(n)):
                for lane in ti.static(range(P)):
                    w1[i * P + lane] = W1[i] * sigma[lane]
                for j in ti.static(range(n)):
                    for lane in ti.static(range(P)):
                        w0[(i * n + j) * P + lane] = W0[i, j] * sigma[lane] + (offset[lane] if init_mode == 2 else 0.0)
            s0a, s0b, s1a, s1b = weights(0.0), weights(0.0), units(0.0), units(0.0)  # optimiser states (none for gd)
            p1, p2, c1, c2 = per_lane(1.0), per_lane(1.0), per_lane(1.0), per_lane(1.0)
            grad_rows, loss_rows, inv_grad_rows = parts.row_counts(data, minibatch)
            l0 = per_lane(0.0)
            sum_v = per_lane(0.0)
            sum_inv = per_lane(0.0)
            sum_tail = per_lane(0.0)
            probe_out = per_lane(0.0)
            t_stop = stops(steps)
            for t in range(steps):
                if early_stop != 0:
                    # W1 non-finite makes every later output, hence loss, non-finite.
                    running = False
                    for lane in ti.static(range(P)):
                        if t_stop[lane] == steps:
                            for j in ti.static(range(n)):
                                if not is_finite(w1[j * P + lane]):
                                    t_stop[lane] = t
                        if t_stop[lane] == steps:
                            running = True
                    if not running:
                        break
                if init_mode == 1:
                    for k in ti.static(range(n * n)):
                        for lane in ti.static(range(P)):
                            w0[k * P + lane] = w0[k * P + lane] + offset[lane]
                g0 = weights(0.0)
                g1 = units(0.0)
                loss_sum = per_lane(0.0)
                rows = parts.step_rows(t, steps, grad_rows, loss_rows, want_probe)
                for r in range(rows):
                    x, target, is_grad, is_loss, is_probe = load_row(
                        X, Y, probe, batches, t, r, rows, grad_rows, loss_rows, minibatch)
                    z, h = hidden(kind, x, w0)
                    y = per_lane(0.0)
                    for j in ti.static(range(n)):
                        for lane in ti.static(range(P)):
                            y[lane] += h[j * P + lane] * w1[j * P + lane]
                    y = y * inv_s * inv_s
                    res = y - target
                    for lane in ti.static(range(P)):
                        probe_out[lane] = y[lane] if is_probe else probe_out[lane]
                        loss_sum[lane] += res[lane] * res[lane] if is_loss else 0.0
                    ct = inv_grad_rows * (2.0 * res) * inv_s * inv_s
                    ct_h = units(0.0)
                    for j in ti.static(range(n)):
                        for lane in ti.static(range(P)):
                            ct_h[j * P + lane] = w1[j * P + lane] * ct[lane]
                            g1[j * P + lane] += h[j * P + lane] * ct[lane] if is_grad else 0.0
                    c = activate_backward(kind, z, h, ct_h) * inv_s
                    for j in ti.static(range(n)):
                        for lane in ti.static(range(P)):
                            c[j * P + lane] = c[j * P + lane] if is_grad else 0.0
                    for i in ti.static(range(n)):
                        for j in ti.static(range(n)):
                            for lane in ti.static(range(P)):
                                g0[(i * n + j) * P + lane] += x[i] * c[j * P + lane]
                for lane in ti.static(range(P)):
                    if t < t_stop[lane]:
                        l0[lane], sum_v[lane], sum_inv[lane], sum_tail[lane] = parts.record_loss(
                            t, steps, loss_sum[lane], data, l0[lane], sum_v[lane], sum_inv[lane], sum_tail[lane])
                for lane in ti.static(range(P)):
                    p1[lane], p2[lane], c1[lane], c2[lane] = opt.corrections(values[lane, :], p1[lane], p2[lane])
                w1, s1a, s1b = update(w1, g1, s1a, s1b, lr1, values, c1, c2, n)
                w0, s0a, s0b = update(w0, g0, s0a, s0b, lr0, values, c1, c2, n * n)
            for lane in ti.static(range(P)):
                p = order[b * P + lane]
                steps_run[p] = t_stop[lane]
                out[p] = parts.finish(steps, t_stop[lane], l0[lane], sum_v[lane], sum_inv[lane], sum_tail[lane],
                                      probe_out[lane], want_probe)

    return train
