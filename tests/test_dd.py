"""The double-double primitives (viz/compute/kernels/dd.py) against exact rational and 80-digit decimal arithmetic.

Each test runs one Taichi kernel over a whole array of cases (a launch per
hypothesis example would be slow) and checks the relative error in units
of 2^-104 (4 units = 16 u^2, u = 2^-53: twice the proven bound of the
loosest primitive). Inputs are normalised pairs (fl(hi + lo) = hi) whose
low parts are normal numbers: Taichi's CPU backend flushes subnormals, so
below about 2^-968 a double-double keeps only float64's precision. The
worst error of each primitive is printed at the end of the module.
"""
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from viz.numeric.dd import dd_to_decimal, from_dd, to_dd, to_dd_array

UNIT = Fraction(1, 2 ** 104)
TOLERANCE = 4.0
WORST: dict[str, float] = {}

# No shrinking: a failing list of a hundred cases shrinks for many minutes (each step is
# exact arithmetic on all of them), and the failure message already names the worst case.
SETTINGS = settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


@pytest.fixture(scope="module", autouse=True)
def report_worst(request):
    """Print each primitive's worst error, in units of 2^-104, once the module's tests have run."""
    yield
    if not WORST:
        return
    line = ", ".join(f"{name} {err:.3f}" for name, err in sorted(WORST.items()))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"\ntest_dd worst errors (units of 2^-104): {line}")


@pytest.fixture(scope="module")
def dd(engine_arch):
    from viz.compute.kernels.dd import make_dd

    return make_dd()


@pytest.fixture(scope="module")
def run(dd):
    """run(name, cases) -> (N, 2) array: dd.<name> applied to each row of cases (N x 2 or N x 4), in one launch."""
    import taichi as ti

    kernels = {}

    def build(name, arity, returns):
        fn = getattr(dd, name)

        @ti.func
        def apply_one(x: ti.template(), i):
            if ti.static(arity == 1):
                return fn(x[i, 0])
            elif ti.static(arity == 2):
                return fn(x[i, 0], x[i, 1])
            elif ti.static(arity == 3):
                return fn(x[i, 0], x[i, 1], x[i, 2])
            else:
                return fn(x[i, 0], x[i, 1], x[i, 2], x[i, 3])

        @ti.kernel
        def apply(x: ti.types.ndarray(dtype=ti.f64, ndim=2), out: ti.types.ndarray(dtype=ti.f64, ndim=2)):
            for i in range(x.shape[0]):
                if ti.static(returns == 2):
                    h, lo = apply_one(x, i)
                    out[i, 0] = h
                    out[i, 1] = lo
                else:
                    out[i, 0] = ti.cast(apply_one(x, i), ti.f64)

        return apply

    def call(name, cases, arity=None, returns=2):
        cases = np.ascontiguousarray(cases, dtype=np.float64)
        arity = arity or cases.shape[1]
        key = (name, arity, returns)
        if key not in kernels:
            kernels[key] = build(name, arity, returns)
        out = np.zeros((cases.shape[0], 2))
        kernels[key](cases, out)
        return out

    return call


# -- inputs -----------------------------------------------------------------------------------------------------

def make_dd_value(mantissa, exponent, lo_mantissa, lo_shift):
    """A normalised pair: hi = mantissa * 2^(exponent - 52) (|mantissa| in [2^52, 2^53)), |lo| < ulp(hi) / 2."""
    hi = math.ldexp(mantissa, exponent - 52)
    lo = math.ldexp(lo_mantissa, exponent - 106 - lo_shift)
    if hi + lo != hi:  # below a power of two the ulp halves
        lo = lo / 2
    assert hi + lo == hi
    return hi, lo


