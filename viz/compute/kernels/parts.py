"""Taichi functions every training kernel shares: the tanh, the data rows, the measure's bookkeeping.

The CPU kernels (one thread per pixel, per_pixel.py; a thread per block of
pixels in lockstep, lockstep.py) and the CUDA kernel (a group of lanes per
pixel, lanes.py) differ only in how they spread the networks' arithmetic
over threads and SIMD lanes; their arguments and everything that decides
the numbers of SPEC.md outside that arithmetic live here once.
"""
import math
from decimal import Decimal, localcontext
from types import SimpleNamespace

from viz.problem.conditions import MAX_RATIO, NONFINITE_LOSS, TAIL_STEPS
from viz.problem.experiment import HYPERPARAMETERS

NONLINEARITY_CODE = {"tanh": 0, "relu": 1, "identity": 2}
INIT_CODE = {"": 0, "accumulate": 1, "once": 2}
#: Each hyperparameter's index in a kernel's `hyper` array and its axis codes.
HYPER_CODE = {name: k for k, name in enumerate(HYPERPARAMETERS)}
#: The hyperparameters whose axis coordinate is log10(1 - value).
ONE_MINUS_CODES = frozenset(HYPER_CODE[name] for name, h in HYPERPARAMETERS.items() if h.one_minus)
#: What an optimiser's update reads, in this order (optimiser_values, make_optimiser).
OPTIMISER_VALUES = ("weight-decay", "momentum", "beta1", "beta2", "eps")

_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_INV_LN2 = 1.44269504088896338700e+00
#: 1/k! for k = 1..13: expm1(r) = r * (1 + r/2 + r^2/6 + ...).
_EXPM1_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(1, 14))


