"""Windows and centres typed as decimal strings: every digit kept, in specs, PNG text and the dd axes."""
from decimal import Context, Decimal
from fractions import Fraction

import numpy as np
import pytest

import viz.cli.app
from viz.cli import args as cliargs
from viz.explore.bookmarks import from_png
from viz.numeric.dd import from_dd
from viz.numeric.fixed import FRAC_BITS
from viz.outputs import read_png_meta, save_png
from viz.paper.stills import StillSpec
from viz.problem.spec import ProblemSpec

DEEP = ("1.1", "1.1" + "0" * 19 + "1", "2.3", "2.3" + "0" * 19 + "1")  # 1e-20 decades wide


def parsed_still(*flags):
    return cliargs.still_spec(viz.cli.app.build_parser().parse_args(["render", "--out", "x.npy", *flags]), 8)


def test_a_typed_window_keeps_every_digit_and_a_float_like_one_writes_the_same_text_as_before():
    spec = parsed_still("--precision", "dd", "--window", *DEEP)
    assert spec.window.ends == tuple(Decimal(v) for v in DEEP)
    assert spec.as_metadata()["window"] == [1.1, DEEP[1], 2.3, DEEP[3]]
    plain = parsed_still("--window", "-1", "0.5", "0.1", "2")
    assert plain.as_metadata() == StillSpec(plain.problem, (-1.0, 0.5, 0.1, 2.0), 8, 8).as_metadata()
    assert [bits.tobytes() for bits in plain.axes()] == [
        bits.tobytes() for bits in StillSpec(plain.problem, (-1.0, 0.5, 0.1, 2.0), 8, 8).axes()]


def test_axes_dd_are_the_exact_linspace_to_2_to_the_minus_104():
    spec = StillSpec(ProblemSpec("tanh", 8, 100, precision="dd"), tuple(Decimal(v) for v in DEEP), 5, 3)
    x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
    ctx = Context(prec=80)
    for (hi, lo), (a, b, n) in ((( x_hi, x_lo), (DEEP[0], DEEP[1], 5)), ((y_hi, y_lo), (DEEP[2], DEEP[3], 3))):
        for k in range(n):
            log10 = Fraction(Decimal(a)) + (Fraction(Decimal(b)) - Fraction(Decimal(a))) * Fraction(k, n - 1)
            exact = Fraction(ctx.power(Decimal(10), ctx.divide(Decimal(log10.numerator), Decimal(log10.denominator))))
            assert abs(from_dd(hi[k], lo[k]) - exact) <= exact / 2 ** 104
        values = [from_dd(h, v) for h, v in zip(hi, lo)]
        assert all(p < q for p, q in zip(values, values[1:]))  # distinct although hi alone is one float
    assert np.unique(x_hi).size <= 2


def test_axes_dd_of_an_ordinary_window_round_to_the_float64_axes():
    spec = StillSpec(ProblemSpec("tanh", 8, 100), (-3.0, 6.0, -3.0, 6.0), 16, 16)
    x_hi, _, y_hi, _ = spec.axes_dd()
    xs, ys = spec.axes()
    np.testing.assert_allclose(x_hi, xs, rtol=1e-14)
    assert x_hi[0] == 1e-3 and x_hi[-1] == 1e6 and y_hi[0] == 1e-3


def test_png_text_keeps_the_digits_and_reopens_at_the_exact_window(tmp_path):
    spec = StillSpec(ProblemSpec("tanh", 8, 100, precision="dd"), tuple(Decimal(v) for v in DEEP), 8, 8)
    path = tmp_path / "deep.png"
    save_png(path, np.zeros((8, 8, 3), np.uint8), meta=spec.as_metadata())
    assert read_png_meta(path)["window"][1] == DEEP[1]
    saved = from_png(path)
    assert saved.region == spec.window
    old = tmp_path / "old.png"
    save_png(old, np.zeros((8, 8, 3), np.uint8), meta=StillSpec(ProblemSpec("tanh", 8, 100), (-1.0, 2.0, 0.0, 1.5),
                                                                     8, 8).as_metadata())
    back = from_png(old)
    assert back.region.floats == (-1.0, 2.0, 0.0, 1.5)


def test_zoom_takes_a_decimal_centre_to_the_last_bit():
    from viz.cli.zoom import keyframe_spec

    args = viz.cli.app.build_parser().parse_args(
        ["zoom", "--center", "1.1" + "0" * 25 + "3", "-0.5", "--keyframes", "3", "--res", "8", "--preset", "quick"])
    spec = keyframe_spec(args)
    assert spec.cx == round(Fraction(Decimal("1.1" + "0" * 25 + "3")) * 2 ** FRAC_BITS)
    assert spec.cy == -(1 << (FRAC_BITS - 1))


@pytest.mark.parametrize("window", [("0", "1", "0", "1"), ("-3", "6", "-3", "6")])
def test_integer_text_windows_match_float_windows(window):
    assert parsed_still("--window", *window).axes()[0].tobytes() == StillSpec(
        ProblemSpec(), tuple(float(v) for v in window), 8, 8).axes()[0].tobytes()


