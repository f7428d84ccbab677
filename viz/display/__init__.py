"""Display: shaders found as package resources, the one place that builds programs and the colour
lookup, the renderers, the one render loop and its clocks, the glfw window, the HUD.

Public face (what the other subpackages import from here):
- glwindow: GlWindow
- hud: Hud, Status, hud_lines, warning_line
- live: LiveRenderer
- loop: FixedStep, Offscreen, RealTime, run
- renderer: Renderer, headless_context, read_rgb8
"""
