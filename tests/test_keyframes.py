"""Keyframes on the lattice and their store: placement, reuse, resumption, damage."""
from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from viz.errors import UsageError
from viz.numeric.fixed import FRAC_BITS, to_fixed
from viz.problem.spec import ProblemSpec
from viz.sampling.lattice import MAX_LEVEL
from viz.sampling.precision import auto_precision
from viz.sampling.view import View, min_pixel
from viz.video.keyframes import (
    KeyframeSpec,
    KeyframeStore,
    auto_dd_from,
    check_spec,
    first_index,
    keyframe_axes,
    keyframe_values,
    level_for_width,
    outer_level,
    shared_samples,
    with_precision,
    zoom_levels,
)


def spec_at(x=1.12, y=2.3, res=16, levels=(1, 2, 3)) -> KeyframeSpec:
    return KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(x), to_fixed(y), res, tuple(levels))


class FakeEngine:
    """A cheap deterministic measure of both signs; counts its runs; can be told to stop after some calls."""

    def __init__(self, interrupt_after: int | None = None):
        self.evaluations = 0
        self.calls = 0
        self.interrupt_after = interrupt_after

    def __call__(self, xs, ys):
        if self.interrupt_after is not None and self.calls == self.interrupt_after:
            raise KeyboardInterrupt
        self.calls += 1
        self.evaluations += len(xs)
        return fake_measure(xs, ys)


def fake_measure(xs, ys):
    return np.sin(40 * np.log(xs)) * np.cos(37 * np.log(ys)) * 100 + 0.5


@given(st.floats(-50, 50), st.integers(8, 300), st.integers(0, 45))
def test_a_keyframe_is_centred_within_half_a_spacing(x, res, level):
    fixed = to_fixed(x)
    first = first_index(fixed, res, level)
    unit = 1 << (FRAC_BITS - level)
    middle_twice = 2 * first * unit + (res - 1) * unit
    assert abs(middle_twice - 2 * fixed) <= unit


def test_a_deeper_keyframe_shares_a_quarter_of_its_samples_bit_for_bit():
    spec = spec_at(res=16, levels=(4, 5))
    (ox, oy), (nx, ny) = keyframe_axes(spec, 4), keyframe_axes(spec, 5)
    (vx_out, vy_out), (vx_in, vy_in) = keyframe_values(spec, 4), keyframe_values(spec, 5)
    cols, cols_from = shared_samples(ox, nx)
    rows, rows_from = shared_samples(oy, ny)
    assert cols.size == rows.size == 8
    assert np.array_equal(vx_in[cols], vx_out[cols_from])
    assert np.array_equal(vy_in[rows], vy_out[rows_from])
    assert np.all(np.diff(vx_in) > 0) and np.all(np.diff(vy_in) > 0)
    spacing = np.diff(np.log10(vx_in))
    assert np.allclose(spacing, 2.0 ** -5, rtol=1e-9)


def test_levels_reach_from_six_decades_to_the_target():
    assert (63 * 2.0 ** -outer_level(64)) >= 6 > (63 * 2.0 ** -(outer_level(64) + 1))
    deepest = level_for_width(64, 1e-3)
    assert 63 * 2.0 ** -deepest <= 1e-3 < 63 * 2.0 ** -(deepest - 1)
    levels = zoom_levels(64, deepest)
    assert levels[0] == outer_level(64) and levels[-1] == deepest and np.all(np.diff(levels) == 1)
    with pytest.raises(UsageError, match="nothing to zoom"):
        zoom_levels(64, outer_level(64))


def test_fill_computes_each_sample_once_and_saves_each_keyframe(tmp_path):
    spec = spec_at(res=16, levels=(1, 2, 3))
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec)
    engine = FakeEngine()
    report = store.fill(engine)
    assert (report.loaded, report.computed) == (0, 3)
    assert engine.evaluations == report.samples_computed == 256 + 2 * 192
    assert report.samples_reused == 2 * 64
    for level in spec.levels:
        xs, ys = keyframe_values(spec, level)
        assert np.array_equal(store.load(level), fake_measure(xs[None, :], ys[:, None]))
    again = FakeEngine()
    assert KeyframeStore.create_or_resume(tmp_path / "kf", spec).fill(again).loaded == 3
    assert again.evaluations == 0


