"""Video: the zoom path, keyframes and their store, frames and their encode, the recorder, the demo and its pilot."""
