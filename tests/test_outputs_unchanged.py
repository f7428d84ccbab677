"""The regrouping of viz/ (issue 13) changed no number: render's .npy bytes of the six Figure 1 panels.

The hashes were recorded with `nnfractal render --panel P --res 24 --out P.npy`
on the flat layout, just before the move (commit 3846917).
"""
import hashlib

import pytest

from viz.cli.app import main

BEFORE_THE_MOVE = {
    "init": "6465202244d706eac74c8e49c07f9dd89e6bb07746359ebed2f7e7e971d24118",
    "linear": "c59a30bd41bb4ecc89264b928f73a72ccdb40c9bc927a26de2f2e06c7c3334db",
    "minibatch": "19a84e8d18b150f8eca7d61d290708e219117ca8c55586f2c848cf2ecebb4129",
    "relu": "dbd9c5093978fcd35967b30fe153bf3050bca5cdc2f36ee3953d4c79f3d33cf5",
    "single": "c7770ee377f01fcd1f58d3ec673667b8d69a0b587b7d82fa6c06e2923bbd271d",
    "tanh": "6f11aaf6b227d0032f11dacda19ac5a4f016459c49baa827930d2441a0ba46d6",
}


@pytest.mark.parametrize("panel", sorted(BEFORE_THE_MOVE))
def test_render_writes_the_same_bytes_as_before_the_move(panel, tmp_path, engine_arch):
    if engine_arch != "cpu":
        pytest.skip("the hashes were recorded with the CPU kernels")
    out = tmp_path / f"{panel}.npy"
    assert main(["render", "--panel", panel, "--res", "24", "--arch", "cpu", "--quiet", "--out", str(out)]) == 0
    assert hashlib.sha256(out.read_bytes()).hexdigest() == BEFORE_THE_MOVE[panel]