def dd_strategy(min_exp, max_exp):
    """Normalised (hi, lo) pairs of both signs with hi's exponent in [min_exp, max_exp]; lo often 0 or far below."""
    sign = st.sampled_from([-1, 1])
    mantissa = st.integers(2 ** 52, 2 ** 53 - 1)
    lo_mantissa = st.one_of(st.just(0), st.integers(-(2 ** 53 - 1), 2 ** 53 - 1))
    return st.builds(lambda s, m, e, lm, sh: make_dd_value(s * m, e, lm, sh), sign, mantissa,
                     st.integers(min_exp, max_exp), lo_mantissa, st.integers(0, 20))


def random_dd(rng, count, min_exp, max_exp):
    """`count` normalised pairs drawn as dd_strategy draws them, from a NumPy generator: (count, 2)."""
    rows = []
    for _ in range(count):
        m = int(rng.integers(2 ** 52, 2 ** 53)) * int(rng.choice([-1, 1]))
        lm = 0 if rng.random() < 0.2 else int(rng.integers(-(2 ** 53 - 1), 2 ** 53))
        rows.append(make_dd_value(m, int(rng.integers(min_exp, max_exp + 1)), lm, int(rng.integers(0, 21))))
    return np.array(rows)


def near_negations(a_rows, rng):
    """b close to -a, so a + b cancels most of its bits: the case a sloppy dd add gets wrong."""
    rows = []
    for hi, lo in a_rows:
        nudge = int(rng.integers(-3, 4)) * math.ulp(hi)
        b_hi = -hi + nudge
        b_lo = -lo * float(rng.choice([0.0, 1.0, 0.5])) + float(rng.uniform(-1, 1)) * math.ulp(b_hi or hi) * 0.25
        b_hi, b_lo = to_dd(Fraction(b_hi) + Fraction(b_lo))
        rows.append((b_hi, b_lo))
    return np.array(rows)


def exact(rows):
    return [from_dd(h, lo) for h, lo in rows]


def units(got, want) -> float:
    """Relative error of the pair `got` against the exact `want`, in units of 2^-104."""
    if want == 0:
        return 0.0 if from_dd(*got) == 0 else math.inf
    return float(abs(from_dd(*got) - want) / abs(want) / UNIT)


def check(name, got, wants, cases):
    errors = [units(g, w) for g, w in zip(got, wants)]
    worst = int(np.argmax(errors))
    WORST[name] = max(WORST.get(name, 0.0), errors[worst])
    for g in got:
        assert g[0] + g[1] == g[0], f"{name}: result {tuple(g)} is not normalised"
    assert errors[worst] <= TOLERANCE, f"{name}: {errors[worst]:.2f} units of 2^-104 at {cases[worst]!r}"


# -- arithmetic -------------------------------------------------------------------------------------------------

ADD_RANGE = (-800, 1000)
MUL_RANGE = (-440, 440)


@SETTINGS
@given(st.lists(st.tuples(dd_strategy(*ADD_RANGE), dd_strategy(*ADD_RANGE)), min_size=100, max_size=100),
       st.integers(0, 2 ** 32 - 1))
def test_add_and_sub_within_4_units_cancellation_included(run, pairs, seed):
    rng = np.random.default_rng(seed)
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    b = np.concatenate([b, near_negations(a, rng)])  # half the cases cancel
    a = np.concatenate([a, a])
    cases = np.hstack([a, b])
    check("add", run("dd_add", cases), [x + y for x, y in zip(exact(a), exact(b))], cases)
    check("sub", run("dd_sub", cases), [x - y for x, y in zip(exact(a), exact(b))], cases)


