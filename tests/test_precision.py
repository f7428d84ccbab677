"""precision as part of a problem's identity, the --precision flag, and the comparison picture (no training here)."""
import numpy as np
import pytest

from viz.cli.app import build_parser
from viz.cli.args import still_spec
from viz.errors import UsageError
from viz.explore.bookmarks import parse_record
from viz.paper.still_file import DIFFER_RGB, comparison_picture, sign_differences
from viz.problem.spec import ProblemSpec


def test_precision_is_part_of_the_identity_and_old_metadata_means_f64():
    f64, dd = ProblemSpec(), ProblemSpec(precision="dd")
    assert f64 != dd
    assert "precision" not in f64.as_metadata()  # float64 files and stores unchanged
    assert dd.as_metadata()["precision"] == "dd"
    assert ProblemSpec.of(f64.as_metadata()) == f64
    assert ProblemSpec.of(dd.as_metadata()) == dd
    with pytest.raises(UsageError, match="unknown precision"):
        ProblemSpec(precision="f32").validate()


def test_bookmarks_keep_precision():
    record = {"condition": "tanh", "width": 8, "steps": 100, "cols": 4, "rows": 4, "window": [0, 1, 0, 1]}
    assert parse_record(record, "b").problem.precision == "f64"
    assert parse_record({**record, "precision": "dd"}, "b").problem.precision == "dd"
    with pytest.raises(UsageError, match="precision"):
        parse_record({**record, "precision": "quad"}, "b")


def test_render_flag_reaches_the_still():
    parser = build_parser()
    args = parser.parse_args(["render", "--out", "x.png", "--precision", "dd", "--arch", "cpu"])
    assert still_spec(args, 8).problem.precision == "dd"
    args = parser.parse_args(["render", "--out", "x.png"])
    assert still_spec(args, 8).problem.precision == "f64"
    args = parser.parse_args(["render", "--out", "x.png", "--compare-precision"])
    assert args.compare_precision


def test_dd_on_cuda_refused_in_one_line():
    args = build_parser().parse_args(["render", "--out", "x.png", "--precision", "dd", "--arch", "cuda"])
    with pytest.raises(UsageError, match="CPU only") as info:
        still_spec(args, 8)
    assert "\n" not in str(info.value)


def test_bench_takes_precision():
    args = build_parser().parse_args(["bench", "--precision", "dd"])
    assert args.precision == "dd"


def test_comparison_picture_marks_sign_differences():
    f64 = np.array([[-1.0, 2.0], [-3.0, 4.0]])
    dd = np.array([[-1.0, -2.0], [-3.0, 4.0]])
    assert sign_differences(f64, dd).tolist() == [[False, True], [False, False]]
    picture = comparison_picture(f64, dd, scale=3)
    assert picture.shape == (6, 3 * (2 + 1 + 2 + 1 + 2), 3)
    # row 0 of the measure is the bottom row of the picture; the differing pixel is bottom right of panel 3
    third = picture[:, 3 * 6:]
    assert tuple(third[-1, -1]) == DIFFER_RGB
    assert tuple(third[0, 0]) != DIFFER_RGB


def test_dd_chunks_are_sized_for_dd_cost():
    """A dd engine call holds DD_SLOWDOWN times fewer pixels, so it still lasts about a second on a CPU."""
    from viz.compute.engine import DD_SLOWDOWN, chunk_pixels

    flops = 2.4e6  # one quick-preset run
    f64, dd = chunk_pixels("cpu", flops), chunk_pixels("cpu", flops, "dd")
    assert dd < f64
    assert dd == chunk_pixels("cpu", flops * DD_SLOWDOWN)
    assert chunk_pixels("cuda", flops, "dd") == chunk_pixels("cuda", flops)
