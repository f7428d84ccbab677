"""The CUDA training kernel: a group of lanes trains one network, each lane holding columns of W0.

One thread per pixel (the CPU kernel) would need W0 and its gradient, 2n^2
doubles, in registers: at n = 16 that is 1,024 registers, four times what a
CUDA thread has, so they would spill. Here a power-of-two group of L lanes
of one warp shares a pixel: lane j keeps C = COLS_PER_LANE columns of W0
and of its gradient (columns j*C .. j*C + C - 1, 2nC doubles), computes
those hidden units, and the group sums the output over lanes with butterfly
shuffles, so every lane holds the same, bitwise identical output, loss and
early-stop decision. Columns >= n (when n is not a multiple of L*C) hold
zeros and stay zero. With L = 1 the kernel has no shuffles at all, which is
how its arithmetic is checked on a CPU.
"""
import math

from viz.compute.kernels.parts import make_activations, make_optimiser, make_parts, train_kernel
from viz.errors import UsageError

WARP = 32
#: Columns of W0 per lane, and threads per block: on an H100 at the paper
#: preset two columns in blocks of 64 gave 32,980 px/s, one column in
#: blocks of 256 gave 31,870 (the next best; one column in blocks of 128
#: gave 23,072). Two columns halve the shuffles and data-row loads per
#: hidden unit, at 241 registers a thread instead of 128.
COLS_PER_LANE = 2
BLOCK_DIM = 64
LOW_WORD = 0xFFFFFFFF


def lanes_for(width: int, cols: int) -> int:
    """Lanes per pixel: the smallest power of two whose lanes hold the width, `cols` columns each.

    A group never spans warps.
    """
    if not 1 <= width <= WARP * cols:
        raise UsageError(f"the CUDA kernel supports widths 1..{WARP * cols}, not {width}; use --arch cpu")
    return 1 << (-(-width // cols) - 1).bit_length()


def build_lane_kernel(n: int, cols: int | None = None, optimizer: str = "gd"):
    """Define the CUDA training kernel for width n and an optimiser (same arguments and results as the CPU kernel).

    Each lane keeps its columns' optimiser states beside its columns of W0 (none for gd).
    """
    import taichi as ti

    cols = COLS_PER_LANE if cols is None else cols
    f64 = ti.f64
    block = ti.types.matrix(n, cols, f64)  # the lane's columns of W0 (or of its gradient)
    units = ti.types.vector(cols, f64)  # the lane's hidden units
    lanes = lanes_for(n, cols)
    group_bits = (1 << lanes) - 1  # the group's lanes, before the shift to its place in the warp
    offsets = [lanes >> (k + 1) for k in range(int(math.log2(lanes)))]  # butterfly: L/2, ..., 1
    inv_s = 1.0 / math.sqrt(n)
    parts = make_parts(n)
    load_row = parts.load_row
    activate, activate_backward = make_activations(cols, parts.tanh)
    opt = make_optimiser(optimizer)

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
    def hidden(kind: ti.i32, x, w0):
        """The lane's hidden units for the row x: their pre-activation z = x W0 / sqrt(n), and h."""
        z = units(0.0)
        for i in ti.static(range(n)):
            for c in ti.static(range(cols)):
                z[c] += x[i] * w0[i, c]
        z *= inv_s
        return z, activate(kind, z)

    @ti.func
    def any_lane(mask, flag):
        """Whether flag holds on any lane of the group."""
        found = flag
        if ti.static(lanes > 1):
            found = ti.simt.warp.any_nonzero(mask, ti.cast(flag, ti.i32)) != 0
        return found

    @train_kernel
    def train(xs, ys, order, out, steps_run, X, Y, W0, W1, probe, batches,
              steps, data, minibatch, kind, init_mode, want_probe, early_stop, hyper, axis_x, axis_y):
        ti.loop_config(block_dim=BLOCK_DIM)
        for q in range(xs.shape[0] * lanes):
            # Thread q is lane q % L of pixel q // L; the grid-stride loop keeps
            # q's place in its warp, so a group's lanes share one warp.
            j = q % lanes
            p = order[q // lanes]
            mask = ti.u32(group_bits) << ti.u32((q % WARP) - j)
            real = units(0.0)  # 1 for the lane's columns that exist, 0 for padding
            for c in ti.static(range(cols)):
                real[c] = 1.0 if j * cols + c < n else 0.0
            lr0, lr1, offset = parts.pixel_rates(xs, ys, p, hyper, axis_x, axis_y, 1.0)
            sigma, values = parts.optimiser_values(xs, ys, p, hyper, axis_x, axis_y)
            w0 = block(0.0)
            w1 = units(0.0)
            for c in ti.static(range(cols)):
                if real[c] != 0.0:
                    w1[c] = W1[j * cols + c] * sigma
                    for i in ti.static(range(n)):
                        w0[i, c] = W0[i, j * cols + c] * sigma + (offset if init_mode == 2 else 0.0)
            s0a, s0b, s1a, s1b = block(0.0), block(0.0), units(0.0), units(0.0)  # optimiser states (none for gd)
            p1, p2 = 1.0, 1.0
            grad_rows, loss_rows, inv_grad_rows = parts.row_counts(data, minibatch)
            l0, sum_v, sum_inv, sum_tail, probe_out, t_stop = parts.fresh_sums(steps)
            for t in range(steps):
                # W1 non-finite makes every later output, hence loss, non-finite.
                if early_stop != 0:
                    if any_lane(mask, parts.any_nonfinite(w1)):
                        t_stop = t
                        break
                if init_mode == 1:
                    for c in ti.static(range(cols)):
                        if real[c] != 0.0:
                            for i in ti.static(range(n)):
                                w0[i, c] += offset
                g0 = block(0.0)
                g1 = units(0.0)
                loss_sum = 0.0
                rows = parts.step_rows(t, steps, grad_rows, loss_rows, want_probe)
                # One row per pass: two (interleaved, branch-free) measured 10% slower
                # on an H200, its extra registers costing more than the overlap gains.
                for r in range(rows):
                    x, target, is_grad, is_loss, is_probe = load_row(
                        X, Y, probe, batches, t, r, rows, grad_rows, loss_rows, minibatch)
                    z, h = hidden(kind, x, w0)
                    part = 0.0
                    for c in ti.static(range(cols)):
                        part += h[c] * w1[c]
                    y = group_sum(part, mask) * inv_s * inv_s
                    res = y - target
                    if is_probe:
                        probe_out = y
                    if is_loss:
                        loss_sum += res * res
                    if is_grad:
                        ct = inv_grad_rows * (2.0 * res) * inv_s * inv_s
                        d = activate_backward(kind, z, h, w1 * ct) * inv_s
                        g1 += h * ct
                        for i in ti.static(range(n)):
                            for c in ti.static(range(cols)):
                                g0[i, c] += x[i] * d[c]
                l0, sum_v, sum_inv, sum_tail = parts.record_loss(t, steps, loss_sum, data, l0, sum_v, sum_inv, sum_tail)
                p1, p2, c1, c2 = opt.corrections(values, p1, p2)
                # Padding columns hold zeros and zero gradients, which every rule keeps at zero.
                w1, s1a, s1b = opt.update(w1, g1, s1a, s1b, lr1, values, c1, c2)
                w0, s0a, s0b = opt.update(w0, g0, s0a, s0b, lr0, values, c1, c2)
            if j == 0:
                steps_run[p] = t_stop
                out[p] = parts.finish(steps, t_stop, l0, sum_v, sum_inv, sum_tail, probe_out, want_probe)

    return train