#: 1e-20 decades across the tanh quick boundary at log10 eta1 = 1.5 (found by bisection in double-double):
#: 4 decades narrower than float64 resolves (its ulp at eta0 = 284 is 2.4e-16 relative, 1e-16 decades).
ACROSS = ("2.453060552616108195932717636", "2.453060552616108195942717636", "1.5", "1.50000000000000000001")


def test_a_dd_still_computes_distinct_columns_4_decades_past_float64(tmp_path, capsys):
    out = tmp_path / "deep.npy"
    assert viz.cli.app.main(["render", "--precision", "dd", "--arch", "cpu", "--preset", "quick", "--res", "8",
                             "--quiet", "--window", *ACROSS, "--out", str(out)]) == 0
    image = np.load(out)
    assert len({image[:, col].tobytes() for col in range(8)}) == 8
    assert (image < 0).any() and (image > 0).any()  # the boundary runs through it
    for argv in (["render", "--window", *ACROSS], ["render", "--precision", "dd", "--compare-precision",
                                                   "--window", *ACROSS]):
        capsys.readouterr()
        assert viz.cli.app.main([*argv, "--preset", "quick", "--res", "8", "--out", str(tmp_path / "f.npy")]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "too narrow for float64" in err, err
    assert not (tmp_path / "f.npy").exists()


def test_dd_pairs_reach_the_engine_as_measure_dd_takes_them(engine_backend):
    from viz.compute.engine import build_engine
    from viz.numeric.dd import dd_pairs

    spec = StillSpec(ProblemSpec("tanh", 8, 100, precision="dd"), tuple(Decimal(v) for v in ACROSS), 4, 1)
    x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
    y_hi, y_lo = np.repeat(y_hi, 4), np.repeat(y_lo, 4)
    engine = build_engine(spec.problem, engine_backend)
    assert engine.measure(dd_pairs(x_hi, x_lo), dd_pairs(y_hi, y_lo)).tobytes() == \
        engine.measure_dd(x_hi, y_hi, x_lo, y_lo)[0].tobytes()
    with pytest.raises(ValueError, match="double-double"):
        build_engine(ProblemSpec("tanh", 8, 100), engine_backend).measure(dd_pairs(x_hi, x_lo), dd_pairs(y_hi, y_lo))


def test_zoom_precision_dd_goes_past_float64_where_f64_is_refused():
    from viz.cli.zoom import keyframe_spec
    from viz.errors import UsageError

    argv = ["zoom", "--center", "2.45306055261610819593", "1.5", "--depth", "22", "--res", "8", "--preset", "quick"]
    spec = keyframe_spec(viz.cli.app.build_parser().parse_args([*argv, "--precision", "dd"]))
    assert spec.problem.precision == "dd" and spec.spacing(spec.levels[-1]) < 1e-20
    assert all(spec.precision_at(level) == "dd" for level in spec.levels)
    auto = keyframe_spec(viz.cli.app.build_parser().parse_args(argv))  # the default: float64 first, then dd
    assert auto.levels == spec.levels and auto.precision_at(auto.levels[0]) == "f64"
    assert auto.precision_at(auto.levels[-1]) == "dd" and 49 < auto.dd_from < 54
    with pytest.raises(UsageError, match="float64 limit"):
        keyframe_spec(viz.cli.app.build_parser().parse_args([*argv, "--precision", "f64"]))


def test_a_dd_still_in_tiles_carries_its_low_parts_to_the_engine(engine_backend, tmp_path):
    """render/figure1/zoom --cluster: a tile of a dd still is the same pixels as measure_dd on its exact axes."""
    from viz.compute.engine import build_engine
    from viz.compute.tiled import tile_task
    from viz.compute.zarr_store import TileStore
    from viz.numeric.dd import DD_PAIRS
    from viz.paper.cluster_still import still_grid

    spec = StillSpec(ProblemSpec("tanh", 8, 100, precision="dd"), tuple(Decimal(v) for v in ACROSS), 4, 2)
    grid = still_grid(spec, tile=4)
    assert grid.xs.dtype == DD_PAIRS and np.unique(grid.xs["hi"]).size < 4  # the columns differ in lo alone
    f64_twin = still_grid(StillSpec(ProblemSpec("tanh", 8, 100), (2.4, 2.5, 1.5, 1.6), 4, 2), tile=4)
    assert grid.as_metadata()["axes_sha256"] != f64_twin.as_metadata()["axes_sha256"]
    store = tmp_path / "tiles.zarr"
    TileStore.open(store, grid)
    (tile,) = grid.tiles()
    assert tile_task(grid, str(store), tile).tile == tile  # a receipt: the values are in the store
    values = TileStore.open(store, grid).read()
    x_hi, x_lo, y_hi, y_lo = spec.axes_dd()
    direct = build_engine(spec.problem, engine_backend).measure_dd(
        np.tile(x_hi, 2), np.repeat(y_hi, 4), np.tile(x_lo, 2), np.repeat(y_lo, 4))[0].reshape(2, 4)
    assert values.tobytes() == direct.tobytes() and len({values[:, c].tobytes() for c in range(4)}) == 4
    assert tile_task(grid, None, tile).values.tobytes() == direct.tobytes()  # no store: the values come back
