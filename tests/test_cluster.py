"""Stills on real Dask clusters on 127.0.0.1: bitwise equal to the engine in-process, through faults and reruns.

Every cluster is started here and stopped at the end (also on failure); the
in-process reference calls the engine directly over the same pixel values,
in compute_still's shuffled chunks, so equality also shows that a pixel's
measure does not depend on which pixels share its call.
"""
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import interruptible

from viz.compute.cluster import ClusterTarget, open_cluster, parse_cluster
from viz.compute.tiled_still import compute_still_on_cluster, still_axes
from viz.compute.tiles import built_engines, tile_grid
from viz.compute.zarr_store import StillGrid, TileStore
from viz.errors import UsageError
from viz.paper.stills import StillSpec, compute_still
from viz.problem.conditions import DEFAULT_WINDOW, panel_log_window
from viz.problem.spec import ProblemSpec

ROOT = Path(__file__).resolve().parents[1]
PAPER = ProblemSpec("tanh", 16, 500)
QUICK = ProblemSpec("tanh", 8, 100)
PANEL = StillGrid(PAPER, panel_log_window("tanh"), 24, 24, 16)
VIEW = StillGrid(QUICK, DEFAULT_WINDOW, 64, 64, 16)
#: The panel in 9 tiles of 8 x 8 (about a second each on one core): room to kill or interrupt mid-way.
PANEL_8 = StillGrid(PAPER, PANEL.window, 24, 24, 8)

_references: dict = {}


def in_process(grid: StillGrid) -> np.ndarray:
    """The still from the engine in this process, in compute_still's order and chunks (computed once per run)."""
    key = (grid.problem, grid.window, grid.cols, grid.rows)
    if key not in _references:
        spec = StillSpec(grid.problem, grid.window, grid.cols, grid.rows)
        _references[key] = compute_still(spec, arch="cpu", progress=False)
    return _references[key]


def assert_bitwise(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), f"{np.sum(a.view(np.int64) != b.view(np.int64))} pixels differ"


@pytest.fixture(scope="module")
def local2():
    """One embedded cluster of two worker processes for the module, stopped at its end."""
    with open_cluster("local:2", arch="cpu", quiet=True) as client:
        yield client


@pytest.mark.parametrize("grid", [PANEL, VIEW], ids=["tanh-panel-paper-24", "default-view-quick-64"])
def test_local2_equals_in_process(local2, tmp_path, grid):
    computed = []
    image = compute_still_on_cluster(local2, grid, store=tmp_path / "still.zarr", progress=False,
                                     on_tile=lambda t, r: computed.append(t))
    assert len(computed) == len(grid.tiles())
    assert_bitwise(image, in_process(grid))
    assert_bitwise(TileStore.open(tmp_path / "still.zarr", grid).read(), image)
    again = []
    assert_bitwise(compute_still_on_cluster(local2, grid, store=tmp_path / "still.zarr", progress=False,
                                            on_tile=lambda t, r: again.append(t)), image)
    assert again == []
    # The workers that ran tiles kept the engine they built (one per problem and process, not per task).
    assert any(grid.problem in built for built in local2.run(built_engines).values())