@SETTINGS
@given(st.lists(st.tuples(dd_strategy(*MUL_RANGE), dd_strategy(*MUL_RANGE)), min_size=150, max_size=150))
def test_mul_and_div_within_4_units(run, pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    cases = np.hstack([a, b])
    check("mul", run("dd_mul", cases), [x * y for x, y in zip(exact(a), exact(b))], cases)
    check("div", run("dd_div", cases), [x / y for x, y in zip(exact(a), exact(b))], cases)
    check("sqr", run("dd_sqr", a), [x * x for x in exact(a)], a)


@SETTINGS
@given(st.lists(st.tuples(dd_strategy(-900, 1000), dd_strategy(-900, 1000)), min_size=150, max_size=150))
def test_add_d_and_mul_d_within_4_units(run, pairs):
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1][0] for p in pairs])  # a float64
    # Keep products and sums inside the range where the low part is a normal number.
    keep = (np.abs(np.log2(np.abs(a[:, 0])) + np.log2(np.abs(b))) < 880)
    a, b = a[keep], b[keep]
    cases = np.column_stack([a, b])
    wants_add = [x + Fraction(y) for x, y in zip(exact(a), b)]
    check("add_d", run("dd_add_d", cases), wants_add, cases)
    wants_mul = [x * Fraction(y) for x, y in zip(exact(a), b)]
    check("mul_d", run("dd_mul_d", cases), wants_mul, cases)


def test_products_and_quotients_at_the_ends_of_the_exponent_range(run):
    """Factors above 2^996 go through the split's rescaling; their products with small factors stay exact to 4 units."""
    rng = np.random.default_rng(17)
    big = random_dd(rng, 400, 997, 1022)
    small = random_dd(rng, 400, -890, -800)
    for a, b in ((big, small), (small, big)):
        cases = np.hstack([a, b])
        check("mul", run("dd_mul", cases), [x * y for x, y in zip(exact(a), exact(b))], cases)
    cases = np.hstack([big, random_dd(rng, 400, 0, 20)])
    check("div", run("dd_div", cases), [x / y for x, y in zip(exact(big), exact(cases[:, 2:]))], cases)


# -- error-free transformations -----------------------------------------------------------------------------------

def test_two_sum_and_two_prod_are_exact_where_float64_rounds(run):
    """hi + lo equals the exact sum and product, bit for bit; float64 alone misses the low part.

    Fails if TwoProd loses Dekker's split (a*b - p is then 0), any of its
    cross terms, or TwoSum's second correction; the big factors exercise
    the split's rescaling above 2^996.
    """
    rng = np.random.default_rng(3)
    # Products between 1e-262 and 1e300: their rounding errors are normal numbers.
    a = np.concatenate([rng.uniform(1, 10, 3000) * rng.choice([-1, 1], 3000) * 10.0 ** rng.integers(-130, 130, 3000),
                        random_dd(rng, 300, 997, 1022)[:, 0]])
    b = np.concatenate([rng.uniform(1, 10, 3000) * rng.choice([-1, 1], 3000) * 10.0 ** rng.integers(-130, 130, 3000),
                        random_dd(rng, 300, -600, -100)[:, 0]])
    cases = np.column_stack([a, b])
    sums = run("two_sum", cases)
    prods = run("two_prod", cases)
    for (x, y), s, p in zip(cases, sums, prods):
        assert from_dd(*s) == Fraction(x) + Fraction(y), (x, y, s)
        assert from_dd(*p) == Fraction(x) * Fraction(y), (x, y, p)
    rounded = [Fraction(x) * Fraction(y) != Fraction(x * y) for x, y in cases]
    assert sum(rounded) > 0.9 * len(cases)  # float64's product dropped bits in nearly all
    assert np.count_nonzero(prods[:, 1]) == sum(rounded)


def test_mul_keeps_the_bits_float64_rounds_away(run):
    """(1 + 2^-52)(1 - 2^-52) = 1 - 2^-104: float64 says 1; dd_mul must give (1, -2^-104) exactly."""
    e = 2.0 ** -52
    cases = np.array([[1 + e, 0.0, 1 - e, 0.0], [1 + e, 0.0, 1 + e, 0.0], [3.0, 2.0 ** -60, 3.0, 2.0 ** -60]])
    got = run("dd_mul", cases)
    assert (1 + e) * (1 - e) == 1.0
    assert tuple(got[0]) == (1.0, -(2.0 ** -104))
    assert tuple(got[1]) == (1 + 2 * e, e * e)
    assert from_dd(*got[2]) == (3 + Fraction(2) ** -60) ** 2 - Fraction(2) ** -120  # the lo*lo term is below dd


