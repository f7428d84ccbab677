"""The shipped arrays are the paper's: SPEC.md's check values for n = 16."""
import numpy as np
import pytest

from viz.problem.arrays import BATCH_STEPS, load_problem, paper_arrays
from viz.problem.conditions import CONDITIONS


def test_weights_match_spec():
    p = load_problem(CONDITIONS["tanh"], 16, 500)
    np.testing.assert_array_equal(p.W0[0, :3], [1.8020351263179202, 0.5916661076542855, 2.012225912204863])
    np.testing.assert_array_equal(p.W1[:2], [0.481221237167072, 1.4184654277503403])


def test_tanh_data_match_spec():
    p = load_problem(CONDITIONS["tanh"], 16, 500)
    assert p.X.shape == (272, 16) and p.Y.shape == (272,)
    np.testing.assert_array_equal(p.X[0, :2], [0.012877245180492047, 1.016514811780042])
    np.testing.assert_array_equal(p.Y[:2], [-2.3967584431649946, -0.05172164140228051])


def test_minibatch_draws_match_spec():
    p = load_problem(CONDITIONS["minibatch"], 16, 500)
    np.testing.assert_array_equal(
        p.batches[0], [221, 124, 121, 39, 137, 152, 119, 257, 167, 227, 23, 128, 45, 40, 67, 246])
    assert p.batches.shape == (500, 16) and p.batches.min() >= 0 and p.batches.max() < 272


def test_probe_matches_spec():
    p = load_problem(CONDITIONS["tanh"], 16, 500)
    np.testing.assert_allclose(p.probe[:3], [-0.65980418, -0.53111127, 2.84296342], atol=5e-9)


@pytest.mark.parametrize("name,size", [("linear", 16), ("single", 1), ("relu", 272)])
def test_dataset_sizes(name, size):
    assert load_problem(CONDITIONS[name], 16, 500).X.shape == (size, 16)


def test_every_minibatch_length_ships():
    arrays = paper_arrays()
    for n in (8, 16):
        for steps in BATCH_STEPS:
            assert arrays[f"n{n}_D{n * n + n}_minibatch16_steps{steps}"].shape == (steps, 16)


def test_other_seed_draws_fresh_arrays():
    paper = load_problem(CONDITIONS["tanh"], 16, 500)
    other = load_problem(CONDITIONS["tanh"], 16, 500, seed=7)
    assert other.X.shape == paper.X.shape and not np.array_equal(other.W0, paper.W0)
    again = load_problem(CONDITIONS["tanh"], 16, 500, seed=7)
    np.testing.assert_array_equal(other.W0, again.W0)


def test_paper_arrays_refuse_unknown_width():
    with pytest.raises(ValueError, match="width 8 and 16"):
        load_problem(CONDITIONS["tanh"], 12, 500)
