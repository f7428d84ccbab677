"""Double-double arithmetic: a value is the unevaluated sum hi + lo of two float64s (about 106 bits).

Taichi functions from `make_dd()` (nothing touches Taichi at import); the
host side (to and from (hi, lo), exactly) is viz.numeric.dd. The algorithms are the error-free
transformations of Dekker (1971) and Knuth (TwoSum), as Shewchuk (1997) and
the QD library of Hida, Li and Bailey (2001) use them, with the add and
multiply whose bounds Joldes, Muller and Popescu proved ("Tight and rigorous
error bounds for basic building blocks of double-word arithmetic", ACM TOMS
2017; JMP below). u = 2^-53; the bounds are relative, for normalised inputs.

Every Taichi function takes and returns (hi, lo) as separate values and
never branches on them (ti.select instead), so the same function works on
a scalar or elementwise on a Taichi vector: the per-pixel kernel calls it
on a pixel's numbers, the lockstep kernel on a vector of pixels.

Limits, all inherited from float64: the low part is only accurate while it
is a normal number, so results below about 2^-968 (1e-291) keep only
float64's precision; Taichi's CPU backend flushes subnormals to zero.
fast_math must stay off (it folds the error terms to zero). Taichi 1.7.4
offers no fused multiply-add (no ti.math.fma, no fma in its x64 runtime;
only CUDA's libdevice has __nv_fma), so TwoProd is Dekker's split; the CPU
backend compiles with FP contraction off (FPOpFusion::Strict). Its CUDA
backend, even with fast_math off, marks every function "unsafe-fp-math",
which lets NVPTX contract a*b+c into fma and apply its unsafe-math folds.
Contraction alone is harmless here (the split and TwoProd stay exact, as
all their products are exact; other roundings only improve), but the
folds are not known to be: untested on CUDA so far, so run this module's
tests with NNFRACTAL_TEST_ARCH=cuda before trusting it there.

Cost, measured on the 2-core CPU on 8-lane vectors (the lockstep layout):
dd_mul 15x a float64 multiply, dd_add 11x an add, dd_tanh 12x parts.tanh.
"""
import math
from decimal import Decimal, localcontext
from fractions import Fraction
from types import SimpleNamespace

from viz.numeric.dd import to_dd

#: Dekker's splitter 2^27 + 1: a*SPLITTER - (a*SPLITTER - a) keeps a's top 26 bits.
SPLITTER = 134217729.0
#: Above this a*SPLITTER would overflow; such a is scaled by 2^-28 first (as QD does).
SPLIT_LIMIT = 2.0 ** 996
#: Squarings after the Taylor kernel: exp(r) from exp(r / 2^EXP_HALVINGS).
EXP_HALVINGS = 5
#: tanh(x) = x to 2^-110 relative below this (x^3/3 is dropped).
TANH_LINEAR = 2.0 ** -55
#: tanh(x) = 1 to 2^-114 relative above this (1 - tanh(40) = 3.6e-35).
TANH_SATURATE = 40.0
#: exp overflows float64 above ln(DBL_MAX).
EXP_OVERFLOW = 709.782712893384
#: Arguments are clamped to +-EXP_CLAMP before the reduction (k stays below 2^11).
EXP_CLAMP = 750.0


def _ln2_pieces() -> tuple[float, float, float]:
    """ln 2 = C1 + C2 + C3 to about 2^-137 (Cody and Waite's reduction, one piece longer than float64 needs).

    C1 and C2 have 42 significant bits, so k*C1 and k*C2 are exact for |k| < 2^11.
    """
    with localcontext() as ctx:
        ctx.prec = 80
        ln2 = Fraction(Decimal(2).ln())
    c1 = Fraction(round(ln2 * 2 ** 42), 2 ** 42)
    rest = ln2 - c1
    e = math.floor(math.log2(abs(float(rest))))
    c2 = Fraction(round(rest * 2 ** (41 - e)), 2 ** (41 - e))
    return float(c1), float(c2), float(rest - c2)