def test_sigkill_of_a_worker_mid_still(local2, tmp_path):
    before = local2.run(os.getpid)
    killed = []

    def kill_a_busy_worker(tile, result):
        if not killed:
            busy = [a for a, keys in local2.processing().items() if keys and a in before]
            os.kill(before[busy[0]], signal.SIGKILL)
            killed.append(before[busy[0]])

    image = compute_still_on_cluster(local2, PANEL_8, store=tmp_path / "still.zarr", progress=False,
                                     on_tile=kill_a_busy_worker)
    assert killed
    assert_bitwise(image, in_process(PANEL_8))
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "killed"])
def test_stopped_client_then_rerun_computes_only_missing_tiles(local2, tmp_path, stop):
    import psutil

    store = tmp_path / "still.zarr"
    x0, x1, y0, y1 = PANEL_8.window
    argv = [sys.executable, str(ROOT / "tests" / "cluster_client.py"), "local:2", str(store), "tanh", "16", "500",
            repr(x0), repr(x1), repr(y0), repr(y1), "24", "24", "8"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    client = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **interruptible())
    try:
        deadline = time.monotonic() + 300
        while _done_tiles(store) < 2:
            assert client.poll() is None, client.communicate()
            assert time.monotonic() < deadline, "no tile finished in time"
            time.sleep(0.05)
        its_workers = psutil.Process(client.pid).children(recursive=True)
        client.send_signal(stop)
        out, err = client.communicate(timeout=120)
        # Its worker processes follow it; wait, so that none writes a tile after the count below.
        assert not psutil.wait_procs(its_workers, timeout=60)[1]
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
    assert client.returncode != 0 and b"finished" not in out, err.decode()[-2000:]
    missing = len(TileStore.open(store, PANEL_8).missing(PANEL_8.tiles()))
    assert 0 < missing < len(PANEL_8.tiles())
    computed = []
    image = compute_still_on_cluster(local2, PANEL_8, store=store, progress=False,
                                     on_tile=lambda t, r: computed.append(t))
    assert len(computed) == missing
    assert_bitwise(image, in_process(PANEL_8))


def _done_tiles(store: Path) -> int:
    """Finished tiles of a store another process is writing (0 while it is being created)."""
    try:
        return int(TileStore.open(store, PANEL_8).done().sum()) if (store / "zarr.json").exists() else 0
    except UsageError:
        return 0


@contextlib.contextmanager
def dask_cli_cluster(tmp_path: Path, workers: int = 2, scheduler_path: Path = ROOT, worker_path: Path = ROOT):
    """`dask scheduler` and `dask worker` processes on 127.0.0.1 (project from the given paths); yields its address."""
    dask = str(Path(sys.executable).parent / "dask")
    scheduler_file = tmp_path / "scheduler.json"
    env = {**os.environ, "NNFRACTAL_ARCH": "cpu", "TI_CPU_MAX_NUM_THREADS": "1"}
    procs = []
    try:
        procs.append(subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                                       "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(scheduler_file)],
                                      env={**env, "PYTHONPATH": str(scheduler_path)}, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, start_new_session=True))
        deadline = time.monotonic() + 60
        while not scheduler_file.exists():
            assert procs[0].poll() is None and time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.1)
        for _ in range(workers):
            procs.append(subprocess.Popen([dask, "worker", "--scheduler-file", str(scheduler_file), "--host",
                                           "127.0.0.1", "--nworkers", "1", "--nthreads", "1", "--no-dashboard"],
                                          env={**env, "PYTHONPATH": str(worker_path)}, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL, start_new_session=True))
        yield json.loads(scheduler_file.read_text())["address"]
    finally:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_dask_scheduler_and_worker_commands(tmp_path):
    with dask_cli_cluster(tmp_path) as address:
        assert address.startswith("tcp://127.0.0.1:")
        with open_cluster(address, quiet=True, connect_timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2
            image = compute_still_on_cluster(client, VIEW, store=tmp_path / "still.zarr", progress=False,
                                             writer="client")
    assert_bitwise(image, in_process(VIEW))


@pytest.mark.parametrize("side", ["scheduler", "worker"])
def test_a_cluster_without_the_project_is_one_line(tmp_path, side):
    stub = tmp_path / "stub"
    # Another package named viz, with its own (empty) compute: an editable install's finder
    # would otherwise still find the project's modules below a stub's top level.
    (stub / "viz" / "compute").mkdir(parents=True)
    (stub / "viz" / "__init__.py").write_text('"""Some other package named viz."""\n')
    (stub / "viz" / "compute" / "__init__.py").write_text('"""Not the compute of nnfractal."""\n')
    paths = {"scheduler_path": stub} if side == "scheduler" else {"worker_path": stub}
    with dask_cli_cluster(tmp_path, workers=1, **paths) as address:
        with pytest.raises(UsageError) as info:
            with open_cluster(address, quiet=True, connect_timeout=60):
                pass
    message = str(info.value)
    who = "the Dask scheduler" if side == "scheduler" else "1 of 1 cluster workers"
    assert f"{who} cannot import nnfractal" in message
    assert "ModuleNotFoundError: No module named 'viz.compute" in message
    assert "\n" not in message


@pytest.mark.parametrize("value", ["", "local:", "local:0", "local:x", "local:-2", "locale", "LOCAL", "tcp://",
                                   "tcp://host", "tcp://:8786", "tcp://host:99999", "tcp://a b:1", "udp://1.2.3.4:5",
                                   "127.0.0.1:8786", "tcp://127.0.0.1:8786/x"])
def test_malformed_cluster_values(value):
    start = time.monotonic()
    with pytest.raises(UsageError) as info:
        with open_cluster(value, quiet=True):
            pass
    assert "--cluster must be local, local:N or tcp://HOST:PORT" in str(info.value)
    assert "\n" not in str(info.value) and time.monotonic() - start < 1


def test_cluster_forms():
    assert parse_cluster("local") == ClusterTarget()
    assert parse_cluster("local:3") == ClusterTarget(workers=3)
    assert parse_cluster("tcp://10.0.0.5:8786") == ClusterTarget(address="tcp://10.0.0.5:8786")
    assert parse_cluster("tcp://node-7.example.org:8786").address == "tcp://node-7.example.org:8786"


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:{free}", "tcp://192.0.2.1:8786"],
                         ids=["refused", "unroutable"])
