"""Display: shaders found as package resources, the one place that builds programs and the colour
lookup, the renderers, the one render loop and its clocks, the glfw window, the HUD."""