def test_an_interrupted_keyframe_resumes_from_its_checkpoint(tmp_path):
    spec = spec_at(res=16, levels=(1, 2, 3))
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec)
    first = FakeEngine(interrupt_after=8)  # keyframe 0 takes 6 chunks; stop inside keyframe 1
    with pytest.raises(KeyboardInterrupt):
        store.fill(first, chunk=50)
    assert store.missing() == [2, 3] and store.path(2, partial=True).is_file()
    second = FakeEngine()
    report = KeyframeStore.create_or_resume(tmp_path / "kf", spec).fill(second, chunk=50)
    assert report.samples_resumed == 100 + 64 and report.loaded == 1  # computed + copied before the stop
    assert first.evaluations + second.evaluations == 256 + 2 * 192
    assert not store.path(2, partial=True).exists()
    fresh = KeyframeStore.create_or_resume(tmp_path / "fresh", spec)
    fresh.fill(FakeEngine())
    for level in spec.levels:
        assert np.array_equal(store.load(level), fresh.load(level))


def test_a_deeper_zoom_about_the_same_centre_reuses_the_keyframes(tmp_path):
    KeyframeStore.create_or_resume(tmp_path / "kf", spec_at(levels=(1, 2))).fill(FakeEngine())
    deeper = KeyframeStore.create_or_resume(tmp_path / "kf", spec_at(levels=(1, 2, 3, 4)))
    engine = FakeEngine()
    report = deeper.fill(engine)
    assert report.loaded == 2 and engine.evaluations == 2 * 192
    assert KeyframeStore.open(tmp_path / "kf").spec.levels == (1, 2, 3, 4)


def test_a_store_made_for_other_settings_is_refused(tmp_path):
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec_at())
    np.save(store.path(1), np.zeros((16, 16)))  # a keyframe made: other settings may no longer take it over
    with pytest.raises(UsageError, match="res = 16, not 32"):
        KeyframeStore.create_or_resume(tmp_path / "kf", spec_at(res=32))
    with pytest.raises(UsageError, match="cx"):
        KeyframeStore.create_or_resume(tmp_path / "kf", spec_at(x=1.5))


def test_missing_and_damaged_stores_are_one_clear_line(tmp_path):
    with pytest.raises(UsageError, match="not a keyframe store"):
        KeyframeStore.open(tmp_path)
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec_at())
    with pytest.raises(UsageError, match="lacks level 1"):
        store.load_all()
    store.path(1).write_bytes(b"not an array")
    with pytest.raises(UsageError, match="corrupt"):
        store.load(1)
    np.save(store.path(2), np.zeros((8, 8)))
    with pytest.raises(UsageError, match="not a complete 16x16"):
        store.load(2)
    (tmp_path / "kf" / "manifest.json").write_text("{\"format\": 1, \"res\": ")
    with pytest.raises(UsageError, match="corrupt"):
        KeyframeStore.open(tmp_path / "kf")
    (tmp_path / "kf" / "manifest.json").write_text(json.dumps({"format": 1, "res": 16}))
    with pytest.raises(UsageError, match="corrupt"):
        KeyframeStore.open(tmp_path / "kf")


def test_targets_off_the_axes_or_past_float64_are_refused():
    with pytest.raises(UsageError, match="outside the axes"):
        check_spec(spec_at(x=250.0))
    with pytest.raises(UsageError, match="float64 limit"):
        check_spec(spec_at(x=2.0, res=64, levels=tuple(range(3, 55))))
    assert check_spec(spec_at(x=2.0, res=64, levels=tuple(range(3, 40))))
    with pytest.raises(UsageError, match="at least 8"):
        check_spec(spec_at(res=4))