def test_split_halves_have_26_bits_and_sum_back(run):
    rng = np.random.default_rng(5)
    # From 1e-280: below about 2^-969 the low half would be subnormal, which Taichi's CPU flushes.
    xs = np.concatenate([rng.standard_normal(2000) * 10.0 ** rng.integers(-280, 300, 2000), [1.7e308, -2.0 ** 1000]])
    got = run("split", xs[:, None], arity=1)
    for x, (hi, lo) in zip(xs, got):
        assert hi + lo == x
        for part in (hi, lo):
            if part != 0.0:
                m, _ = math.frexp(part)
                assert (m * 2 ** 26).is_integer(), (x, hi, lo)  # at most 26 significant bits


# -- exp, expm1, tanh ---------------------------------------------------------------------------------------------

def decimal_of(h, lo):
    return Decimal(float(h)) + Decimal(float(lo))


def exp_reference(x: Fraction) -> Fraction:
    with localcontext() as ctx:
        ctx.prec = 80
        return Fraction((Decimal(x.numerator) / Decimal(x.denominator)).exp())


def expm1_reference(x: Fraction) -> Fraction:
    if abs(x) < Fraction(1, 10 ** 6):  # series: 80 digits of exp would lose 6 to the cancellation
        term, total = x, Fraction(0)
        for k in range(1, 16):
            total += term
            term = term * x / (k + 1)
        return total
    return exp_reference(x) - 1


def tanh_reference(x: Fraction) -> Fraction:
    a = abs(x)
    if a > 1000:
        value = Fraction(1)  # 1 - tanh is below 1e-868
    else:
        e = expm1_reference(2 * a)
        value = e / (e + 2)
    return value if x >= 0 else -value


def exp_args(draw_pairs, low, high):
    """Arguments spread over [low, high], most of them small, with dd low parts."""
    rows = []
    for scale, (h, lo) in draw_pairs:
        h = float(np.clip(h * scale, low, high))
        lo = lo * scale if abs(h) < high and h > low else 0.0
        rows.append(to_dd(Fraction(h) + Fraction(lo)))
    return np.array(rows)


EXP_SCALES = st.sampled_from([1.0, 1e-3, 1e-9, 1e-20, 1e-30])


@SETTINGS
@given(st.lists(st.tuples(EXP_SCALES, dd_strategy(-70, 9)), min_size=120, max_size=120))
def test_exp_and_expm1_within_4_units_from_minus_660_to_700(run, pairs):
    """While exp(x) > 2^-952 its low part is a normal number, so the relative bound holds to -660."""
    cases = exp_args(pairs, -660.0, 700.0)
    xs = exact(cases)
    check("exp", run("dd_exp", cases), [exp_reference(x) for x in xs], cases)
    check("expm1", run("dd_expm1", cases), [expm1_reference(x) for x in xs], cases)


@SETTINGS
@given(st.lists(dd_strategy(-1000, 1023), min_size=150, max_size=150))
def test_tanh_within_4_units_over_all_of_float64(run, values):
    rows = []
    for h, lo in values:
        exponent = math.frexp(h)[1]
        rows.append((h, lo if exponent - 130 > -1022 else 0.0))  # a lo that Taichi's CPU would flush
    # Most of float64's exponents saturate; concentrate a third of the cases where tanh bends.
    bends = [(h * 2.0 ** -(math.frexp(h)[1] - 1) * 4.0 ** (i % 4 - 2), lo * 2.0 ** -(math.frexp(h)[1] - 1)
              * 4.0 ** (i % 4 - 2)) for i, (h, lo) in enumerate(values[:50])]
    cases = np.array(rows + bends)
    check("tanh", run("dd_tanh", cases), [tanh_reference(x) for x in exact(cases)], cases)


