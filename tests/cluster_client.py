"""A client process for tests/test_cluster.py: compute a still on a cluster into a Zarr store, so it can be stopped.

Usage: python tests/cluster_client.py CLUSTER STORE CONDITION WIDTH STEPS X0 X1 Y0 Y1 COLS ROWS TILE
"""
import sys

from viz.compute.cluster import open_cluster
from viz.paper.cluster_still import compute_still_on_cluster
from viz.paper.stills import StillSpec
from viz.problem.spec import ProblemSpec


def main(argv: list[str]) -> None:
    cluster, store, condition, width, steps, *rest = argv
    window = tuple(float(v) for v in rest[:4])
    cols, rows, tile = (int(v) for v in rest[4:])
    spec = StillSpec(ProblemSpec(condition, int(width), int(steps)), window, cols, rows)
    with open_cluster(cluster, arch="cpu", quiet=True) as client:
        compute_still_on_cluster(client, spec, tile, store=store, progress=False)
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
