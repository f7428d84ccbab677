"""The double-double CPU kernel: one thread trains one pixel with every quantity of its run in dd.

Weights, gradients, activations, the loss and the measure's sums are
(hi, lo) pairs of float64s (kernels/dd.py): about 106 bits, so round-off
stays near 1e-32 per operation where the float64 kernels (per_pixel.py,
lockstep.py) have 1e-16. The paper's arrays are float64 values and so exact
in dd (lo = 0): the data rows come from parts.load_row unchanged, and
products with them use dd_mul_d. The hyperparameters arrive as hi and lo
parts (xs_lo, ys_lo), so a rate typed with more digits than float64 holds
is trained with all of them.

Same rules and run structure as per_pixel.py (row loading, row counts and
the measure's rules from parts.py), one data row per pass. The width's
units are vectors (their arithmetic vectorises); the loops over the input
index i run at run time, so the build stays a few times smaller than a
fully unrolled n x n dd kernel would be. CPU only: Taichi's CUDA backend
compiles with unsafe-fp-math, untested for the error-free transformations.
"""
import math
from decimal import Decimal, localcontext

from viz.compute.kernels.dd import make_dd, to_dd
from viz.compute.kernels.parts import dd_train_kernel, make_dd_activations, make_dd_parts, make_parts


def scale_constants(n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """1/sqrt(n) and 1/n as dd values (exact when n is a power of 4, as at the paper's n = 16)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return to_dd(1 / Decimal(n).sqrt()), to_dd(1 / Decimal(n))


def build_dd_per_pixel_kernel(n: int):
    """Define the double-double CPU training kernel for width n: one thread per pixel."""
    import taichi as ti

    f64 = ti.f64
    vec = ti.types.vector(n, f64)
    mat = ti.types.matrix(n, n, f64)
    (inv_s_h, inv_s_l), (inv_n_h, inv_n_l) = scale_constants(n)
    assert math.isclose(inv_s_h, 1 / math.sqrt(n))
    parts = make_parts(n)
    dd = make_dd()
    book = make_dd_parts(dd)
    activate, activate_backward = make_dd_activations(dd)

    @ti.func
    def row(m, i):
        return vec([m[i, j] for j in ti.static(range(n))])

    @ti.func
    def set_row(m: ti.template(), i, v):
        for j in ti.static(range(n)):
            m[i, j] = v[j]

    @dd_train_kernel
    def train(xs, ys, order, out, steps_run, X, Y, W0, W1, probe, batches,
              steps, data, minibatch, kind, init_mode, want_probe, early_stop, xs_lo, ys_lo, out_lo):
        for q in range(xs.shape[0]):
            p = order[q]
            lr0h, lr1h, offh = parts.pixel_rates(xs, ys, p, init_mode)
            lr0l, lr1l, offl = parts.pixel_rates(xs_lo, ys_lo, p, init_mode)
            w0h = mat(0.0)
            w0l = mat(0.0)
            w1h = vec(0.0)
            w1l = vec(0.0)
            for i in ti.static(range(n)):
                w1h[i] = W1[i]
                for j in ti.static(range(n)):
                    w0h[i, j] = W0[i, j]
            if init_mode == 2:
                for i in range(n):
                    ah, al = dd.dd_add_d(vec(offh), vec(offl), row(w0h, i))
                    set_row(w0h, i, ah)
                    set_row(w0l, i, al)
            grad_rows, loss_rows, _ = parts.row_counts(data, minibatch)
            igh, igl = dd.dd_div(1.0, 0.0, ti.cast(grad_rows, f64), 0.0)
            l0h, l0l, svh, svl, sih, sil, sth, stl = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
            ph, pl = 0.0, 0.0
            t_stop = steps
            for t in range(steps):
                if parts.stops_early(early_stop, w1h):
                    t_stop = t
                    break
                if init_mode == 1:
                    for i in range(n):
                        ah, al = dd.dd_add(row(w0h, i), row(w0l, i), vec(offh), vec(offl))
                        set_row(w0h, i, ah)
                        set_row(w0l, i, al)
                g0h = mat(0.0)
                g0l = mat(0.0)
                g1h = vec(0.0)
                g1l = vec(0.0)
                lsh, lsl = 0.0, 0.0
                rows = parts.step_rows(t, steps, grad_rows, loss_rows, want_probe)
                for r in range(rows):
                    x, target, is_grad, is_loss, is_probe = parts.load_row(X, Y, probe, batches, t, r, rows,
                                                                          grad_rows, loss_rows, minibatch)
                    zh = vec(0.0)
                    zl = vec(0.0)
                    for i in range(n):
                        ah, al = dd.dd_mul_d(row(w0h, i), row(w0l, i), x[i])
                        zh, zl = dd.dd_add(zh, zl, ah, al)
                    zh, zl = dd.dd_mul(zh, zl, vec(inv_s_h), vec(inv_s_l))
                    hh, hl = activate(kind, zh, zl)
                    ah, al = dd.dd_mul(hh, hl, w1h, w1l)
                    yh, yl = 0.0, 0.0
                    for j in ti.static(range(n)):
                        yh, yl = dd.dd_add(yh, yl, ah[j], al[j])
                    yh, yl = dd.dd_mul(yh, yl, inv_n_h, inv_n_l)
                    rh, rl = dd.dd_add_d(yh, yl, -target)
                    if is_probe:
                        ph, pl = yh, yl
                    if is_loss:
                        sh, sl = dd.dd_sqr(rh, rl)
                        lsh, lsl = dd.dd_add(lsh, lsl, sh, sl)
                    if is_grad:
                        ch, cl = dd.dd_mul(igh, igl, 2.0 * rh, 2.0 * rl)
                        ch, cl = dd.dd_mul(ch, cl, inv_n_h, inv_n_l)
                        ah, al = dd.dd_mul(hh, hl, vec(ch), vec(cl))
                        g1h, g1l = dd.dd_add(g1h, g1l, ah, al)
                        ah, al = dd.dd_mul(w1h, w1l, vec(ch), vec(cl))
                        ah, al = activate_backward(kind, zh, hh, hl, ah, al)
                        czh, czl = dd.dd_mul(ah, al, vec(inv_s_h), vec(inv_s_l))
                        for i in range(n):
                            ah, al = dd.dd_mul_d(czh, czl, x[i])
                            ah, al = dd.dd_add(row(g0h, i), row(g0l, i), ah, al)
                            set_row(g0h, i, ah)
                            set_row(g0l, i, al)
                l0h, l0l, svh, svl, sih, sil, sth, stl = book.record_loss(t, steps, lsh, lsl, data, l0h, l0l,
                                                                          svh, svl, sih, sil, sth, stl)
                ah, al = dd.dd_mul(g1h, g1l, vec(lr1h), vec(lr1l))
                w1h, w1l = dd.dd_sub(w1h, w1l, ah, al)
                for i in range(n):
                    ah, al = dd.dd_mul(row(g0h, i), row(g0l, i), vec(lr0h), vec(lr0l))
                    ah, al = dd.dd_sub(row(w0h, i), row(w0l, i), ah, al)
                    set_row(w0h, i, ah)
                    set_row(w0l, i, al)
            steps_run[p] = t_stop
            out[p], out_lo[p] = book.finish(steps, t_stop, l0h, l0l, svh, svl, sih, sil, sth, stl, ph, pl,
                                            want_probe)

    return train