def test_exp_expm1_tanh_on_a_dense_grid(run):
    """A fixed sweep across the seams: the saturation at 40, the linear part below 2^-55, k = 0 / +-1 / large."""
    rng = np.random.default_rng(11)
    xs = np.concatenate([np.linspace(-45.0, 45.0, 901), 2.0 ** -np.linspace(1, 80, 200), [40.0, -40.0, 2.0 ** -55],
                         np.log(2.0) * np.arange(-8, 9) / 2, rng.uniform(-660, 700, 200)])
    cases = np.array([to_dd(Fraction(x) + Fraction(float(rng.uniform(-0.5, 0.5)) * math.ulp(x) / 2))
                      for x in xs])
    values = exact(cases)
    check("tanh", run("dd_tanh", cases), [tanh_reference(x) for x in values], cases)
    check("expm1", run("dd_expm1", cases), [expm1_reference(x) for x in values], cases)
    check("exp", run("dd_exp", cases), [exp_reference(x) for x in values], cases)


def test_tanh_saturates_to_exactly_one_and_is_x_near_zero(run):
    cases = np.array([[40.5, 0.0], [-41.0, 1e-15], [1e300, 0.0], [-1.7976931348623157e308, 0.0],
                      [2.0 ** -56, 2.0 ** -120], [-(2.0 ** -900), 0.0], [0.0, 0.0], [-0.0, 0.0]])
    got = run("dd_tanh", cases)
    assert [tuple(g) for g in got[:4]] == [(1.0, 0.0), (-1.0, 0.0), (1.0, 0.0), (-1.0, 0.0)]
    assert [tuple(g) for g in got[4:7]] == [tuple(c) for c in cases[4:7]]
    assert got[7][0] == 0.0 and math.copysign(1.0, got[7][0]) == -1.0


# -- NaN and the infinities ---------------------------------------------------------------------------------------

INF = math.inf


def test_nan_and_infinities_pass_through_as_in_float64(run):
    nan = math.nan
    exp_cases = np.array([[INF, 0.0], [-INF, 0.0], [nan, 0.0], [710.0, 0.0], [-800.0, 0.0], [0.0, 0.0]])
    assert [tuple(g) for g in run("dd_exp", exp_cases)[[0, 1, 3, 4, 5]]] == \
        [(INF, 0.0), (0.0, 0.0), (INF, 0.0), (0.0, 0.0), (1.0, 0.0)]
    assert math.isnan(run("dd_exp", exp_cases)[2, 0])
    expm1 = run("dd_expm1", exp_cases)
    assert [tuple(g) for g in expm1[[0, 1, 5]]] == [(INF, 0.0), (-1.0, 0.0), (0.0, 0.0)]
    assert math.isnan(expm1[2, 0])
    tanh = run("dd_tanh", np.array([[INF, 0.0], [-INF, 0.0], [nan, 0.0]]))
    assert [tuple(g) for g in tanh[:2]] == [(1.0, 0.0), (-1.0, 0.0)]
    assert math.isnan(tanh[2, 0])

    binary = np.array([[INF, 0.0, 1.0, 1e-20], [INF, 0.0, -INF, 0.0], [1e308, 1e291, 1e308, 0.0], [nan, 0.0, 1.0, 0.0],
                       [1.0, 0.0, INF, 0.0], [-INF, 0.0, 2.0, 0.0], [0.0, 0.0, INF, 0.0], [1.0, 0.0, 0.0, 0.0]])
    for name, op in (("dd_add", lambda x, y: x + y), ("dd_sub", lambda x, y: x - y),
                     ("dd_mul", lambda x, y: x * y), ("dd_div", lambda x, y: x / y if y != 0 else INF)):
        got = run(name, binary)
        for (ah, _, bh, _), (h, lo) in zip(binary, got):
            with np.errstate(all="ignore"):
                want = np.float64(op(np.float64(ah), np.float64(bh)))
            if not np.isfinite(want):
                assert (math.isnan(h) and math.isnan(want)) or (h == want and lo == 0.0), (name, ah, bh, h, lo)
    # A zero float64 quotient or product is returned as it is, not as 0 * inf = NaN from its error terms.
    assert [tuple(g) for g in run("dd_div", binary[[4, 6]])] == [(0.0, 0.0), (0.0, 0.0)]
    assert tuple(run("dd_mul", np.array([[0.0, 0.0, 1e300, 1e283]]))[0]) == (0.0, 0.0)