def make_parts(n: int) -> SimpleNamespace:
    """The shared Taichi functions for width n (Taichi must be initialised)."""
    import taichi as ti

    f64 = ti.f64
    vec = ti.types.vector(n, f64)
    opt_vec = ti.types.vector(len(OPTIMISER_VALUES), f64)

    @ti.func
    def is_finite(v):
        # Not `v == v`: Taichi folds that to true even with fast_math off.
        return ti.abs(v) < ti.math.inf

    @ti.func
    def any_nonfinite(v):
        """Whether any element of the vector v is NaN or infinite: the early stop's test."""
        found = False
        for j in ti.static(range(v.n)):
            if not is_finite(v[j]):
                found = True
        return found

    @ti.func
    def stops_early(early_stop, w1):
        """Whether a run stops before this step: when asked to, once W1 holds a non-finite value, which
        makes every later output, hence loss, non-finite (`finish` adds those steps in closed form)."""
        return early_stop != 0 and any_nonfinite(w1)

    @ti.func
    def tanh(x):
        """tanh that vectorises: ti.tanh is a scalar libm call, 84% of the CPU time.

        tanh|x| = e/(e + 2) with e = expm1(2|x|); expm1 by Cody-Waite range
        reduction and a degree-13 Taylor polynomial on |r| <= ln2/2 (truncation
        below 1e-17 relative). A few ulp, no cancellation; NaN passes through.
        """
        a = ti.min(ti.abs(x), 20.0)  # tanh(20) is 1.0 in float64
        y = 2.0 * a
        k = ti.floor(y * _INV_LN2 + 0.5)
        r = (y - k * _LN2_HI) - k * _LN2_LO
        p = _EXPM1_TAYLOR[-1]
        for c in ti.static(_EXPM1_TAYLOR[-2::-1]):
            p = p * r + c
        p = p * r
        scale = ti.bit_cast((ti.cast(k, ti.i64) + 1023) << 52, f64)
        e = scale * p + (scale - 1.0)
        t = e / (e + 2.0)
        t = -t if x < 0 else t
        return t if ti.abs(x) <= ti.math.inf else x

    @ti.func
    def hyperparameter(xs: ti.template(), ys: ti.template(), p, hyper: ti.template(), axis_x, axis_y,
                       k: ti.template(), fixed: ti.template()):
        """Hyperparameter k (HYPER_CODE) of pixel p: from the x or y axis where it is one, else `fixed` times
        its fixed value; `fixed` is 1 for a value, 0 for a double-double low part.

        An axis carries 10**coordinate (Experiment.values): the value itself, or 1 - value for
        momentum and the betas, turned back here (fixed - power: the low part's sign flips).
        """
        v = hyper[k] * fixed
        if k == axis_x or k == axis_y:
            power = xs[p] if k == axis_x else ys[p]
            v = power
            if ti.static(k in ONE_MINUS_CODES):
                v = fixed - power
        return v

    @ti.func
    def pixel_rates(xs: ti.template(), ys: ti.template(), p, hyper: ti.template(), axis_x, axis_y,
                    fixed: ti.template()):
        """Pixel p's learning rates and initial-weight offset (lr0, lr1, offset).

        The axes are any two hyperparameters (the paper's: eta0 x eta1, or
        offset x lr for the init conditions); an lr axis sets both rates.
        """
        lr0 = hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE["lr0"], fixed)
        lr1 = hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE["lr1"], fixed)
        if axis_x == HYPER_CODE["lr"] or axis_y == HYPER_CODE["lr"]:
            lr0 = hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE["lr"], fixed)
            lr1 = lr0
        offset = hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE["offset"], fixed)
        return lr0, lr1, offset

    @ti.func
    def optimiser_values(xs: ti.template(), ys: ti.template(), p, hyper: ti.template(), axis_x, axis_y):
        """Pixel p's init scale and optimiser hyperparameters: sigma and (weight decay, mu, beta1, beta2, eps)."""
        sigma = hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE["init-scale"], 1.0)
        values = opt_vec([hyperparameter(xs, ys, p, hyper, axis_x, axis_y, HYPER_CODE[name], 1.0)
                          for name in ti.static(OPTIMISER_VALUES)])
        return sigma, values

    @ti.func
    def row_counts(data, minibatch):
        """A step's gradient rows (all data, or the minibatch), its extra full-batch loss rows, 1/gradient rows."""
        grad_rows = data if minibatch == 0 else minibatch
        loss_rows = 0 if minibatch == 0 else data
        return grad_rows, loss_rows, 1.0 / grad_rows

    @ti.func
    def step_rows(t, steps, grad_rows, loss_rows, want_probe):
        """Rows of step t: the gradient's, the extra loss rows, and on the last step the probe's if asked for."""
        probe_row = want_probe != 0 and t == steps - 1
        return grad_rows + loss_rows + (1 if probe_row else 0)

    @ti.func
    def row_source(Y: ti.template(), batches: ti.template(), t, r, rows, grad_rows, loss_rows, minibatch):
        """Row r of a step: the data row d that feeds it, its target, and whether it feeds the gradient, the
        loss, the probe.

        Rows are the gradient's (all data, or the minibatch), then for a
        minibatch every data row again for the full-batch loss, then on the
        last step the probe input; r >= rows is padding that feeds nothing.
        d is -1 for the probe row and for padding (`input_at` reads those).
        """
        is_grad = r < grad_rows
        is_loss = r < rows and (r >= grad_rows or minibatch == 0)
        is_probe = r < rows and r == grad_rows + loss_rows
        d = -1
        target = 0.0
        if r < rows and not is_probe:
            d = r
            if minibatch != 0:
                d = batches[t, r] if is_grad else r - grad_rows
            target = Y[d]
        return d, target, is_grad, is_loss, is_probe

    @ti.func
    def input_at(X: ti.template(), probe: ti.template(), d, is_probe, i):
        """Element i of a row's input: data row d's, the probe's, or 0 for padding."""
        v = 0.0
        if d >= 0:
            v = X[d, i]
        elif is_probe:
            v = probe[i]
        return v

    @ti.func
    def load_row(X: ti.template(), Y: ti.template(), probe: ti.template(), batches: ti.template(),
                 t, r, rows, grad_rows, loss_rows, minibatch):
        """Row r of a step (see `row_source`): its input vector, target, and what it feeds."""
        d, target, is_grad, is_loss, is_probe = row_source(Y, batches, t, r, rows, grad_rows, loss_rows, minibatch)
        x = vec([input_at(X, probe, d, is_probe, i) for i in ti.static(range(n))])
        return x, target, is_grad, is_loss, is_probe

    @ti.func
    def fresh_sums(steps):
        """A run's measure bookkeeping before its first step: l0, sum_v, sum_inv, sum_tail, probe_out, and
        t_stop, the step it stopped at (all of them until the early stop says otherwise)."""
        return 0.0, 0.0, 0.0, 0.0, 0.0, steps

    @ti.func
    def record_loss(t, steps, loss_sum, data, l0, sum_v, sum_inv, sum_tail):
        """Fold one step's loss into the running sums of the measure (SPEC: clip, ratio, tail)."""
        loss = loss_sum / data
        if not is_finite(loss):
            loss = NONFINITE_LOSS
        if t == 0:
            l0 = loss
        v = ti.min(loss / l0, MAX_RATIO)
        sum_v += v
        sum_inv += 1.0 / v
        if t >= steps - TAIL_STEPS:
            sum_tail += v
        return l0, sum_v, sum_inv, sum_tail

    @ti.func
    def finish(steps, t_stop, l0, sum_v, sum_inv, sum_tail, probe_out, want_probe):
        """The pixel's value; steps after an early stop are added in closed form.

        Each remaining loss is non-finite, so counts as 1e6 before the
        division by l0, then the clip.
        """
        if t_stop < steps:
            if t_stop == 0:
                l0 = NONFINITE_LOSS
            v_rest = ti.min(NONFINITE_LOSS / l0, MAX_RATIO)
            rest = steps - t_stop
            sum_v += rest * v_rest
            sum_inv += rest / v_rest
            sum_tail += (steps - ti.max(t_stop, steps - TAIL_STEPS)) * v_rest
            probe_out = NONFINITE_LOSS
        value = 0.0
        if want_probe != 0:
            value = probe_out if is_finite(probe_out) else NONFINITE_LOSS
        elif sum_tail / ti.min(TAIL_STEPS, steps) < 1.0:
            value = -sum_v
        else:
            value = sum_inv
        return value

    return SimpleNamespace(is_finite=is_finite, any_nonfinite=any_nonfinite, stops_early=stops_early, tanh=tanh,
                           pixel_rates=pixel_rates, optimiser_values=optimiser_values, row_counts=row_counts,
                           step_rows=step_rows, fresh_sums=fresh_sums, load_row=load_row, row_source=row_source,
                           input_at=input_at, record_loss=record_loss, finish=finish)


