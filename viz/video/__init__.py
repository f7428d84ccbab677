"""Video: the zoom path, keyframes and their store, frames and their encode, the recorder, the demo and its pilot.

Public face (what the other subpackages import from here):
- demo: LivePlayer, Player, run_demo
- encode: encode_zoom
- fill: compute_keyframes, compute_keyframes_on_cluster
- frames: ZoomFrames
- keyframes: KeyframeSpec, KeyframeStore, check_spec, level_for_width, outer_level, with_precision, zoom_levels
- recorder: Recorder
"""