def test_finiteness_and_comparisons(run):
    cases = np.array([[1.0, 1e-20, 1.0, 2e-20], [1.0, 0.0, 1.0, 0.0], [2.0, -1e-17, 1.0, 1e-17],
                      [-INF, 0.0, 1.0, 0.0], [math.nan, 0.0, 1.0, 0.0]])
    assert list(run("dd_lt", cases, returns=1)[:, 0] != 0) == [True, False, False, True, False]
    assert list(run("dd_eq", cases, returns=1)[:, 0] != 0) == [False, True, False, False, False]
    assert list(run("dd_is_finite", cases[:, :2], returns=1)[:, 0] != 0) == [True, True, True, False, False]


# -- host helpers and vectors -------------------------------------------------------------------------------------

def test_host_split_and_join_are_exact_to_2_to_the_minus_106():
    pi = "3.14159265358979323846264338327950288419716939937510"
    for value in (pi, Decimal("-1e-20"), Fraction(1, 3), "0.1", 2 ** 80 + 1, 1.5):
        hi, lo = to_dd(value)
        q = Fraction(Decimal(value)) if isinstance(value, str) else Fraction(value)
        assert hi == float(q) and hi + lo == hi
        assert abs(from_dd(hi, lo) - q) <= abs(q) * Fraction(1, 2 ** 106)
    assert to_dd(1.5) == (1.5, 0.0) and to_dd(2 ** 80 + 1) == (2.0 ** 80, 1.0)
    with localcontext() as ctx:
        ctx.prec = 31
        assert dd_to_decimal(*to_dd(pi), digits=31) == +Decimal(pi)  # 31 correct digits of the 50 typed
    assert to_dd(math.inf) == (math.inf, 0.0) and to_dd("-1e400") == (-math.inf, 0.0)
    hi, lo = to_dd_array(["0.1", "0.2"])
    assert hi.dtype == np.float64 and list(hi) == [0.1, 0.2] and lo[0] == to_dd("0.1")[1]


