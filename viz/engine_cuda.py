"""The CUDA training kernel: a group of lanes trains one network, lane j holding column j of W0.

One thread per pixel (the CPU kernel) would need W0 and its gradient, 2n^2
doubles, in registers: at n = 16 that is 1,024 registers, four times what a
CUDA thread has, so they would spill. Here a power-of-two group of L >= n
lanes of one warp shares a pixel: lane j keeps column j of W0 and of its
gradient (2n doubles), computes its own hidden unit, and the group sums the
output over lanes with butterfly shuffles, so every lane holds the same,
bitwise identical output, loss and early-stop decision. Lanes j >= n (when
n is not a power of two) hold zero columns and stay zero.
"""
# No `from __future__ import annotations`: Taichi reads kernel annotations as objects.
import math

from viz.errors import UsageError
from viz.kernel_parts import make_parts

WARP = 32
#: Threads per block (on an H200, 256 gave 1.4x the pixels/s of 64 or 128).
BLOCK_DIM = 256
LOW_WORD = 0xFFFFFFFF


def lanes_for(width: int) -> int:
    """Lanes per pixel: the smallest power of two holding the width (a group never spans warps)."""
    if not 1 <= width <= WARP:
        raise UsageError(f"the CUDA kernel supports widths 1..{WARP}, not {width}; use --arch cpu")
    return 1 << (width - 1).bit_length()


def build_lane_kernel(n: int):
    """Define the CUDA training kernel for width n (same arguments and results as the CPU kernel)."""
    import taichi as ti

    f64 = ti.f64
    col = ti.types.vector(n, f64)
    lanes = lanes_for(n)
    group_bits = (1 << lanes) - 1  # the group's lanes, before the shift to its place in the warp
    offsets = [lanes >> (k + 1) for k in range(int(math.log2(lanes)))]  # butterfly: L/2, ..., 1
    inv_s = 1.0 / math.sqrt(n)
    sqrt2 = math.sqrt(2.0)
    parts = make_parts(n)
    is_finite, tanh, load_row = parts.is_finite, parts.tanh, parts.load_row

    @ti.func
    def group_sum(v, mask):
        """The sum of v over the group's lanes, the same bits on every lane (xor butterfly)."""
        for k in ti.static(offsets):
            bits = ti.bit_cast(v, ti.i64)
            lo = ti.simt.warp.shfl_xor_i32(mask, ti.cast(bits & ti.i64(LOW_WORD), ti.i32), k)
            hi = ti.simt.warp.shfl_xor_i32(mask, ti.cast(bits >> 32, ti.i32), k)
            other = ti.bit_cast((ti.cast(hi, ti.i64) << 32) | (ti.cast(lo, ti.i64) & ti.i64(LOW_WORD)), f64)
            v = v + other
        return v

    @ti.func
    def activate(kind: ti.i32, z):
        h = z
        if kind == 0:
            h = tanh(z * sqrt2)
        elif kind == 1:
            h = ti.max(z, 0.0) * sqrt2
        return h

    @ti.func
    def activate_backward(kind: ti.i32, z, h, ct):
        g = ct
        if kind == 0:
            # As JAX differentiates tanh, (g + g h)(1 - h): exact near saturation.
            g = ((ct + ct * h) * (1.0 - h)) * sqrt2
        elif kind == 1:
            g = ct * sqrt2 if z > 0 else 0.0
        return g

    @ti.kernel
    def train(
        xs: ti.types.ndarray(dtype=f64, ndim=1), ys: ti.types.ndarray(dtype=f64, ndim=1),
        order: ti.types.ndarray(dtype=ti.i32, ndim=1), out: ti.types.ndarray(dtype=f64, ndim=1),
        steps_run: ti.types.ndarray(dtype=ti.i32, ndim=1),
        X: ti.types.ndarray(dtype=f64, ndim=2), Y: ti.types.ndarray(dtype=f64, ndim=1),
        W0: ti.types.ndarray(dtype=f64, ndim=2), W1: ti.types.ndarray(dtype=f64, ndim=1),
        probe: ti.types.ndarray(dtype=f64, ndim=1), batches: ti.types.ndarray(dtype=ti.i32, ndim=2),
        steps: ti.i32, data: ti.i32, minibatch: ti.i32, kind: ti.i32, init_mode: ti.i32,
        want_probe: ti.i32, early_stop: ti.i32,
    ):
        ti.loop_config(block_dim=BLOCK_DIM)
        for q in range(xs.shape[0] * lanes):
            # Thread q is lane q % L of pixel q // L; the grid-stride loop keeps
            # q's place in its warp, so a group's lanes share one warp.
            j = q % lanes
            p = order[q // lanes]
            mask = ti.u32(group_bits) << ti.u32((q % WARP) - j)
            real = j < n
            lr0 = xs[p]
            lr1 = ys[p]
            offset = 0.0
            if init_mode != 0:
                offset = xs[p] if real else 0.0
                lr0 = ys[p]
            w0 = col(0.0)
            w1 = 0.0
            if real:
                w1 = W1[j]
                for i in ti.static(range(n)):
                    w0[i] = W0[i, j] + (offset if init_mode == 2 else 0.0)
            grad_rows = data if minibatch == 0 else minibatch
            loss_rows = 0 if minibatch == 0 else data
            inv_grad_rows = 1.0 / grad_rows
            l0 = 0.0
            sum_v = 0.0
            sum_inv = 0.0
            sum_tail = 0.0
            probe_out = 0.0
            t_stop = steps
            for t in range(steps):
                # W1 non-finite makes every later output, hence loss, non-finite.
                if early_stop != 0 and ti.simt.warp.any_nonzero(mask, ti.cast(not is_finite(w1), ti.i32)) != 0:
                    t_stop = t
                    break
                if init_mode == 1:
                    w0 += offset
                g0 = col(0.0)
                g1 = 0.0
                loss_sum = 0.0
                probe_row = want_probe != 0 and t == steps - 1
                rows = grad_rows + loss_rows + (1 if probe_row else 0)
                # One row per pass: two (interleaved, branch-free) measured 10% slower
                # on an H200, its extra registers costing more than the overlap gains.
                for r in range(rows):
                    x, target, is_grad, is_loss, is_probe = load_row(
                        X, Y, probe, batches, t, r, rows, grad_rows, loss_rows, minibatch)
                    z = 0.0
                    for i in ti.static(range(n)):
                        z += x[i] * w0[i]
                    z *= inv_s
                    h = activate(kind, z)
                    y = group_sum(h * w1, mask) * inv_s * inv_s
                    res = y - target
                    if is_probe:
                        probe_out = y
                    if is_loss:
                        loss_sum += res * res
                    if is_grad:
                        ct = inv_grad_rows * (2.0 * res) * inv_s * inv_s
                        c = activate_backward(kind, z, h, w1 * ct) * inv_s
                        g1 += h * ct
                        for i in ti.static(range(n)):
                            g0[i] += x[i] * c
                l0, sum_v, sum_inv, sum_tail = parts.record_loss(t, steps, loss_sum, data, l0, sum_v, sum_inv, sum_tail)
                if real:
                    w1 = w1 - lr1 * g1
                    w0 = w0 - lr0 * g0
            if j == 0:
                steps_run[p] = t_stop
                out[p] = parts.finish(steps, t_stop, l0, sum_v, sum_inv, sum_tail, probe_out, want_probe)

    return train
