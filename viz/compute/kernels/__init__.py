"""The Taichi training kernels (per-pixel and lockstep on the CPU, lanes on CUDA) and the parts they share."""
