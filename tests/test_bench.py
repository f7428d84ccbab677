"""`nnfractal bench`'s bookkeeping: the workloads, one real (tiny) run, and the table's arithmetic."""
import numpy as np
import pytest

from viz.bench.compare import Workload, format_report, run_workload, workload_pixels, workloads
from viz.cli.app import main
from viz.paper.stills import StillSpec
from viz.problem.conditions import DEFAULT_WINDOW, PRESETS, panel_log_window
from viz.problem.spec import ProblemSpec


def test_a_gpu_runs_the_same_windows_at_sizes_that_fill_it():
    cpu, gpu = workloads("cpu"), workloads("cuda")
    assert [w.spec.window.floats for w in cpu] == [panel_log_window("tanh"), DEFAULT_WINDOW] == [
        w.spec.window.floats for w in gpu]
    assert [(w.spec.problem.width, w.spec.problem.steps) for w in cpu] == [(16, 500), (8, 100)] == [
        (w.spec.problem.width, w.spec.problem.steps) for w in gpu]
    assert [w.spec.cols for w in cpu] == [32, 128] and [w.spec.cols for w in gpu] == [256, 1024]
    for w in cpu + gpu:
        total = w.spec.cols * w.spec.rows
        assert w.reference_pixels <= total and w.jax_pixels <= total


def test_the_baselines_run_a_coarser_grid_over_the_same_view():
    for work in workloads("cpu") + workloads("cuda"):
        xs, ys = workload_pixels(work.spec)
        everything = set(zip(xs.tolist(), ys.tolist()))
        for count in (work.reference_pixels, work.jax_pixels):
            sx, sy = workload_pixels(work.spec, count)
            assert sx.size == count and set(zip(sx.tolist(), sy.tolist())) <= everything
            # every k-th row and column: the subset spans the view, not one corner of it
            for sub, full in ((sx, xs), (sy, ys)):
                assert np.ptp(np.log10(sub)) >= 0.9 * np.ptp(np.log10(full))
                assert np.unique(sub).size ** 2 == count


def test_one_workload_times_every_implementation_on_its_pixels(engine_backend):
    quick = PRESETS["quick"]
    work = Workload("tiny", StillSpec(ProblemSpec("tanh", quick.width, quick.steps), DEFAULT_WINDOW, 6, 6), 9, 9)
    result = run_workload(work, engine_backend, with_jax=False, repeats=2)
    assert result["pixels"] == 36 and 2.4e6 < result["flops_per_pixel"] < 2.5e6
    impls = result["impls"]
    assert set(impls) == {"taichi", "taichi, no early stop", "numpy reference"}
    assert impls["taichi"]["pixels"] == 36 and impls["numpy reference"]["pixels"] == 9
    # The reference ran 9 of the 36 pixels: the engine was timed on those 9 too, for its speed-up.
    assert impls["numpy reference"]["engine_pixels_per_s"] > 0
    for figures in impls.values():
        assert figures["seconds"] > 0
        assert np.isclose(figures["gflops"], figures["pixels_per_s"] * result["flops_per_pixel"] / 1e9)
    # The default view holds runs that blow up early: the early stop skips some steps
    # (a fraction of one call's steps, however many calls were timed).
    assert 0.0 < result["steps_run_fraction"] < 1.0


def test_the_table_puts_each_implementation_beside_the_engine_and_the_peak():
    def fig(px_s, pixels=10, **more):
        return {"pixels": pixels, "seconds": pixels / px_s, "pixels_per_s": px_s, "gflops": px_s * 1e8 / 1e9, **more}

    report = {"machine": {"cpu": "Test CPU", "cores": 2}, "arch": "cpu", "peak_probe": "dgemm probe",
              "peak_gflops": 100.0, "jax_note": "", "repeats": 3,
              "workloads": [{"workload": "w", "pixels": 10, "flops_per_pixel": 1e8, "steps_run_fraction": 0.75,
                             "impls": {"taichi": fig(200.0), "numpy reference": fig(50.0),
                                       "jax": fig(100.0, pixels=4, engine_pixels_per_s=150.0)}}]}
    text = format_report(report)
    assert "float64 peak (dgemm probe, this run): 100.0 GFLOP/s" in text
    assert "the best of 3 timed call(s)" in text
    taichi = next(line for line in text.splitlines() if line.strip().startswith("taichi"))
    reference = next(line for line in text.splitlines() if "numpy reference" in line)
    assert taichi.split()[-2:] == ["20.0%", "1.00x"]  # 20 GFLOP/s of a 100 GFLOP/s peak
    assert reference.split()[-2:] == ["5.0%", "4.00x"]
    jax = next(line for line in text.splitlines() if line.strip().startswith("jax"))
    assert jax.split()[-2:] == ["10.0%", "1.50x"]  # against the engine on the same 4 pixels, not on all 10
    assert "taichi's px/s on the baselines' 4 pixels: 150.0" in text
    assert "early stop: 25.0% of steps skipped" in text


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_repeats_must_be_a_positive_whole_number(capsys, value):
    assert main(["bench", "--repeats", value]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--repeats: must be a whole number of at least 1" in err[0], err


def test_boundary_first_reaches_the_boundary_sooner_and_ends_in_the_same_picture():
    from viz.bench.explore import format_boundary_first, measure_boundary_first

    report = measure_boundary_first("cpu", (96, 54), "quick", window="the notebook's view")
    first, before = report["boundary_first"], report["centre_first"]
    assert report["same_picture"]
    assert first["boundary_pixels"] > 0 and first["total_samples"] == before["total_samples"]
    assert first["boundary_samples"] < before["boundary_samples"], (first, before)
    assert "boundary at full resolution after" in format_boundary_first(report)
