"""Stills on real Dask clusters on 127.0.0.1: bitwise equal to the engine in-process, through faults and reruns.

Every cluster is started here and stopped at the end (also on failure); the
in-process reference calls the engine directly over the same pixel values,
in compute_still's shuffled chunks, so equality also shows that a pixel's
measure does not depend on which pixels share its call.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import dask_cli_cluster, interruptible

from viz.compute.cluster import ClusterTarget, open_cluster, parse_cluster
from viz.compute.tiles import built_engines, tile_grid
from viz.compute.zarr_store import TileStore
from viz.errors import UsageError
from viz.paper.cluster_still import compute_still_on_cluster, still_grid
from viz.paper.stills import StillSpec, compute_still
from viz.problem.conditions import DEFAULT_WINDOW, panel_log_window
from viz.problem.spec import ProblemSpec

ROOT = Path(__file__).resolve().parents[1]
PAPER = ProblemSpec("tanh", 16, 500)
QUICK = ProblemSpec("tanh", 8, 100)
PANEL = StillSpec(PAPER, panel_log_window("tanh"), 24, 24)
VIEW = StillSpec(QUICK, DEFAULT_WINDOW, 64, 64)
#: The panel in 9 tiles of 8 x 8 (about a second each on one core): room to kill or interrupt mid-way.
PANEL_8 = still_grid(PANEL, 8)

_references: dict = {}


def in_process(spec: StillSpec) -> np.ndarray:
    """The still from the engine in this process, in compute_still's order and chunks (computed once per run)."""
    if spec not in _references:
        _references[spec] = compute_still(spec, arch="cpu", progress=False)
    return _references[spec]


def assert_bitwise(a: np.ndarray, b: np.ndarray) -> None:
    assert a.dtype == b.dtype == np.float64 and a.shape == b.shape
    assert a.tobytes() == b.tobytes(), f"{np.sum(a.view(np.int64) != b.view(np.int64))} pixels differ"


@pytest.fixture(scope="module")
def local2():
    """One embedded cluster of two worker processes for the module, stopped at its end."""
    with open_cluster("local:2", arch="cpu", quiet=True) as client:
        yield client


@pytest.mark.parametrize("spec", [PANEL, VIEW], ids=["tanh-panel-paper-24", "default-view-quick-64"])
def test_local2_equals_in_process(local2, tmp_path, spec):
    computed = []
    image = compute_still_on_cluster(local2, spec, 16, store=tmp_path / "still.zarr", progress=False,
                                     on_tile=lambda t, r: computed.append(t))
    assert len(computed) == len(still_grid(spec, 16).tiles())
    assert_bitwise(image, in_process(spec))
    assert_bitwise(TileStore.open(tmp_path / "still.zarr", still_grid(spec, 16)).read(), image)
    again = []
    assert_bitwise(compute_still_on_cluster(local2, spec, 16, store=tmp_path / "still.zarr", progress=False,
                                            on_tile=lambda t, r: again.append(t)), image)
    assert again == []
    # The workers that ran tiles kept the engine they built (one per problem and process, not per task).
    assert any(spec.problem in built for built in local2.run(built_engines).values())


class Recording:
    """A client that notes what is scattered and what each task is sent, and passes everything on."""

    def __init__(self, client):
        self.client, self.scattered, self.sent = client, [], []

    def scatter(self, data, **options):
        self.scattered.append((data, options))
        return self.client.scatter(data, **options)

    def submit(self, func, *args, **options):
        self.sent.append(args)
        return self.client.submit(func, *args, **options)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.mark.parametrize("store", [True, False], ids=["workers-write-the-store", "no-store"])
def test_the_grid_travels_once_and_each_tiles_values_once(local2, tmp_path, store):
    import pickle

    from distributed import Future

    from viz.compute.tiled import TileReceipt
    from viz.compute.tiles import Tile, TileResult

    client, results = Recording(local2), []
    spec = StillSpec(QUICK, VIEW.window, 24, 16)
    image = compute_still_on_cluster(client, spec, 8, store=tmp_path / "s.zarr" if store else None, progress=False,
                                     on_tile=lambda t, r: results.append(r))
    (grid, options), = client.scattered  # one image: its grid scattered once, to every worker
    assert grid.xs.size == 24 and options["broadcast"]
    assert len(client.sent) == len(results) == 6
    for future, path, tile in client.sent:  # a task names the scattered grid and its tile: no axes of its own
        assert isinstance(future, Future) and isinstance(tile, Tile) and len(pickle.dumps((path, tile))) < 400
    if store:  # the values went into the store; the client read it once at the end
        assert all(type(r) is TileReceipt for r in results)
        assert_bitwise(TileStore.open(tmp_path / "s.zarr", still_grid(spec, 8)).read(), image)
    else:
        assert all(type(r) is TileResult for r in results)
    assert_bitwise(image, in_process(spec))


def test_a_cluster_still_takes_its_spec_as_validated(local2, tmp_path, monkeypatch):
    """The command validates the spec once, where it builds it; the cluster path does not check it again."""
    checks = []
    for cls in (ProblemSpec, StillSpec):
        monkeypatch.setattr(cls, "validate", lambda self, name=cls.__name__: checks.append(name) or self)
    spec = StillSpec(QUICK, VIEW.window, 8, 8)
    image = compute_still_on_cluster(local2, spec, 8, store=tmp_path / "s.zarr", progress=False)
    assert checks == [] and np.isfinite(image).all()


