"""The backend object: Taichi starts once per process, and a later init_backend reports that runtime."""
import pytest

from viz.compute import backend as backend_module
from viz.compute.backend import init_backend
from viz.errors import UsageError


def test_a_second_init_returns_the_running_arch(engine_backend):
    again = init_backend("auto")
    assert again.arch == engine_backend.arch
    assert init_backend(engine_backend.arch).arch == engine_backend.arch


def test_another_arch_in_the_same_process_is_refused(engine_backend, monkeypatch):
    other = "cuda" if engine_backend.arch == "cpu" else "cpu"
    monkeypatch.setattr(backend_module, "cuda_available", lambda: True)
    with pytest.raises(UsageError, match=f"already runs on {engine_backend.arch}; cannot switch to {other}"):
        init_backend(other)


def test_an_unknown_arch_is_refused():
    with pytest.raises(UsageError, match="unknown --arch"):
        init_backend("opengl")


def test_a_backend_builds_each_width_once(engine_backend):
    kernel = engine_backend.kernel(8)
    assert engine_backend.kernel(8) is kernel and 8 in engine_backend.kernels