#: The arguments every training kernel takes, in order (Engine.measure passes them so).
TRAIN_ARGUMENTS = ("xs", "ys", "order", "out", "steps_run", "X", "Y", "W0", "W1", "probe", "batches",
                   "steps", "data", "minibatch", "kind", "init_mode", "want_probe", "early_stop",
                   "hyper", "axis_x", "axis_y")


def train_kernel(train):
    """Compile `train` as a Taichi kernel with the argument types every training kernel shares.

    Taichi reads a kernel's argument types from its annotations (through
    inspect.signature), so they are set here once rather than written out
    in each kernel; `train` names TRAIN_ARGUMENTS, in that order. Inputs:
    the axis hyperparameters' values xs, ys, the batch's pixel order, the
    problem's arrays (X, Y, W0, W1, probe, minibatch rows) and its run-time
    scalars, every other hyperparameter's fixed value (hyper, by HYPER_CODE)
    and which two are the axes; outputs: out and steps_run, one per pixel.
    """
    import inspect

    import taichi as ti

    if tuple(inspect.signature(train).parameters) != TRAIN_ARGUMENTS:
        raise TypeError(f"a training kernel takes {', '.join(TRAIN_ARGUMENTS)}")
    train.__annotations__ = _argument_types()
    return ti.kernel(train)


def _argument_types() -> dict:
    """Taichi's types of TRAIN_ARGUMENTS and DD_ARGUMENTS, by name."""
    import taichi as ti

    f64, i32 = ti.f64, ti.i32

    def array(dtype, ndim):
        return ti.types.ndarray(dtype=dtype, ndim=ndim)

    return {
        "xs": array(f64, 1), "ys": array(f64, 1), "order": array(i32, 1), "out": array(f64, 1),
        "steps_run": array(i32, 1), "X": array(f64, 2), "Y": array(f64, 1), "W0": array(f64, 2),
        "W1": array(f64, 1), "probe": array(f64, 1), "batches": array(i32, 2),
        "steps": i32, "data": i32, "minibatch": i32, "kind": i32, "init_mode": i32,
        "want_probe": i32, "early_stop": i32, "hyper": array(f64, 1), "axis_x": i32, "axis_y": i32,
        "xs_lo": array(f64, 1), "ys_lo": array(f64, 1), "out_lo": array(f64, 1), "scratch": array(f64, 4),
    }


#: What a double-double kernel takes beyond TRAIN_ARGUMENTS: the low parts of the
#: hyperparameters (zero for float64 ones) and of the result, and its per-thread
#: scratch for the weight matrices (dd_per_pixel.scratch_shape).
DD_ARGUMENTS = ("xs_lo", "ys_lo", "out_lo", "scratch")


def dd_train_kernel(train):
    """As train_kernel, for a double-double kernel: TRAIN_ARGUMENTS followed by DD_ARGUMENTS."""
    import inspect

    import taichi as ti

    if tuple(inspect.signature(train).parameters) != TRAIN_ARGUMENTS + DD_ARGUMENTS:
        raise TypeError(f"a double-double training kernel takes {', '.join(TRAIN_ARGUMENTS + DD_ARGUMENTS)}")
    train.__annotations__ = _argument_types()
    return ti.kernel(train)


