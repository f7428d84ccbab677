"""Video: the zoom path, keyframes and their store, frames, the recorder, the demo and its autopilot."""
