"""Video: the zoom path, keyframes and their store, frames, their offline encode, the recorder, the demo and its autopilot."""
