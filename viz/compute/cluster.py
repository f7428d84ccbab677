"""`--cluster`: where tiles run, on Dask distributed (never a scheduler of our own).

Three forms only: `local` or `local:N` start an embedded LocalCluster of N
worker processes on this machine (default one per core), its scheduler and
dashboard bound to 127.0.0.1; `tcp://HOST:PORT` joins an existing scheduler
(started with `dask scheduler`, its workers with `dask worker`). A worker
is a process with one task slot (Taichi is one runtime per process and not
thread-safe), and the local workers split the cores between them so that
Taichi's own threads do not oversubscribe the machine. Every worker is
probed on connect, so a cluster that cannot run the project fails with one
line before any work is sent.
"""
from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from viz.compute.tiles import ARCH_VARIABLE
from viz.errors import UsageError

#: Seconds allowed to reach a scheduler (and for it to have a worker), so a bad address fails well within 10 s.
CONNECT_TIMEOUT = 4.0
#: Seconds allowed for every worker to import the project and start Taichi.
PROBE_TIMEOUT = 120.0

_LOCAL = re.compile(r"local(?::([0-9]+))?")
_TCP = re.compile(r"tcp://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})")
_FORMS = "--cluster must be local, local:N or tcp://HOST:PORT"
#: What every side of a cluster imports first: the modules the tasks live in (any of their names will do).
_IMPORT_CHECK = "viz.compute.tiled:WRITERS"
_INSTALL = "install the same nnfractal where the scheduler and every worker run"


@dataclass(frozen=True)
class ClusterTarget:
    """A parsed `--cluster`: a local cluster of `workers` processes (None: one per core), or a scheduler's address."""

    workers: int | None = None
    address: str | None = None

    @property
    def local(self) -> bool:
        return self.address is None


def parse_cluster(value: str) -> ClusterTarget:
    """Check a `--cluster` value; anything but the three forms is a UsageError."""
    text = str(value).strip()
    local = _LOCAL.fullmatch(text)
    if local:
        count = local.group(1)
        if count is not None and int(count) < 1:
            raise UsageError(f"{_FORMS} with N >= 1, got {value!r}")
        return ClusterTarget(workers=None if count is None else int(count))
    tcp = _TCP.fullmatch(text)
    if tcp:
        if not 1 <= int(tcp.group(2)) <= 65535:
            raise UsageError(f"{_FORMS}: port out of range in {value!r}")
        return ClusterTarget(address=text)
    raise UsageError(f"{_FORMS}, got {value!r}")