def test_unreachable_scheduler_is_one_line_within_10_s(address, capfd):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    address = address.format(free=free)
    start = time.monotonic()
    with pytest.raises(UsageError) as info:
        with open_cluster(address, quiet=True):
            pass
    assert time.monotonic() - start < 10
    assert f"cannot reach the Dask scheduler at {address}" in str(info.value) and "\n" not in str(info.value)
    assert capfd.readouterr().err == ""


def test_store_refuses_other_settings(tmp_path):
    TileStore.open(tmp_path / "s.zarr", VIEW)
    for other in (StillGrid(PAPER, VIEW.window, 64, 64, 16), StillGrid(QUICK, (-3.0, 6.0, -3.0, 5.0), 64, 64, 16),
                  StillGrid(QUICK, VIEW.window, 64, 64, 32)):
        with pytest.raises(UsageError, match="holds a still made for other settings") as info:
            TileStore.open(tmp_path / "s.zarr", other)
        assert "\n" not in str(info.value)
    (tmp_path / "plain").mkdir()
    with pytest.raises(UsageError, match="not"):
        TileStore.open(tmp_path / "plain", VIEW)


def test_tiles_cover_the_image_once_and_axes_are_a_stills():
    from viz.paper.stills import StillSpec

    cover = np.zeros((24, 40), int)
    for t in tile_grid(24, 40, 16):
        cover[t.slices] += 1
    assert (cover == 1).all()
    xs, ys = still_axes(VIEW)
    sx, sy = StillSpec(window=VIEW.window, cols=64, rows=64).axes()
    assert xs.tobytes() == sx.tobytes() and ys.tobytes() == sy.tobytes()


def test_a_tile_whose_worker_dies_on_every_try_is_one_line():
    from distributed import KilledWorker

    from viz.compute.tiled_still import _result

    class Lost:
        def result(self):
            raise KilledWorker("nnfractal-tile-0-0", "tcp://127.0.0.1:1", allowed_failures=3)

    with pytest.raises(UsageError, match="tile 1,2: its worker died on every try") as info:
        _result(Lost(), tile_grid(24, 24, 8)[5])
    assert "\n" not in str(info.value)
