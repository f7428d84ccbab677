"""While the engine's kernel builds, the NumPy reference answers the explorer's batches (issue 27)."""
import time
from concurrent.futures import Future

import numpy as np

from viz.compute.warming import REFERENCE, WarmingExecutor
from viz.problem import reference
from viz.problem.arrays import load_problem
from viz.problem.conditions import CONDITIONS
from viz.problem.spec import ProblemSpec

QUICK = ProblemSpec("tanh", 8, 100)


class BuildingEngine:
    """An engine process stuck building its kernel: its Futures finish only when the test says so."""

    workers = 1
    builds: list[int] = []

    def __init__(self):
        self.kernel = (8, True)
        self.submitted: list[Future] = []
        self.closed = False

    def started(self):
        return "cpu"

    def submit(self, spec, xs, ys):
        future = Future()
        self.submitted.append(future)
        return future

    def cancel(self, futures):
        for future in futures:
            future.cancel()

    def close(self):
        self.closed = True


def test_while_the_kernel_builds_the_reference_draws_and_then_the_engine_takes_over():
    engine = BuildingEngine()
    warm = WarmingExecutor(engine)
    assert warm.workers == 1 and warm.started() == REFERENCE
    xs, ys = 10.0 ** np.linspace(-3, 6, 16), 10.0 ** np.linspace(6, -3, 16)
    second = warm.submit(QUICK, xs, ys)  # the reference answers; one pixel primes the engine (builds its kernel)
    assert len(engine.submitted) == 1
    first = engine.submitted[0]
    queued = warm.submit(QUICK, xs, ys)  # still warming: the reference again (queued behind the first)
    values = second.result(timeout=30).values
    problem = load_problem(CONDITIONS["tanh"], 8, 100)
    want = reference.measure(problem, CONDITIONS["tanh"], xs, ys)
    np.testing.assert_array_equal(values, want)
    assert len(engine.submitted) == 1 and np.array_equal(queued.result(timeout=30).values, want)
    assert (values > 0).any() and (values < 0).any()  # both colours from the reference alone
    engine.kernel = None
    first.set_result(object())  # the engine's first answer: its kernel is in
    assert warm.workers == 1 and warm.started() == "cpu"
    third = warm.submit(QUICK, xs, ys)
    assert engine.submitted[-1] is third
    warm.close()
    assert engine.closed


def test_a_double_double_batch_waits_for_the_engine():
    engine = BuildingEngine()
    warm = WarmingExecutor(engine)
    dd = warm.submit(ProblemSpec("tanh", 8, 100, precision="dd"), np.ones(2), np.ones(2))
    time.sleep(0.1)
    assert engine.submitted == [dd]
    warm.close()


def test_a_problem_with_a_kernel_not_yet_run_warms_again():
    from viz.problem.experiment import Experiment

    engine = BuildingEngine()
    warm = WarmingExecutor(engine)
    xs = ys = np.ones(4)
    warm.submit(QUICK, xs, ys).result(timeout=30)
    engine.submitted[0].set_result(object())  # gd's kernel is in
    warm.submit(QUICK, xs, ys)
    assert warm.started() == "cpu" and len(engine.submitted) == 2
    adam = ProblemSpec("tanh", 8, 100, experiment=Experiment("adam"))
    drawn = warm.submit(adam, xs, ys)  # adam's kernel is not built: the reference draws, one pixel primes it
    assert warm.started() == REFERENCE and len(engine.submitted) == 3 and drawn not in engine.submitted
    assert drawn.result(timeout=30).values.shape == (4,)
    warm.close()