def machine_cores() -> int:
    """The cores this process may use (its affinity, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def local_worker_env(arch: str, workers: int) -> dict[str, str]:
    """The environment of a local worker: its arch, its share of the cores for Taichi, and the project on its path.

    Taichi's banner is off: local workers share the command's stdout, which
    holds its output (dim's report, figure1's table).
    """
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {ARCH_VARIABLE: arch, "TI_CPU_MAX_NUM_THREADS": str(max(1, machine_cores() // workers)),
            "PYTHONPATH": path, "ENABLE_TAICHI_HEADER_PRINT": "False"}


@contextlib.contextmanager
def open_cluster(value: str, arch: str = "auto", quiet: bool = False,
                 connect_timeout: float = CONNECT_TIMEOUT) -> Iterator:
    """A connected, probed dask.distributed Client for a `--cluster` value; everything it started stops on exit.

    `arch` is the arch of a local cluster's workers; a remote worker's arch
    is set where it starts (NNFRACTAL_ARCH in its environment).
    """
    target = parse_cluster(value)
    with contextlib.ExitStack() as stack:
        with _quiet_dask():
            client = stack.enter_context(_local(target.workers, arch) if target.local
                                         else _connect(target.address, connect_timeout))
            infos = probe_workers(client)
        if not quiet:
            print(describe(client, infos), file=sys.stderr, flush=True)
        yield client


def _local(workers: int | None, arch: str):
    """A LocalCluster of worker processes with one task slot each, on 127.0.0.1, and its Client."""
    from viz.compute.process import local_cluster

    workers = workers or machine_cores()
    return local_cluster(workers, local_worker_env(arch, workers))


@contextlib.contextmanager
def _connect(address: str, timeout: float):
    """A Client of the scheduler at `address` that has at least one worker, or one line saying why not."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address} within {timeout:g} s ({_first_line(exc)})") \
            from None
    with client:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            raise UsageError(f"the Dask scheduler at {address} has no workers; "
                             f"start some with `dask worker {address}`") from None
        yield client


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker reported when probed."""

    address: str
    host: str
    arch: str


def probe_task() -> tuple[str, str]:
    """Inside a worker's task slot: start Taichi in float64 on the worker's arch; return (host, arch)."""
    import socket

    import zarr  # noqa: F401  (tiles write into Zarr stores)

    from viz.compute.backend import init_backend
    from viz.compute.tiles import worker_arch

    return socket.gethostname(), init_backend(worker_arch()).arch


def probe_workers(client) -> list[WorkerInfo]:
    """Check that the scheduler and every worker can run the project in float64; anything else is one line."""
    check_imports(client)
    try:
        results = on_every_worker(client, probe_task, timeout=PROBE_TIMEOUT)
    except UsageError as exc:
        raise UsageError(f"a cluster worker cannot run nnfractal: {exc}") from None
    except TimeoutError:
        raise UsageError(f"the cluster's workers did not answer within {PROBE_TIMEOUT:g} s") from None
    except Exception as exc:  # whatever a worker raised while running the probe
        raise UsageError(f"the cluster cannot run nnfractal ({_describe(exc)}); {_INSTALL}") from None
    return [WorkerInfo(address, host, arch) for address, (host, arch) in results.items()]


def check_imports(client) -> None:
    """Import the task modules on the scheduler and on each worker, by name, before any task is sent.

    Dask's scheduler unpickles tasks, and a worker that cannot unpickle one
    drops out of the cluster (the task then waits forever), so the import is
    tried first through a standard-library function that every side has.
    """
    import pkgutil

    try:
        client.run_on_scheduler(pkgutil.resolve_name, _IMPORT_CHECK)
    except Exception as exc:
        raise UsageError(f"the Dask scheduler cannot import nnfractal ({_describe(exc)}); {_INSTALL}") from None
    results = client.run(pkgutil.resolve_name, _IMPORT_CHECK, on_error="return")
    failed = {a: r for a, r in results.items() if isinstance(r, BaseException)}
    if failed:
        address, exc = sorted(failed.items())[0]
        raise UsageError(f"{len(failed)} of {len(results)} cluster workers cannot import nnfractal "
                         f"({address}: {_describe(exc)}); {_INSTALL}")


def on_every_worker(client, func: Callable, *args, timeout: float | None = None) -> dict:
    """Run func(*args) once as a task on each worker (in its task slot, where Taichi lives): {address: result}."""
    addresses = sorted(client.scheduler_info(n_workers=-1)["workers"])
    futures = {a: client.submit(func, *args, workers=[a], allow_other_workers=False, pure=False)
               for a in addresses}
    from distributed import wait

    wait(list(futures.values()), timeout=timeout)
    return dict(zip(futures, client.gather(list(futures.values()))))


def describe(client, infos: list[WorkerInfo]) -> str:
    """One line: workers and their arches, the scheduler, the dashboard."""
    arches = sorted({i.arch for i in infos})
    counts = ", ".join(f"{sum(i.arch == a for i in infos)} {a}" for a in arches)
    return (f"cluster: {len(infos)} worker{'s' if len(infos) != 1 else ''} ({counts}) at {client.scheduler.address}; "
            f"dashboard {client.dashboard_link}")


def _describe(exc: BaseException) -> str:
    """The innermost exception of a chain (Dask wraps an unpickling error in a RuntimeError), on one line."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@contextlib.contextmanager
def _quiet_dask():
    """Keep distributed's own log lines off stderr while connecting (its failures become our one line)."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.client", "distributed.comm")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