def _taylor_layout() -> tuple[int, int]:
    """(degree, first term evaluated in plain float64) of the expm1 Taylor kernel on |z| <= ln2/2 / 2^EXP_HALVINGS.

    The degree makes the truncation z^N/(N+1)! below 2^-110; Horner's
    inner sums whose weight z^(j-1)/j! is below 2^-62 only need float64.
    """
    z = math.log(2.0) / 2 / 2 ** EXP_HALVINGS
    degree = next(n for n in range(2, 40) if z ** n / math.factorial(n + 1) < 2.0 ** -110)
    first_f64 = next(j for j in range(2, degree + 1) if z ** (j - 1) / math.factorial(j) < 2.0 ** -62)
    return degree, first_f64


LN2_C1, LN2_C2, LN2_C3 = _ln2_pieces()
EXPM1_DEGREE, EXPM1_FIRST_F64 = _taylor_layout()
#: 1/j! as (hi, lo) for j = 0 .. EXPM1_DEGREE.
INV_FACTORIAL = tuple(to_dd(Fraction(1, math.factorial(j))) for j in range(EXPM1_DEGREE + 1))


def make_dd() -> SimpleNamespace:
    """The double-double Taichi functions (Taichi must be initialised, fast_math off, default_fp f64)."""
    import taichi as ti

    f64 = ti.f64
    inv_ln2 = 1.0 / math.log(2.0)

    @ti.func
    def is_finite(v):
        """Neither inf nor NaN; not `v == v`, which Taichi folds to true."""
        return ti.abs(v) < ti.math.inf

    @ti.func
    def is_nan(v):
        return (ti.abs(v) <= ti.math.inf) == 0

    @ti.func
    def two_sum(a, b):
        """s + e = a + b exactly, s = fl(a + b) (Knuth's TwoSum, 6 flops, no condition on a, b)."""
        s = a + b
        bb = s - a
        return s, (a - (s - bb)) + (b - bb)

    @ti.func
    def quick_two_sum(a, b):
        """s + e = a + b exactly when |a| >= |b| or a = 0 (Dekker's FastTwoSum, 3 flops)."""
        s = a + b
        return s, b - (s - a)

    @ti.func
    def split(a):
        """a = hi + lo with hi and lo of at most 26 significant bits each (Dekker's split).

        |a| above 2^996 is scaled by 2^-28 and back, so a*SPLITTER cannot
        overflow (QD's guard); the scalings are exact.
        """
        big = ti.abs(a) > SPLIT_LIMIT
        a2 = ti.select(big, a * 2.0 ** -28, a)
        t = SPLITTER * a2
        hi = t - (t - a2)
        lo = a2 - hi
        return ti.select(big, hi * 2.0 ** 28, hi), ti.select(big, lo * 2.0 ** 28, lo)

    @ti.func
    def two_prod(a, b):
        """p + e = a * b exactly, p = fl(a b) (Dekker 1971: 17 flops, every product exact).

        Exact unless a*b over- or underflows (its error must be a normal number).
        """
        p = a * b
        ah, al = split(a)
        bh, bl = split(b)
        return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl

    @ti.func
    def two_prod_presplit(a, a_hi, a_lo, b, b_hi, b_lo):
        """p + e = a * b exactly, as two_prod, with a = a_hi + a_lo and b = b_hi + b_lo already split.

        A kernel splits an operand once and reuses it across a row of
        products (a weight matrix for a step, a data row for its n^2
        products): 7 flops a product instead of 17.
        """
        p = a * b
        return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo

    @ti.func
    def dot2_add(s, c, ah, al, a_hi, a_lo, b, b_hi, b_lo):
        """One term of a compensated dot product: (s, c) += a * b for a dd a (split as a_hi, a_lo) and a float64 b.

        Ogita, Rump and Oishi's Dot2 ("Accurate sum and dot product", SIAM
        J. Sci. Comput. 2005) with the dd operand's low part folded into the
        compensation: s is the float64 sum of the rounded products, c
        gathers every rounding error exactly made (TwoProd, TwoSum) plus
        al * b. After N terms s + c has the error of a sum computed in
        twice float64's precision, about N u^2 sum |a b|: a dd sum's bound,
        at 18 flops a term instead of a dd multiply and add's 45.
        """
        p, e = two_prod_presplit(ah, a_hi, a_lo, b, b_hi, b_lo)
        s2, q = two_sum(s, p)
        return s2, c + (q + e + al * b)

    @ti.func
    def dot2_result(s, c):
        """The dd value s + c of a compensated sum; (s, 0) when the float64 sum s is inf or NaN, as float64 gives."""
        zh, zl = two_sum(s, c)
        return guarded(s, zh, zl)

    @ti.func
    def guarded(f, hi, lo):
        """(hi, lo), or (f, 0) when the float64 result f is inf or NaN.

        The error terms of an infinite result are inf - inf = NaN and would
        turn hi into NaN too; this keeps inf where float64 gives inf.
        """
        ok = is_finite(f)
        return ti.select(ok, hi, f), ti.select(ok, lo, 0.0)

    @ti.func
    def dd_add(ah, al, bh, bl):
        """a + b within 3u^2 = 0.75 * 2^-104 relative, cancellation included (JMP AccurateDWPlusDW, QD ieee_add)."""
        sh, sl = two_sum(ah, bh)
        th, tl = two_sum(al, bl)
        vh, vl = quick_two_sum(sh, sl + th)
        zh, zl = quick_two_sum(vh, tl + vl)
        return guarded(ah + bh, zh, zl)

    @ti.func
    def dd_sub(ah, al, bh, bl):
        """a - b, as dd_add(a, -b)."""
        return dd_add(ah, al, -bh, -bl)

    @ti.func
    def dd_add_d(ah, al, b):
        """a + b for a float64 b within 2u^2 relative (JMP DWPlusFP)."""
        sh, sl = two_sum(ah, b)
        zh, zl = quick_two_sum(sh, al + sl)
        return guarded(ah + b, zh, zl)

    @ti.func
    def dd_mul(ah, al, bh, bl):
        """a * b within 7u^2 = 1.75 * 2^-104 relative without an fma (JMP DWTimesDW1; QD's sloppy mul)."""
        ph, pl = two_prod(ah, bh)
        zh, zl = quick_two_sum(ph, pl + (ah * bl + al * bh))
        return guarded(ah * bh, zh, zl)

    @ti.func
    def dd_sqr(ah, al):
        """a * a as dd_mul, one split fewer (QD's sqr)."""
        ph = ah * ah
        hh, hl = split(ah)
        pl = ((hh * hh - ph) + 2.0 * hh * hl) + hl * hl
        zh, zl = quick_two_sum(ph, pl + 2.0 * ah * al)
        return guarded(ph, zh, zl)

    @ti.func
    def dd_mul_d(ah, al, b):
        """a * b for a float64 b within 1.5u^2 relative (JMP DWTimesFP1)."""
        ch, cl1 = two_prod(ah, b)
        th, tl1 = quick_two_sum(ch, al * b)
        zh, zl = quick_two_sum(th, tl1 + cl1)
        return guarded(ah * b, zh, zl)

    @ti.func
    def dd_div(ah, al, bh, bl):
        """a / b by three float64 quotient digits, each correcting the last remainder (QD's accurate_div).

        The remainders a - q b are dd products and differences, so the third
        digit leaves an error of a few u^2. A zero, infinite or NaN float64
        quotient ah/bh is returned as (ah/bh, 0).
        """
        q1 = ah / bh
        ph, pl = dd_mul_d(bh, bl, q1)
        rh, rl = dd_sub(ah, al, ph, pl)
        q2 = rh / bh
        ph, pl = dd_mul_d(bh, bl, q2)
        rh, rl = dd_sub(rh, rl, ph, pl)
        q3 = rh / bh
        qh, ql = quick_two_sum(q1, q2)
        zh, zl = dd_add_d(qh, ql, q3)
        f = ah / bh
        ok = is_finite(f) & (f != 0.0)
        return ti.select(ok, zh, f), ti.select(ok, zl, 0.0)

    @ti.func
    def dd_neg(ah, al):
        return -ah, -al

    @ti.func
    def dd_abs(ah, al):
        """|a|: the sign of a normalised value is the sign of hi."""
        neg = ah < 0.0
        return ti.select(neg, -ah, ah), ti.select(neg, -al, al)

    @ti.func
    def dd_is_finite(ah, al):
        return is_finite(ah)

    @ti.func
    def dd_lt(ah, al, bh, bl):
        return (ah < bh) | ((ah == bh) & (al < bl))

    @ti.func
    def dd_le(ah, al, bh, bl):
        return (ah < bh) | ((ah == bh) & (al <= bl))

    @ti.func
    def dd_gt(ah, al, bh, bl):
        return dd_lt(bh, bl, ah, al)

    @ti.func
    def dd_ge(ah, al, bh, bl):
        return dd_le(bh, bl, ah, al)

    @ti.func
    def dd_eq(ah, al, bh, bl):
        return (ah == bh) & (al == bl)

    @ti.func
    def pow2(k):
        """2^k for an integer-valued float64 k in [-1022, 1023], built from its exponent bits."""
        return ti.bit_cast((ti.cast(k, ti.i64) + 1023) << 52, f64)

    @ti.func
    def scale2(h, lo, k):
        """(h, lo) * 2^k for integer-valued |k| <= 2044, in two exact steps (each factor a normal number)."""
        k1 = ti.floor(k * 0.5)
        p1 = pow2(k1)
        p2 = pow2(k - k1)
        return (h * p1) * p2, (lo * p1) * p2

    @ti.func
    def exp_reduce(xh, xl):
        """k and s with exp(x) = 2^k (1 + s), |s| <= 0.42, s to a few u^2 relative.

        r = x - k ln2 with ln2 in three pieces (k C1, k C2 exact), so r is
        good to 2^-125 absolute for |x| <= 750; then s = expm1(r) from the
        Taylor kernel on z = r / 2^EXP_HALVINGS (Horner, the inner terms
        that weigh below 2^-62 in float64) and EXP_HALVINGS doublings
        expm1(2z) = expm1(z) (2 + expm1(z)), as QD's exp does. x must be
        finite and clamped to +-EXP_CLAMP.
        """
        k = ti.floor(xh * inv_ln2 + 0.5)
        rh, rl = dd_add_d(xh, xl, -k * LN2_C1)
        rh, rl = dd_add_d(rh, rl, -k * LN2_C2)
        rh, rl = dd_add_d(rh, rl, -k * LN2_C3)
        zh = rh * (2.0 ** -EXP_HALVINGS)
        zl = rl * (2.0 ** -EXP_HALVINGS)
        q = zh * 0.0 + INV_FACTORIAL[EXPM1_DEGREE][0]
        for j in ti.static(range(EXPM1_DEGREE - 1, EXPM1_FIRST_F64 - 1, -1)):
            q = q * zh + INV_FACTORIAL[j][0]
        ph = q
        pl = q * 0.0
        for j in ti.static(range(EXPM1_FIRST_F64 - 1, 0, -1)):
            ph, pl = dd_mul(ph, pl, zh, zl)
            ph, pl = dd_add(ph, pl, INV_FACTORIAL[j][0], INV_FACTORIAL[j][1])
        sh, sl = dd_mul(ph, pl, zh, zl)
        for _ in ti.static(range(EXP_HALVINGS)):
            qh, ql = dd_sqr(sh, sl)
            sh, sl = dd_add(2.0 * sh, 2.0 * sl, qh, ql)
        return k, sh, sl

    @ti.func
    def clamp_arg(xh, xl):
        """x clamped to +-EXP_CLAMP (lo zeroed when clamped, NaN read as 0), so the reduction stays finite."""
        inside = ti.abs(xh) <= EXP_CLAMP
        ch = ti.select(inside, xh, ti.select(xh > 0.0, EXP_CLAMP, -EXP_CLAMP))
        cl = ti.select(inside, xl, 0.0)
        nan = is_nan(xh)
        return ti.select(nan, 0.0, ch), ti.select(nan, 0.0, cl)

    @ti.func
    def dd_exp(xh, xl):
        """exp(x) within a few 2^-104 relative while the result is above 2^-968 (QD's dd_exp, ln2 in three pieces).

        exp(+inf) = inf, exp(-inf) = 0, NaN stays NaN; overflow gives
        (inf, 0); results that underflow lose precision as float64 does.
        """
        ch, cl = clamp_arg(xh, xl)
        k, sh, sl = exp_reduce(ch, cl)
        eh, el = dd_add_d(sh, sl, 1.0)
        eh, el = scale2(eh, el, k)
        over = xh > EXP_OVERFLOW
        eh = ti.select(over, ti.math.inf, eh)
        el = ti.select(over | (eh == 0.0), 0.0, el)
        nan = is_nan(xh)
        return ti.select(nan, xh, eh), ti.select(nan, 0.0, el)

    @ti.func
    def dd_expm1(xh, xl):
        """exp(x) - 1 within a few 2^-104 relative, near 0 too (no cancellation: no 1 is added and taken away).

        With k >= 0 it is 2^k (s + (1 - 2^-k)), with k < 0 2^k s + (2^k - 1);
        the constants are exact dd values from one TwoSum. expm1(+inf) =
        inf, expm1(-inf) = -1, NaN stays NaN.
        """
        ch, cl = clamp_arg(xh, xl)
        k, sh, sl = exp_reduce(ch, cl)
        k_pre = ti.min(k, 0.0)
        k_post = ti.max(k, 0.0)
        one_h, one_l = scale2(1.0, 0.0, k_pre)  # 2^k for k < 0, else 1
        inv_h, inv_l = scale2(1.0, 0.0, -k_post)  # 2^-k for k >= 0, else 1
        c_h, c_l = two_sum(one_h, -inv_h)
        sh, sl = scale2(sh, sl, k_pre)
        eh, el = dd_add(sh, sl, c_h, c_l)
        eh, el = scale2(eh, el, k_post)
        over = xh > EXP_OVERFLOW
        eh = ti.select(over, ti.math.inf, eh)
        el = ti.select(over, 0.0, el)
        nan = is_nan(xh)
        return ti.select(nan, xh, eh), ti.select(nan, 0.0, el)

    @ti.func
    def dd_tanh(xh, xl):
        """tanh(x) = e / (e + 2), e = expm1(2|x|), within a few 2^-104 relative over all of float64.

        No cancellation anywhere: x itself below 2^-55, exactly +-1 (lo = 0)
        above 40, as the float64 engine saturates; tanh(+-inf) = +-1, NaN
        passes through unchanged (as parts.tanh does).
        """
        ah, al = dd_abs(xh, xl)
        inside = ah <= TANH_SATURATE
        yh = ti.select(inside, 2.0 * ah, 2.0 * TANH_SATURATE)
        yl = ti.select(inside, 2.0 * al, 0.0)
        eh, el = dd_expm1(yh, yl)
        dh, dl = dd_add_d(eh, el, 2.0)
        th, tl = dd_div(eh, el, dh, dl)
        th = ti.select(inside, th, 1.0)
        tl = ti.select(inside, tl, 0.0)
        small = ah < TANH_LINEAR
        th = ti.select(small, ah, th)
        tl = ti.select(small, al, tl)
        neg = xh < 0.0
        th = ti.select(neg, -th, th)
        tl = ti.select(neg, -tl, tl)
        nan = is_nan(xh)
        return ti.select(nan, xh, th), ti.select(nan, xl, tl)

    return SimpleNamespace(
        is_finite=is_finite, is_nan=is_nan, two_sum=two_sum, quick_two_sum=quick_two_sum, split=split,
        two_prod=two_prod, two_prod_presplit=two_prod_presplit, dot2_add=dot2_add,
        dot2_result=dot2_result, dd_add=dd_add, dd_sub=dd_sub, dd_add_d=dd_add_d, dd_mul=dd_mul, dd_mul_d=dd_mul_d,
        dd_div=dd_div, dd_sqr=dd_sqr, dd_neg=dd_neg, dd_abs=dd_abs, dd_is_finite=dd_is_finite, dd_lt=dd_lt, dd_le=dd_le,
        dd_gt=dd_gt, dd_ge=dd_ge, dd_eq=dd_eq, dd_exp=dd_exp, dd_expm1=dd_expm1, dd_tanh=dd_tanh)