def test_the_same_functions_work_elementwise_on_vectors(dd, run):
    """A lockstep kernel holds a vector of pixels: add, mul, div and tanh on a 4-vector equal the scalar calls."""
    import taichi as ti

    vec = ti.types.vector(4, ti.f64)

    @ti.kernel
    def apply(x: ti.types.ndarray(dtype=ti.f64, ndim=2), out: ti.types.ndarray(dtype=ti.f64, ndim=2)):
        for blk in range(x.shape[0] // 4):
            ah, al, bh, bl = vec(0.0), vec(0.0), vec(0.0), vec(0.0)
            for j in ti.static(range(4)):
                ah[j], al[j], bh[j], bl[j] = x[4 * blk + j, 0], x[4 * blk + j, 1], x[4 * blk + j, 2], x[4 * blk + j, 3]
            sh, sl = dd.dd_add(ah, al, bh, bl)
            ph, pl = dd.dd_mul(ah, al, bh, bl)
            qh, ql = dd.dd_div(ah, al, bh, bl)
            th, tl = dd.dd_tanh(ah, al)
            for j in ti.static(range(4)):
                row = 4 * blk + j
                out[row, 0], out[row, 1], out[row, 2], out[row, 3] = sh[j], sl[j], ph[j], pl[j]
                out[row, 4], out[row, 5], out[row, 6], out[row, 7] = qh[j], ql[j], th[j], tl[j]

    rng = np.random.default_rng(23)
    cases = np.hstack([random_dd(rng, 64, -6, 6), random_dd(rng, 64, -6, 6)])
    cases[:4, 0] = [math.inf, -math.inf, math.nan, 0.0]
    out = np.zeros((64, 8))
    apply(cases, out)
    np.testing.assert_array_equal(out[:, 0:2], run("dd_add", cases))
    np.testing.assert_array_equal(out[:, 2:4], run("dd_mul", cases))
    np.testing.assert_array_equal(out[:, 4:6], run("dd_div", cases))
    np.testing.assert_array_equal(out[:, 6:8], run("dd_tanh", cases[:, :2]))


# -- compensated dot products (the dd kernel's n^2 work) -------------------------------------------------------

DOT_TERMS = 16


@SETTINGS
@given(st.integers(0, 2 ** 32 - 1), st.integers(-300, 300))
def test_dot2_sums_products_within_twice_the_working_precision(dd, seed, scale):
    """dot2_add over 16 terms of a dd a times a float64 b: |error| <= 2 N u^2 sum|a b| (a dd sum's bound),
    against the exact rational sum, cancellation included (signs are random)."""
    import taichi as ti

    rng = np.random.default_rng(seed)
    a_hi = rng.standard_normal((50, DOT_TERMS)) * 2.0 ** scale * 10.0 ** rng.uniform(-3, 3, (50, DOT_TERMS))
    a_lo = a_hi * rng.uniform(-2.0 ** -53, 2.0 ** -53, a_hi.shape)
    a_hi, a_lo = a_hi + a_lo, a_lo - ((a_hi + a_lo) - a_hi)  # normalised pairs
    b = rng.standard_normal((50, DOT_TERMS))
    out = np.zeros((50, 2))

    @ti.kernel
    def dots(a_hi: ti.types.ndarray(), a_lo: ti.types.ndarray(), b: ti.types.ndarray(), out: ti.types.ndarray()):
        for k in range(a_hi.shape[0]):
            s, c = 0.0, 0.0
            for t in range(DOT_TERMS):
                ah, al = dd.split(a_hi[k, t])
                bh, bl = dd.split(b[k, t])
                s, c = dd.dot2_add(s, c, a_hi[k, t], a_lo[k, t], ah, al, b[k, t], bh, bl)
            out[k, 0], out[k, 1] = dd.dot2_result(s, c)

    dots(a_hi, a_lo, b, out)
    for k in range(50):
        terms = [(Fraction(float(h)) + Fraction(float(lo))) * Fraction(float(x))
                 for h, lo, x in zip(a_hi[k], a_lo[k], b[k])]
        error = abs(from_dd(*out[k]) - sum(terms))
        assert error <= 2 * DOT_TERMS * Fraction(1, 2 ** 106) * sum(abs(t) for t in terms), k


def test_the_sample_dtype_follows_from_the_precision():
    import numpy as np

    from viz.numeric.dd import DD_PAIRS, as_samples, dd_pairs, precision_of, sample_dtype

    assert [precision_of(np.empty(1, sample_dtype(p))) for p in ("f64", "dd")] == ["f64", "dd"]
    pairs = as_samples([[1.5, 2.0]], "dd")  # floats in a dd problem: exact pairs with zero low parts
    assert pairs.dtype == DD_PAIRS and pairs.shape == (2,) and pairs["hi"].tolist() == [1.5, 2.0]
    assert not pairs["lo"].any()
    given = dd_pairs([1.0], [1e-20])
    assert as_samples(given, "dd")["lo"][0] == 1e-20
    assert as_samples([3, 4], "f64").dtype == np.float64
    with pytest.raises(ValueError, match="double-double"):
        as_samples(given, "f64")  # rounding the pairs away would hide a caller's bug
