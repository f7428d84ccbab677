"""Display: shaders found as package resources, the renderers, the glfw window, the HUD."""