def test_a_manifest_written_with_64_fractional_bits_still_opens_at_its_centre(tmp_path):
    """Format 1 counted the centre in 2**-64 decades; its keyframes stay usable by the same zoom."""
    spec = spec_at()
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec)
    store.fill(FakeEngine())
    data = json.loads(store.path(1).parent.joinpath("manifest.json").read_text())
    assert data["format"] == 2 and data["cx"] == spec.cx
    data.update(format=1, cx=spec.cx >> (FRAC_BITS - 64), cy=spec.cy >> (FRAC_BITS - 64))
    (tmp_path / "kf" / "manifest.json").write_text(json.dumps(data))
    assert KeyframeStore.open(tmp_path / "kf").spec == spec
    again = KeyframeStore.create_or_resume(tmp_path / "kf", spec)
    assert not again.missing() and json.loads((tmp_path / "kf" / "manifest.json").read_text())["format"] == 1


def test_dd_keyframes_go_past_the_float64_limit_on_dd_lattice_values(tmp_path):
    from viz.numeric.dd import from_dd

    levels = tuple(range(3, 66))  # level 65: 2.7e-20 decades apart, past float64's 2**-53
    with pytest.raises(UsageError, match="float64 limit"):
        check_spec(spec_at(x=2.0, res=8, levels=levels))
    spec = KeyframeSpec(ProblemSpec("tanh", 8, 100, precision="dd"), to_fixed(2.0) + 12345, to_fixed(1.0), 8, levels)
    assert check_spec(spec) is spec
    xs, ys = keyframe_values(spec, 65)
    values = [from_dd(hi, lo) for hi, lo in zip(xs["hi"], xs["lo"])]
    assert all(a < b for a, b in zip(values, values[1:])) and np.unique(xs["hi"]).size < 8
    with pytest.raises(UsageError, match="double-double limit"):
        check_spec(KeyframeSpec(spec.problem, spec.cx, spec.cy, 8, tuple(range(3, 103))))
    seen = []

    def measure(x, y):
        seen.append(x.dtype.names)
        return np.log(x["hi"]) - 4.6 + x["lo"] * 1e20

    store = KeyframeStore.create_or_resume(tmp_path / "kf", KeyframeSpec(spec.problem, spec.cx, spec.cy, 8, (64, 65)))
    store.fill(measure)
    assert seen and set(seen) == {("hi", "lo")}
    assert json.loads((tmp_path / "kf" / "manifest.json").read_text())["precision"] == "dd"
    assert KeyframeStore.open(tmp_path / "kf").spec.problem.precision == "dd"


def auto_spec(first: int, last: int) -> KeyframeSpec:
    """8 x 8 keyframes of levels first..last, --precision auto, about a point where float64 ends near level 53."""
    return with_precision(KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(2.0) + 12345, to_fixed(1.0), 8,
                                       tuple(range(first, last + 1))), "auto")


class TwoArithmetics(FakeEngine):
    """FakeEngine for a mixed zoom: records the arithmetic of each call; dd values are offset, so a copied
    float64 sample in a dd keyframe would show."""

    def __init__(self, interrupt_after: int | None = None):
        super().__init__(interrupt_after)
        self.dd_calls = []

    def __call__(self, xs, ys):
        from viz.numeric.dd import DD_PAIRS

        dd = xs.dtype == DD_PAIRS
        self.dd_calls.append(dd)
        return super().__call__(xs["hi"], ys["hi"]) + 1000.0 if dd else super().__call__(xs, ys)


def float64_deepest(cx: int, cy: int, res: int) -> int:
    """The deepest level whose res x res keyframe about this centre float64 still resolves (neighbours distinct)."""
    level = MAX_LEVEL
    while level > 0 and math.ldexp(1.0, -level) < min_pixel(View(cx, cy, math.ldexp(1.0, -level), res, res)):
        level -= 1
    return level


@pytest.mark.parametrize("cx", [to_fixed(2.0) + 12345, to_fixed(2.45), to_fixed(-0.3), to_fixed(2.29)])
def test_auto_switches_keyframes_where_the_explorer_would(cx):
    """--precision auto's first dd keyframe is the first whose spacing auto_precision (4x float64's
    smallest pixel) gives to double-double; the keyframe above stays float64."""
    dd_from = auto_dd_from(cx, to_fixed(1.0), 64)

    def choice(level):
        view = View(cx, to_fixed(1.0), math.ldexp(1.0, -level), 64, 64)
        return auto_precision(view.pixel, min_pixel(view))

    assert choice(dd_from) == "dd" and choice(dd_from - 1) == "f64"
    assert float64_deepest(cx, to_fixed(1.0), 64) - dd_from in (0, 1)


