"""A wheel installed without -e draws: shaders and arrays travel inside it.

Builds the wheel, installs it (no dependencies: those come from this test's
own environment through a .pth line, which runs no editable finder) into a
fresh virtual environment outside the repository, and runs the console
script from a folder that holds no copy of shaders/ or viz/.
"""
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import imageio.v3 as iio
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent


def _run(argv, **kwargs):
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, f"{argv}\n{done.stdout}\n{done.stderr}"
    return done


def test_an_installed_wheel_renders_a_png_and_a_zoom_video(tmp_path):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
          str(REPO)])
    (wheel,) = wheels.glob("nnfractal-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {"viz/shaders/zoom_frame.frag.glsl", "viz/shaders/spectral.glsl", "viz/data/paper_arrays.npz"} <= set(names)

    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    site = Path(_run([str(env_dir / "bin" / "python"), "-c",
                      "import sysconfig; print(sysconfig.get_path('purelib'))"]).stdout.strip())
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(site),
          str(wheel)])

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([str(env_dir / "bin" / "python"), "-c", "import viz; print(viz.__file__)"], cwd=work)
    assert Path(where.stdout.strip()).is_relative_to(site), where.stdout

    console = str(site / "bin" / "nnfractal")  # pip --target puts the console script under the target
    _run([str(env_dir / "bin" / "python"), console, "render", "--preset", "quick", "--res", "16",
          "--out", "still.png", "--quiet"], cwd=work)
    picture = np.asarray(Image.open(work / "still.png"))
    assert picture.shape == (16, 16, 3) and len(np.unique(picture.reshape(-1, 3), axis=0)) > 4

    _run([str(env_dir / "bin" / "python"), console, "zoom", "--center", "0.5", "1.5", "--keyframes", "3",
          "--res", "16", "--preset", "quick", "--size", "64x64", "--fps", "10", "--seconds-per-2x", "0.5",
          "--out", "zoom.mp4", "--quiet"], cwd=work)
    frames = iio.imread(work / "zoom.mp4")
    assert frames.shape[0] >= 10 and frames.shape[1:3] == (64, 64)
    assert not (work / "shaders").exists() and not (work / "viz").exists()
