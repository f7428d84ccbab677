"""The double-double CPU kernel: each pixel one run, every quantity of it in dd, a thread per scratch slot.

Weights, gradients, activations, the loss and the measure's sums are
(hi, lo) pairs of float64s (kernels/dd.py): about 106 bits, so round-off
stays near 1e-32 per operation where the float64 kernels (per_pixel.py,
lockstep.py) have 1e-16. The paper's arrays are float64 values and so exact
in dd (lo = 0): the data rows come from parts.row_source and input_at
unchanged, and products with them take a float64 operand. The
hyperparameters arrive as hi and lo parts (xs_lo, ys_lo), so a rate typed
with more digits than float64 holds is trained with all of them.

Same rules and run structure as per_pixel.py (row sources, row counts and
the measure's rules from parts.py). The layout is what the measurements
on the 2-core CPU chose (BENCHMARKS.md):
- A run's n x n matrices live in a per-thread slot of `scratch` and the
  loops over their rows run at run time. Held as Taichi locals (unrolled,
  or indexed at run time), they spilled: 1.5 px/s at the paper preset.
- The n^2 work of a row (the forward product and the weight gradient's
  outer product) is a compensated dot product (dd.dot2_add): each weight
  is split once a step and each input once a row, so a term costs 18
  flops where a dd multiply and add cost 45, with a dd sum's error bound.
- A pass takes R = rows_per_pass(n) data rows, so each W0 row read serves
  R rows and the O(n) work runs on R n values at once; the activations
  (a dd tanh is most of the time) run ACTIVATION_CHUNK units a loop pass.
- The weight updates and the O(n) work use the full dd operations.
CPU only: Taichi's CUDA backend compiles with unsafe-fp-math, untested
for the error-free transformations.
"""
import math
from decimal import Decimal, localcontext

from viz.compute.kernels.dd import make_dd
from viz.compute.kernels.parts import dd_train_kernel, make_dd_activations, make_dd_parts, make_parts
from viz.numeric.dd import to_dd


