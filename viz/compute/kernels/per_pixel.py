"""The CPU kernel for wide networks: one thread trains one pixel, its width's loops unrolled.

The thread's network is vectors over the n hidden units, so the arithmetic
vectorises across units; at n = 16 this beats the lockstep kernel
(kernels/lockstep.py), which serves narrower networks.
"""
import math

from viz.compute.kernels.parts import make_activations, make_optimiser, make_parts, train_kernel


def build_per_pixel_kernel(n: int, optimizer: str = "gd"):
    """Define the CPU training kernel with the width n and the optimiser built into it: one thread per pixel."""
    import taichi as ti

    f64 = ti.f64
    vec = ti.types.vector(n, f64)
    mat = ti.types.matrix(n, n, f64)
    # Multiplying by 1/sqrt(n) equals the notebook's division whenever sqrt(n)
    # is a power of two (n = 4, 16, 64, ...): exact at the paper's n = 16.
    inv_s = 1.0 / math.sqrt(n)
    parts = make_parts(n)
    load_row = parts.load_row
    activate, activate_backward = make_activations(n, parts.tanh)
    opt = make_optimiser(optimizer)

    @train_kernel
    def train(xs, ys, order, out, steps_run, X, Y, W0, W1, probe, batches,
              steps, data, minibatch, kind, init_mode, want_probe, early_stop, hyper, axis_x, axis_y):
        for q in range(xs.shape[0]):
            p = order[q]
            lr0, lr1, offset = parts.pixel_rates(xs, ys, p, hyper, axis_x, axis_y, 1.0)
            sigma, values = parts.optimiser_values(xs, ys, p, hyper, axis_x, axis_y)
            w0 = mat(0.0)
            w1 = vec(0.0)
            for i in ti.static(range(n)):
                w1[i] = W1[i] * sigma
                for j in ti.static(range(n)):
                    w0[i, j] = W0[i, j] * sigma + (offset if init_mode == 2 else 0.0)
            s0a, s0b, s1a, s1b = mat(0.0), mat(0.0), vec(0.0), vec(0.0)  # optimiser states (none for gd)
            p1, p2 = 1.0, 1.0
            grad_rows, loss_rows, inv_grad_rows = parts.row_counts(data, minibatch)
            l0, sum_v, sum_inv, sum_tail, probe_out, t_stop = parts.fresh_sums(steps)
            for t in range(steps):
                if parts.stops_early(early_stop, w1):
                    t_stop = t
                    break
                if init_mode == 1:
                    for i in ti.static(range(n)):
                        for j in ti.static(range(n)):
                            w0[i, j] = w0[i, j] + offset
                g0 = mat(0.0)
                g1 = vec(0.0)
                loss_sum = 0.0
                rows = parts.step_rows(t, steps, grad_rows, loss_rows, want_probe)
                # Two rows per pass: each load of W0 and each update of its
                # gradient serve two data points (half the memory traffic).
                for pair in range((rows + 1) // 2):
                    xa, ta, ga, la, pa = load_row(X, Y, probe, batches, t, 2 * pair, rows, grad_rows, loss_rows,
                                                  minibatch)
                    xb, tb, gb, lb, pb = load_row(X, Y, probe, batches, t, 2 * pair + 1, rows, grad_rows, loss_rows,
                                                  minibatch)
                    za = vec(0.0)
                    zb = vec(0.0)
                    for i in ti.static(range(n)):
                        for j in ti.static(range(n)):
                            za[j] += xa[i] * w0[i, j]
                            zb[j] += xb[i] * w0[i, j]
                    za *= inv_s
                    zb *= inv_s
                    ha = activate(kind, za)
                    hb = activate(kind, zb)
                    ya = 0.0
                    yb = 0.0
                    for j in ti.static(range(n)):
                        ya += ha[j] * w1[j]
                        yb += hb[j] * w1[j]
                    ya = ya * inv_s * inv_s
                    yb = yb * inv_s * inv_s
                    ra = ya - ta
                    rb = yb - tb
                    if pa:
                        probe_out = ya
                    if pb:
                        probe_out = yb
                    if la:
                        loss_sum += ra * ra
                    if lb:
                        loss_sum += rb * rb
                    if ga or gb:
                        ct_a = inv_grad_rows * (2.0 * ra) * inv_s * inv_s
                        ct_b = inv_grad_rows * (2.0 * rb) * inv_s * inv_s
                        ca = activate_backward(kind, za, ha, w1 * ct_a) * inv_s
                        cb = activate_backward(kind, zb, hb, w1 * ct_b) * inv_s
                        # A row that is not a gradient row adds exactly zero
                        # (a select, so a non-finite value cannot leak in as NaN).
                        zero = vec(0.0)
                        ca = ca if ga else zero
                        cb = cb if gb else zero
                        g1 += (ha * ct_a if ga else zero) + (hb * ct_b if gb else zero)
                        for i in ti.static(range(n)):
                            for j in ti.static(range(n)):
                                g0[i, j] += xa[i] * ca[j] + xb[i] * cb[j]
                l0, sum_v, sum_inv, sum_tail = parts.record_loss(t, steps, loss_sum, data, l0, sum_v, sum_inv, sum_tail)
                p1, p2, c1, c2 = opt.corrections(values, p1, p2)
                w1, s1a, s1b = opt.update(w1, g1, s1a, s1b, lr1, values, c1, c2)
                w0, s0a, s0b = opt.update(w0, g0, s0a, s0b, lr0, values, c1, c2)
            steps_run[p] = t_stop
            out[p] = parts.finish(steps, t_stop, l0, sum_v, sum_inv, sum_tail, probe_out, want_probe)

    return train