#: How many state arrays of a layer's shape each optimiser keeps (SPEC: every state starts at zero).
OPTIMISER_STATES = {"gd": 0, "momentum": 1, "nesterov": 1, "adam": 2, "adamw": 2}


def make_optimiser(name: str):
    """SPEC's update rule of one optimiser as two Taichi functions, specialised at compile time (ti.static).

    `corrections(values, p1, p2)` carries Adam's beta1^t and beta2^t (a running product from 1, as the
    NumPy reference keeps them) and gives its bias corrections 1 - beta^t (ones for the others);
    `update(w, g, s1, s2, lr, values, c1, c2)` returns the new weights and states, for one weight or a
    whole vector or matrix of them (elementwise). `values` is optimiser_values' vector (weight decay,
    mu, beta1, beta2, eps); the order of operations is the NumPy reference's.
    """
    import taichi as ti

    decay, mu, beta1, beta2, eps = range(len(OPTIMISER_VALUES))

    @ti.func
    def corrections(values, p1, p2):
        """Adam's powers beta^t carried from the last update to this one, and its bias corrections 1 - beta^t."""
        c1, c2 = 1.0, 1.0
        if ti.static(name in ("adam", "adamw")):
            p1 = p1 * values[beta1]
            p2 = p2 * values[beta2]
            c1, c2 = 1.0 - p1, 1.0 - p2
        return p1, p2, c1, c2

    @ti.func
    def update(w, g, s1, s2, lr, values, c1, c2):
        lam = values[decay]
        if ti.static(name == "adamw"):
            w = w * (1.0 - lr * lam)
        elif lam != 0.0:
            g = g + lam * w
        if ti.static(name == "gd"):
            w = w - lr * g
        elif ti.static(name in ("momentum", "nesterov")):
            s1 = values[mu] * s1 + g
            if ti.static(name == "nesterov"):
                w = w - lr * (g + values[mu] * s1)
            else:
                w = w - lr * s1
        else:
            b1, b2 = values[beta1], values[beta2]
            s1 = b1 * s1 + (1.0 - b1) * g
            s2 = b2 * s2 + (1.0 - b2) * (g * g)
            w = w - lr * (s1 / c1) / (ti.sqrt(s2 / c2) + values[eps])
        return w, s1, s2

    return SimpleNamespace(corrections=corrections, update=update, states=OPTIMISER_STATES[name])


def make_activations(length: int, tanh):
    """The nonlinearity and its backward pass over a vector of `length` hidden units.

    The per-pixel CPU kernel applies them to all n units of a pixel, the
    lockstep kernel to n units of each of its pixels at once, the CUDA
    kernel to the few columns a lane holds. `kind` is NONLINEARITY_CODE's
    value.
    """
    import taichi as ti

    sqrt2 = math.sqrt(2.0)

    @ti.func
    def activate(kind: ti.i32, z):
        h = z
        if kind == 0:
            for j in ti.static(range(length)):
                h[j] = tanh(z[j] * sqrt2)
        elif kind == 1:
            for j in ti.static(range(length)):
                h[j] = ti.max(z[j], 0.0) * sqrt2
        return h

    @ti.func
    def activate_backward(kind: ti.i32, z, h, ct):
        g = ct
        if kind == 0:
            # As JAX differentiates tanh, (g + g h)(1 - h): exact near saturation.
            for j in ti.static(range(length)):
                g[j] = ((ct[j] + ct[j] * h[j]) * (1.0 - h[j])) * sqrt2
        elif kind == 1:
            for j in ti.static(range(length)):
                g[j] = ct[j] * sqrt2 if z[j] > 0 else 0.0
        return g

    return activate, activate_backward


