"""The reference notebook's own approach, for `nnfractal bench`: JAX, vmap over pixels, scan over steps.

Optional (`pip install -e '.[jax]'`); imported only by the benchmark. It
computes the same measure as viz.problem.reference so the timings compare like with
like; its numbers are not used anywhere else.
"""
from __future__ import annotations

import numpy as np

from viz.bench.peak import best_seconds
from viz.problem.arrays import Problem
from viz.problem.conditions import Condition


def _build(problem: Problem, condition: Condition):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    n = problem.width
    X, Y = jnp.asarray(problem.X), jnp.asarray(problem.Y)[:, None]
    batches = None if problem.batches is None else jnp.asarray(problem.batches)
    act = {"tanh": lambda z: jnp.tanh(z * jnp.sqrt(2.0)),
           "relu": lambda z: jax.nn.relu(z) * jnp.sqrt(2.0),
           "identity": lambda z: z}[condition.nonlinearity]

    def loss(theta, x, y):
        h = act(jnp.dot(x, theta[0]) / jnp.sqrt(n))
        return jnp.mean((jnp.dot(h, theta[1]) / jnp.sqrt(n) / jnp.sqrt(n) - y) ** 2)

    def run(hx, hy):
        lr0, lr1, offset = (hy, hy, hx) if condition.init_offset else (hx, hy, 0.0)
        w0 = jnp.asarray(problem.W0) + (offset if condition.init_offset == "once" else 0.0)
        theta = (w0, jnp.asarray(problem.W1)[:, None])

        def step(theta, t):
            if condition.init_offset == "accumulate":
                theta = (theta[0] + offset, theta[1])
            if batches is None:
                value, grad = jax.value_and_grad(loss)(theta, X, Y)
            else:
                rows = batches[t]
                value, grad = loss(theta, X, Y), jax.grad(loss)(theta, X[rows], Y[rows])
            return (theta[0] - lr0 * grad[0], theta[1] - lr1 * grad[1]), value

        _, losses = jax.lax.scan(step, theta, jnp.arange(problem.steps))
        losses = jnp.where(jnp.isfinite(losses), losses, 1e6)
        v = jnp.minimum(losses / losses[0], 1e6)
        converged = jnp.mean(v[-20:]) < 1
        return jnp.where(converged, -jnp.sum(v), jnp.sum(1 / v))

    return jax.jit(jax.vmap(run))


def device() -> str:
    """Where JAX runs (its default device: the GPU when jax has CUDA, else the CPU)."""
    import jax

    return jax.devices()[0].platform


def time_jax(problem: Problem, condition: Condition, xs: np.ndarray, ys: np.ndarray, flops: float,
             repeats: int = 1) -> dict:
    """Compile on the batch, then time the fastest of `repeats` runs of it: pixels/s and GFLOP/s."""
    fn = _build(problem, condition)
    fn(xs, ys).block_until_ready()
    seconds = best_seconds(lambda: fn(xs, ys).block_until_ready(), repeats)
    return {"pixels": int(xs.size), "seconds": seconds, "pixels_per_s": xs.size / seconds,
            "gflops": xs.size * flops / seconds / 1e9}