def scale_constants(n: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """1/sqrt(n) and 1/n as dd values (exact when n is a power of 4, as at the paper's n = 16)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return to_dd(1 / Decimal(n).sqrt()), to_dd(1 / Decimal(n))


#: Slots of per-thread scratch: the kernel's parallel loop runs over slots, each slot's pixels one after another.
SLOTS = 64
#: The n x n matrices a run keeps in its slot: W0 (hi, lo), W0's split hi (its two halves), W0's gradient
#: (sum, compensation), and a buffer for a pass's activations (pre-activations and outputs, hi and lo).
W0_HI, W0_LO, W0_SPLIT_HI, W0_SPLIT_LO, G0_SUM, G0_COMP, ACTIVATIONS = range(7)
SCRATCH_MATRICES = 7
#: Hidden units whose activation one pass of the activation loop computes.
ACTIVATION_CHUNK = 8


def rows_per_pass(n: int) -> int:
    """Data rows a pass takes together: enough that the activations run on 32 independent values.

    A dd tanh is a chain of a few hundred dependent float64 operations; on
    one row's n units a core waits on its latencies most of the time
    (measured: 70% of the run at n = 8). R rows at once give it R n
    independent chains, and each W0 row read from scratch serves R rows.
    """
    return max(1, 16 // n)


def scratch_shape(n: int) -> tuple[int, int, int, int]:
    """The dd kernel's scratch argument: SLOTS x SCRATCH_MATRICES x n x n float64 (12 KiB a slot at n = 16)."""
    return SLOTS, SCRATCH_MATRICES, n, n


def build_dd_per_pixel_kernel(n: int):
    """Define the double-double CPU training kernel for width n: a thread per scratch slot, its pixels in turn."""
    import taichi as ti

    f64 = ti.f64
    R = rows_per_pass(n)
    vec = ti.types.vector(n, f64)
    per_row = ti.types.vector(R, f64)
    block = ti.types.vector(R * n, f64)
    (inv_s_h, inv_s_l), (inv_n_h, inv_n_l) = scale_constants(n)
    assert math.isclose(inv_s_h, 1 / math.sqrt(n))
    parts = make_parts(n)
    dd = make_dd()
    book = make_dd_parts(dd)
    activate, activate_backward = make_dd_activations(dd)

    @ti.func
    def row(scratch: ti.template(), slot, m, i):
        """Row i of matrix m of a slot's scratch."""
        return vec([scratch[slot, m, i, j] for j in ti.static(range(n))])

    @ti.func
    def set_row(scratch: ti.template(), slot, m, i, v):
        for j in ti.static(range(n)):
            scratch[slot, m, i, j] = v[j]

    @ti.func
    def tile(v):
        """An n-vector repeated for each of a pass's R rows."""
        return block([v[j] for r in ti.static(range(R)) for j in ti.static(range(n))])

    @ti.func
    def spread(v):
        """An R-vector (one value per row) repeated over each row's n units."""
        return block([v[r] for r in ti.static(range(R)) for j in ti.static(range(n))])

    @ti.func
    def part(v, r: ti.template()):
        """Row r's n units of a block vector."""
        return vec([v[r * n + j] for j in ti.static(range(n))])

    @ti.func
    def column(v, j: ti.template()):
        """Unit j of every row of a block vector, as an R-vector."""
        return per_row([v[r * n + j] for r in ti.static(range(R))])

    RN = R * n
    chunk = ti.types.vector(ACTIVATION_CHUNK, f64)
    assert RN % ACTIVATION_CHUNK == 0 and 4 * RN <= n * n

    @ti.func
    def put(scratch: ti.template(), slot, segment: ti.template(), v):
        """A block vector into segment 0..3 of the slot's activation buffer."""
        for e in ti.static(range(RN)):
            scratch[slot, ACTIVATIONS, (segment * RN + e) // n, (segment * RN + e) % n] = v[e]

    @ti.func
    def get(scratch: ti.template(), slot, segment: ti.template()):
        return block([scratch[slot, ACTIVATIONS, (segment * RN + e) // n, (segment * RN + e) % n]
                      for e in ti.static(range(RN))])

    @ti.func
    def activate_in_chunks(scratch: ti.template(), slot, kind, zh, zl):
        """The activations of a block, ACTIVATION_CHUNK units a loop pass (measured: a dd tanh over 16 units at
        once spilled its registers and ran 8x slower per unit than over 8)."""
        put(scratch, slot, 0, zh)
        put(scratch, slot, 1, zl)
        for c in range(RN // ACTIVATION_CHUNK):
            base = c * ACTIVATION_CHUNK
            ch = chunk([scratch[slot, ACTIVATIONS, (base + e) // n, (base + e) % n]
                        for e in ti.static(range(ACTIVATION_CHUNK))])
            cl = chunk([scratch[slot, ACTIVATIONS, (RN + base + e) // n, (RN + base + e) % n]
                        for e in ti.static(range(ACTIVATION_CHUNK))])
            hh, hl = activate(kind, ch, cl)
            for e in ti.static(range(ACTIVATION_CHUNK)):
                scratch[slot, ACTIVATIONS, (2 * RN + base + e) // n, (2 * RN + base + e) % n] = hh[e]
                scratch[slot, ACTIVATIONS, (3 * RN + base + e) // n, (3 * RN + base + e) % n] = hl[e]
        return get(scratch, slot, 2), get(scratch, slot, 3)

    @dd_train_kernel
    def train(xs, ys, order, out, steps_run, X, Y, W0, W1, probe, batches,
              steps, data, minibatch, kind, init_mode, want_probe, early_stop, hyper, axis_x, axis_y,
              xs_lo, ys_lo, out_lo, scratch):
        for slot in range(SLOTS):
            for k in range((xs.shape[0] - slot + SLOTS - 1) // SLOTS):
                p = order[slot + k * SLOTS]
                # Plain gd on rates and offset only: the Engine refuses other experiments in dd.
                lr0h, lr1h, offh = parts.pixel_rates(xs, ys, p, hyper, axis_x, axis_y, 1.0)
                lr0l, lr1l, offl = parts.pixel_rates(xs_lo, ys_lo, p, hyper, axis_x, axis_y, 0.0)
                w1h = vec([W1[i] for i in ti.static(range(n))])
                w1l = vec(0.0)
                for i in range(n):
                    w0 = vec([W0[i, j] for j in ti.static(range(n))])
                    ah, al = w0, vec(0.0)
                    if init_mode == 2:
                        ah, al = dd.dd_add_d(vec(offh), vec(offl), w0)
                    set_row(scratch, slot, W0_HI, i, ah)
                    set_row(scratch, slot, W0_LO, i, al)
                grad_rows, loss_rows, _ = parts.row_counts(data, minibatch)
                igh, igl = dd.dd_div(1.0, 0.0, ti.cast(grad_rows, f64), 0.0)
                l0h, l0l, svh, svl, sih, sil, sth, stl = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
                ph, pl = 0.0, 0.0
                t_stop = steps
                for t in range(steps):
                    if parts.stops_early(early_stop, w1h):
                        t_stop = t
                        break
                    for i in range(n):
                        ah, al = row(scratch, slot, W0_HI, i), row(scratch, slot, W0_LO, i)
                        if init_mode == 1:
                            ah, al = dd.dd_add(ah, al, vec(offh), vec(offl))
                            set_row(scratch, slot, W0_HI, i, ah)
                            set_row(scratch, slot, W0_LO, i, al)
                        sh, sl = dd.split(ah)
                        set_row(scratch, slot, W0_SPLIT_HI, i, sh)
                        set_row(scratch, slot, W0_SPLIT_LO, i, sl)
                        set_row(scratch, slot, G0_SUM, i, vec(0.0))
                        set_row(scratch, slot, G0_COMP, i, vec(0.0))
                    g1h = vec(0.0)
                    g1l = vec(0.0)
                    lsh, lsl = 0.0, 0.0
                    rows = parts.step_rows(t, steps, grad_rows, loss_rows, want_probe)
                    for b in range((rows + R - 1) // R):
                        d = ti.Vector([0] * R, ti.i32)
                        target = per_row(0.0)
                        is_grad = ti.Vector([0] * R, ti.i32)
                        is_loss = ti.Vector([0] * R, ti.i32)
                        is_probe = ti.Vector([0] * R, ti.i32)
                        any_grad = False
                        for r in ti.static(range(R)):
                            d[r], target[r], is_grad[r], is_loss[r], is_probe[r] = parts.row_source(
                                Y, batches, t, b * R + r, rows, grad_rows, loss_rows, minibatch)
                            any_grad = any_grad or is_grad[r] != 0
                        zs = block(0.0)
                        zc = block(0.0)
                        for i in range(n):
                            xi = per_row([parts.input_at(X, probe, d[r], is_probe[r], i) for r in ti.static(range(R))])
                            xsh, xsl = dd.split(xi)
                            zs, zc = dd.dot2_add(zs, zc, tile(row(scratch, slot, W0_HI, i)),
                                                 tile(row(scratch, slot, W0_LO, i)),
                                                 tile(row(scratch, slot, W0_SPLIT_HI, i)),
                                                 tile(row(scratch, slot, W0_SPLIT_LO, i)),
                                                 spread(xi), spread(xsh), spread(xsl))
                        zh, zl = dd.dot2_result(zs, zc)
                        zh, zl = dd.dd_mul(zh, zl, block(inv_s_h), block(inv_s_l))
                        hh, hl = activate_in_chunks(scratch, slot, kind, zh, zl)
                        ah, al = dd.dd_mul(hh, hl, tile(w1h), tile(w1l))
                        yh = per_row(0.0)
                        yl = per_row(0.0)
                        for j in ti.static(range(n)):
                            yh, yl = dd.dd_add(yh, yl, column(ah, j), column(al, j))
                        yh, yl = dd.dd_mul(yh, yl, per_row(inv_n_h), per_row(inv_n_l))
                        rh, rl = dd.dd_add_d(yh, yl, -target)
                        sh, sl = dd.dd_sqr(rh, rl)
                        for r in ti.static(range(R)):
                            if is_probe[r]:
                                ph, pl = yh[r], yl[r]
                            if is_loss[r]:
                                lsh, lsl = dd.dd_add(lsh, lsl, sh[r], sl[r])
                        if any_grad:
                            ch, cl = dd.dd_mul(per_row(igh), per_row(igl), 2.0 * rh, 2.0 * rl)
                            ch, cl = dd.dd_mul(ch, cl, per_row(inv_n_h), per_row(inv_n_l))
                            for r in ti.static(range(R)):
                                ch[r] = ch[r] if is_grad[r] else 0.0
                                cl[r] = cl[r] if is_grad[r] else 0.0
                            ah, al = dd.dd_mul(hh, hl, spread(ch), spread(cl))
                            for r in ti.static(range(R)):
                                if is_grad[r]:
                                    g1h, g1l = dd.dd_add(g1h, g1l, part(ah, r), part(al, r))
                            ah, al = dd.dd_mul(tile(w1h), tile(w1l), spread(ch), spread(cl))
                            ah, al = activate_backward(kind, zh, hh, hl, ah, al)
                            czh, czl = dd.dd_mul(ah, al, block(inv_s_h), block(inv_s_l))
                            # A row that feeds no gradient adds exactly zero (a select: no NaN leaks in).
                            grad = spread(ti.cast(is_grad, f64))
                            czh = ti.select(grad != 0.0, czh, 0.0)
                            czl = ti.select(grad != 0.0, czl, 0.0)
                            csh, csl = dd.split(czh)
                            for i in range(n):
                                xi = per_row([parts.input_at(X, probe, d[r], is_probe[r], i)
                                              for r in ti.static(range(R))])
                                xsh, xsl = dd.split(xi)
                                gs, gc = row(scratch, slot, G0_SUM, i), row(scratch, slot, G0_COMP, i)
                                for r in ti.static(range(R)):
                                    gs, gc = dd.dot2_add(gs, gc, part(czh, r), part(czl, r), part(csh, r),
                                                         part(csl, r), xi[r], xsh[r], xsl[r])
                                set_row(scratch, slot, G0_SUM, i, gs)
                                set_row(scratch, slot, G0_COMP, i, gc)
                    l0h, l0l, svh, svl, sih, sil, sth, stl = book.record_loss(t, steps, lsh, lsl, data, l0h, l0l,
                                                                              svh, svl, sih, sil, sth, stl)
                    ah, al = dd.dd_mul(g1h, g1l, vec(lr1h), vec(lr1l))
                    w1h, w1l = dd.dd_sub(w1h, w1l, ah, al)
                    for i in range(n):
                        gh, gl = dd.dot2_result(row(scratch, slot, G0_SUM, i), row(scratch, slot, G0_COMP, i))
                        ah, al = dd.dd_mul(gh, gl, vec(lr0h), vec(lr0l))
                        ah, al = dd.dd_sub(row(scratch, slot, W0_HI, i), row(scratch, slot, W0_LO, i), ah, al)
                        set_row(scratch, slot, W0_HI, i, ah)
                        set_row(scratch, slot, W0_LO, i, al)
                steps_run[p] = t_stop
                out[p], out_lo[p] = book.finish(steps, t_stop, l0h, l0l, svh, svl, sih, sil, sth, stl, ph, pl,
                                                want_probe)

    return train