def make_dd_parts(dd):
    """The measure's bookkeeping (record_loss, finish) with every sum, ratio and test in double-double.

    The same rules as make_parts' float64 functions (SPEC: a non-finite loss
    counts as NONFINITE_LOSS, the ratio to l0 is clipped at MAX_RATIO, the
    tail's mean decides), on (hi, lo) pairs from `dd` (kernels/dd.py's make_dd()).
    Finiteness reads hi only: a normalised pair is finite exactly when hi is.
    """
    import taichi as ti

    f64 = ti.f64

    @ti.func
    def clip_ratio(vh, vl):
        over = dd.dd_gt(vh, vl, MAX_RATIO, 0.0)
        return ti.select(over, MAX_RATIO, vh), ti.select(over, 0.0, vl)

    @ti.func
    def record_loss(t, steps, loss_h, loss_l, data, l0h, l0l, svh, svl, sih, sil, sth, stl):
        """Fold one step's summed squared error into the dd sums (l0, sum v, sum 1/v, tail sum of v)."""
        lh, ll = dd.dd_div(loss_h, loss_l, ti.cast(data, f64), 0.0)
        if not dd.is_finite(lh):
            lh, ll = NONFINITE_LOSS, 0.0
        if t == 0:
            l0h, l0l = lh, ll
        vh, vl = dd.dd_div(lh, ll, l0h, l0l)
        vh, vl = clip_ratio(vh, vl)
        svh, svl = dd.dd_add(svh, svl, vh, vl)
        ih, il = dd.dd_div(1.0, 0.0, vh, vl)
        sih, sil = dd.dd_add(sih, sil, ih, il)
        if t >= steps - TAIL_STEPS:
            sth, stl = dd.dd_add(sth, stl, vh, vl)
        return l0h, l0l, svh, svl, sih, sil, sth, stl

    @ti.func
    def finish(steps, t_stop, l0h, l0l, svh, svl, sih, sil, sth, stl, ph, pl, want_probe):
        """The pixel's value as (hi, lo); steps after an early stop are added in closed form, as make_parts' finish.

        Converged is mean(tail) < 1, tested exactly as sum(tail) < its count.
        """
        if t_stop < steps:
            if t_stop == 0:
                l0h, l0l = NONFINITE_LOSS, 0.0
            rh, rl = dd.dd_div(NONFINITE_LOSS, 0.0, l0h, l0l)
            rh, rl = clip_ratio(rh, rl)
            rest = ti.cast(steps - t_stop, f64)
            ah, al = dd.dd_mul_d(rh, rl, rest)
            svh, svl = dd.dd_add(svh, svl, ah, al)
            ah, al = dd.dd_div(rest, 0.0, rh, rl)
            sih, sil = dd.dd_add(sih, sil, ah, al)
            ah, al = dd.dd_mul_d(rh, rl, ti.cast(steps - ti.max(t_stop, steps - TAIL_STEPS), f64))
            sth, stl = dd.dd_add(sth, stl, ah, al)
            ph, pl = NONFINITE_LOSS, 0.0
        vh, vl = 0.0, 0.0
        if want_probe != 0:
            vh, vl = ph, pl
            if not dd.is_finite(ph):
                vh, vl = NONFINITE_LOSS, 0.0
        elif dd.dd_lt(sth, stl, ti.cast(ti.min(TAIL_STEPS, steps), f64), 0.0):
            vh, vl = -svh, -svl
        else:
            vh, vl = sih, sil
        return vh, vl

    return SimpleNamespace(record_loss=record_loss, finish=finish)


def make_dd_activations(dd):
    """make_activations' nonlinearity and backward pass in double-double, on (hi, lo) vectors.

    sqrt(2) is a dd constant; the tanh backward keeps JAX's order,
    ((ct + ct h)(1 - h)) sqrt2, each operation in dd.
    """
    import taichi as ti

    from viz.numeric.dd import to_dd

    with localcontext() as ctx:
        ctx.prec = 60
        sqrt2_h, sqrt2_l = to_dd(Decimal(2).sqrt())

    @ti.func
    def activate(kind: ti.i32, zh, zl):
        hh, hl = zh, zl
        if kind == 0:
            ah, al = dd.dd_mul(zh, zl, sqrt2_h, sqrt2_l)
            hh, hl = dd.dd_tanh(ah, al)
        elif kind == 1:
            ah, al = dd.dd_mul(zh, zl, sqrt2_h, sqrt2_l)
            hh = ti.select(zh > 0.0, ah, 0.0)
            hl = ti.select(zh > 0.0, al, 0.0)
        return hh, hl

    @ti.func
    def activate_backward(kind: ti.i32, zh, hh, hl, ch, cl):
        gh, gl = ch, cl
        if kind == 0:
            ph, pl = dd.dd_mul(ch, cl, hh, hl)
            ph, pl = dd.dd_add(ch, cl, ph, pl)
            mh, ml = dd.dd_add_d(-hh, -hl, 1.0)
            ph, pl = dd.dd_mul(ph, pl, mh, ml)
            gh, gl = dd.dd_mul(ph, pl, sqrt2_h, sqrt2_l)
        elif kind == 1:
            ph, pl = dd.dd_mul(ch, cl, sqrt2_h, sqrt2_l)
            gh = ti.select(zh > 0.0, ph, 0.0)
            gl = ti.select(zh > 0.0, pl, 0.0)
        return gh, gl

    return activate, activate_backward
