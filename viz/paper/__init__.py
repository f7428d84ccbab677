"""The paper's artefacts: stills at its own pixel centres, Figure 1, the box-counting dimension.

Public face (what the other subpackages import from here):
- cluster_still: compute_still_on_cluster, read_still_store (a still in tiles on a Dask cluster, its store)
- dim_report: dimension_report
- figure1_build: build_figure1
- still_file: write_still
- stills: StillSpec
"""
