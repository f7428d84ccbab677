"""`nnfractal render`: outputs, PNG text, bad input, and Ctrl-C."""
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import interruptible

from viz.cli.app import main
from viz.outputs import read_png_meta

QUICK = ["--preset", "quick", "--quiet"]


def _one_line_error(capsys, argv, needle):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert needle in err[0] and "Traceback" not in err[0]


@pytest.mark.parametrize("argv,needle", [
    (["render", "--condition", "sigmoid", "--out", "x.npy"], "invalid choice"),
    (["render", "--frobnicate", "--out", "x.npy"], "unrecognized arguments"),
    (["bogus"], "invalid choice"),
    (["render", "--window", "1", "0", "0", "1", "--out", "x.npy"], "X0 < X1"),
    (["render", "--window", "0", "1", "2", "2", "--out", "x.npy"], "Y0 < Y1"),
    (["render", "--res", "0", "--out", "x.npy"], "resolution must be positive"),
    (["render", "--res", "-4", "--out", "x.npy"], "resolution must be positive"),
    (["render", "--size", "12by3", "--out", "x.npy"], "size must look like"),
    (["render", "--out", "/nonexistent-dir/x.npy"], "does not exist"),
    (["render", "--out", "picture.jpg"], "must end in"),
    (["render", "--panel", "tanh", "--condition", "relu", "--out", "x.npy"], "contradicts"),
    (["render", "--width", "12", "--out", "x.npy"], "width 8 and 16"),
    (["render", "--steps", "7", "--out", "x.npy"], "last 20 steps"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    _one_line_error(capsys, argv, needle)


def test_unwritable_folder(capsys, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    if os.access(folder, os.W_OK):  # root ignores permission bits
        pytest.skip("running as root: a read-only folder is still writable")
    _one_line_error(capsys, ["render", "--out", str(folder / "x.npy")], "cannot write")


def test_cuda_without_driver(capsys, monkeypatch):
    import viz.compute.backend

    monkeypatch.setattr(viz.compute.backend, "cuda_available", lambda: False)
    _one_line_error(capsys, ["render", "--arch", "cuda", "--res", "2", *QUICK, "--out", "x.npy"], "no NVIDIA driver")


def test_npy_is_the_raw_measure_at_the_paper_pixel_centres(engine_arch, tmp_path):
    from viz.problem import reference as reference
    from viz.problem.arrays import load_problem
    from viz.problem.conditions import CONDITIONS

    out = tmp_path / "still.npy"
    assert main(["render", "--window", "-1", "3", "0", "2", "--size", "5x3", *QUICK, "--out", str(out)]) == 0
    measure = np.load(out)
    assert measure.shape == (3, 5) and measure.dtype == np.float64
    # Row 0 is the bottom (y0), column 0 is x0; centres at 10**linspace(lo, hi, res).
    problem = load_problem(CONDITIONS["tanh"], 8, 100)
    corners = reference.measure(problem, CONDITIONS["tanh"], [10.0 ** -1, 10.0 ** 3], [10.0 ** 0, 10.0 ** 2])
    np.testing.assert_allclose([measure[0, 0], measure[2, 4]], corners, rtol=1e-9)


def test_png_carries_its_view(engine_arch, tmp_path):
    from PIL import Image

    out = tmp_path / "still.png"
    assert main(["render", "--condition", "relu", "--res", "6", *QUICK, "--out", str(out)]) == 0
    meta = read_png_meta(out)
    assert meta["condition"] == "relu" and meta["width"] == 8 and meta["steps"] == 100
    assert meta["window"] == [-3.0, 6.0, -3.0, 6.0] and meta["cols"] == 6
    with Image.open(out) as image:
        assert image.size == (6, 6) and image.mode == "RGB"
        json.loads(image.text["nnfractal"])


def test_ctrl_c_writes_nothing_and_exits_130(engine_arch, tmp_path):
    out = tmp_path / "big.npy"
    proc = subprocess.Popen(
        [sys.executable, "-m", "viz", "render", "--res", "400", "--preset", "quick", "--arch", "cpu",
         "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **interruptible())
    deadline = time.time() + 120
    # Wait for the progress bar (the kernel is built and running), then interrupt.
    buffer = ""
    while time.time() < deadline and "px/s" not in buffer:
        buffer += proc.stderr.read(1)
    assert "px/s" in buffer, buffer
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "nothing written" in err and "Traceback" not in err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_outputs_get_the_usual_file_mode(tmp_path):
    from viz.outputs import save_npy

    out = tmp_path / "m.npy"
    save_npy(out, np.zeros(3))
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