def test_sigkill_of_a_worker_mid_still(local2, tmp_path):
    before = local2.run(os.getpid)
    killed = []

    def kill_a_busy_worker(tile, result):
        if not killed:
            busy = [a for a, keys in local2.processing().items() if keys and a in before]
            os.kill(before[busy[0]], signal.SIGKILL)
            killed.append(before[busy[0]])

    image = compute_still_on_cluster(local2, PANEL, 8, store=tmp_path / "still.zarr", progress=False,
                                     on_tile=kill_a_busy_worker)
    assert killed
    assert_bitwise(image, in_process(PANEL))
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)


@pytest.mark.parametrize("stop", [signal.SIGINT, pytest.param(signal.SIGKILL, marks=pytest.mark.slow)],
                         ids=["ctrl-c", "killed"])
def test_stopped_client_then_rerun_computes_only_missing_tiles(local2, tmp_path, stop):
    import psutil

    store = tmp_path / "still.zarr"
    x0, x1, y0, y1 = PANEL.window.floats
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
    image = compute_still_on_cluster(local2, PANEL, 8, store=store, progress=False,
                                     on_tile=lambda t, r: computed.append(t))
    assert len(computed) == missing
    assert_bitwise(image, in_process(PANEL))


def _done_tiles(store: Path) -> int:
    """Finished tiles of a store another process is writing (0 while it is being created)."""
    try:
        return int(TileStore.open(store, PANEL_8).done().sum()) if (store / "zarr.json").exists() else 0
    except UsageError:
        return 0


def test_dask_scheduler_and_worker_commands(tmp_path):
    with dask_cli_cluster(tmp_path) as address:
        assert address.startswith("tcp://127.0.0.1:")
        with open_cluster(address, quiet=True, connect_timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.scheduler_info(n_workers=-1)["workers"]) == 2
            image = compute_still_on_cluster(client, VIEW, 16, store=tmp_path / "still.zarr", progress=False,
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
    TileStore.open(tmp_path / "s.zarr", still_grid(VIEW, 16))
    for other in (still_grid(StillSpec(PAPER, VIEW.window, 64, 64), 16),
                  still_grid(StillSpec(QUICK, (-3.0, 6.0, -3.0, 5.0), 64, 64), 16), still_grid(VIEW, 32)):
        with pytest.raises(UsageError, match="holds an image made for other settings") as info:
            TileStore.open(tmp_path / "s.zarr", other)
        assert "\n" not in str(info.value)
    (tmp_path / "plain").mkdir()
    with pytest.raises(UsageError, match="not"):
        TileStore.open(tmp_path / "plain", still_grid(VIEW, 16))


def test_a_store_is_never_written_through_a_link(tmp_path):
    real = tmp_path / "real.zarr"
    TileStore.open(real, still_grid(VIEW, 16))
    (tmp_path / "link.zarr").symlink_to(real)
    (tmp_path / "dangling.zarr").symlink_to(tmp_path / "nowhere")
    for name in ("link.zarr", "dangling.zarr"):
        with pytest.raises(UsageError, match="is a link") as info:
            TileStore.open(tmp_path / name, still_grid(VIEW, 16))
        assert "\n" not in str(info.value)
    assert not (tmp_path / "nowhere").exists()


def test_only_resume_state_is_discarded_and_a_finished_store_reads_back_as_its_still(tmp_path):
    from viz.compute.zarr_store import read_store
    from viz.paper.cluster_still import discard_store, read_still_store

    grid = still_grid(VIEW, 32)
    resume, result = TileStore.open(tmp_path / "r.zarr", grid), TileStore.open(tmp_path / "k.zarr", grid, "result")
    assert (resume.role, result.role) == ("resume", "result")
    assert TileStore.open(tmp_path / "k.zarr", grid).role == "result"  # reopening keeps what it is for
    values = np.arange(64 * 64, dtype=np.float64).reshape(64, 64)
    tiles = grid.tiles()
    for t in tiles[:-1]:
        result.write(t, values[t.slices])
    settings, image, done = read_store(tmp_path / "k.zarr")
    assert settings == grid.as_metadata() and done.sum() == len(tiles) - 1 and np.isnan(image[tiles[-1].slices]).all()
    with pytest.raises(UsageError, match="holds 3 of 4 tiles"):
        read_still_store(tmp_path / "k.zarr")
    result.write(tiles[-1], values[tiles[-1].slices])
    spec, image = read_still_store(tmp_path / "k.zarr")
    assert spec == VIEW and image.tobytes() == values.tobytes()
    discard_store(tmp_path / "k.zarr")
    discard_store(tmp_path / "r.zarr")
    assert (tmp_path / "k.zarr").is_dir() and not (tmp_path / "r.zarr").exists()


def test_tiles_cover_the_image_once_and_axes_are_a_stills():
    cover = np.zeros((24, 40), int)
    for t in tile_grid(24, 40, 16):
        cover[t.slices] += 1
    assert (cover == 1).all()
    grid = still_grid(VIEW, 16)
    sx, sy = VIEW.axes()
    assert grid.xs.tobytes() == sx.tobytes() and grid.ys.tobytes() == sy.tobytes()


def test_a_tile_whose_worker_dies_on_every_try_is_one_line():
    from distributed import KilledWorker

    from viz.compute.tiled import _result

    class Lost:
        def result(self):
            raise KilledWorker("nnfractal-tile-0-0", "tcp://127.0.0.1:1", allowed_failures=3)

    with pytest.raises(UsageError, match="tile 1,2: its worker died on every try") as info:
        _result(Lost(), tile_grid(24, 24, 8)[5])
    assert "\n" not in str(info.value)