def test_auto_computes_float64_down_to_near_its_limit_then_double_double(tmp_path):
    limit = float64_deepest(to_fixed(2.0) + 12345, to_fixed(1.0), 8)
    assert 50 <= limit <= 53
    f64_spec = KeyframeSpec(ProblemSpec("tanh", 8, 100), to_fixed(2.0) + 12345, to_fixed(1.0), 8, (limit - 1, limit))
    assert check_spec(f64_spec)  # float64 resolves its deepest level, and not one more
    with pytest.raises(UsageError, match="float64 limit.*--precision auto or dd goes deeper"):
        check_spec(replace(f64_spec, levels=(limit, limit + 1)))
    spec = auto_spec(limit - 4, limit + 3)
    assert spec.dd_from == limit - 1 and check_spec(spec) is spec  # two levels above the limit: 4x its pixel
    assert [spec.precision_at(level) for level in spec.levels] == ["f64"] * 3 + ["dd"] * 5
    shallow = auto_spec(limit - 4, limit - 2)
    assert shallow == with_precision(shallow, "f64") and shallow.problem.precision == "f64"  # the f64 store
    assert all(p == "dd" for p in map(with_precision(spec, "dd").precision_at, spec.levels))
    store = KeyframeStore.create_or_resume(tmp_path / "kf", spec)
    engine = TwoArithmetics()
    report = store.fill(engine, chunk=64)
    assert engine.dd_calls == [False] * 3 + [True] * 5
    # a quarter copied at every step but the switch: its first dd keyframe takes nothing from a float64 one
    assert report.samples_reused == 16 * 6 and report.samples_computed == 64 + 6 * 48 + 64
    xs, ys = keyframe_values(spec, spec.dd_from)
    assert np.array_equal(store.load(spec.dd_from), fake_measure(xs["hi"][None, :], ys["hi"][:, None]) + 1000.0)
    manifest = json.loads((tmp_path / "kf" / "manifest.json").read_text())
    assert (manifest["precision"], manifest["dd_from"]) == ("dd", spec.dd_from)
    assert KeyframeStore.open(tmp_path / "kf").spec == spec


def test_a_float64_store_made_before_resumes_into_a_deeper_auto_zoom(tmp_path):
    limit = float64_deepest(to_fixed(2.0) + 12345, to_fixed(1.0), 8)
    old = auto_spec(limit - 4, limit - 3)
    assert old.problem.precision == "f64"
    KeyframeStore.create_or_resume(tmp_path / "kf", old).fill(FakeEngine())
    manifest = json.loads((tmp_path / "kf" / "manifest.json").read_text())
    assert "precision" not in manifest and "dd_from" not in manifest  # as every store before precision
    deeper = auto_spec(limit - 4, limit + 1)
    first = TwoArithmetics(interrupt_after=8)  # calls of 16: 3 f64, 4 dd (none copied), then 1 into the next
    with pytest.raises(KeyboardInterrupt):
        KeyframeStore.create_or_resume(tmp_path / "kf", deeper).fill(first, chunk=16)
    assert first.dd_calls[:3] == [False] * 3 and all(first.dd_calls[3:])
    second = TwoArithmetics()
    resumed = KeyframeStore.create_or_resume(tmp_path / "kf", KeyframeStore.open(tmp_path / "kf").spec)
    report = resumed.fill(second, chunk=16)
    assert (report.loaded, report.samples_resumed) == (2 + 2, 16 + 16)  # the checkpoint: computed + copied in dd
    assert all(second.dd_calls) and not resumed.missing() and resumed.spec == deeper
    with pytest.raises(UsageError, match="precision = 'f64', not 'dd'"):  # its float64 keyframes are not dd ones
        KeyframeStore.create_or_resume(tmp_path / "kf", with_precision(deeper, "dd"))
