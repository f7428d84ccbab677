"""Opening a glfw window with an OpenGL 3.3 core context: shared by `explore` and `demo`.

No display is bad input for a windowed command, so it is one UsageError line.
"""
from __future__ import annotations

import glfw

from viz.errors import UsageError


def open_window(size: tuple[int, int], title: str, fullscreen: bool, vsync: bool):
    """A glfw window with an OpenGL 3.3 core context; UsageError (one line) where there is no display."""
    glfw.ERROR_REPORTING = "raise"
    try:
        if not glfw.init():
            raise UsageError("cannot open a window: glfw could not start (is there a display?)")
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, 3)
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, 3)
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, True)
        monitor = glfw.get_primary_monitor() if fullscreen else None
        if monitor is not None:
            mode = glfw.get_video_mode(monitor)
            size = (mode.size.width, mode.size.height)
        window = glfw.create_window(size[0], size[1], title, monitor, None)
    except glfw.GLFWError as exc:
        glfw.terminate()
        text = str(exc).splitlines()[0]
        raise UsageError(f"cannot open a window (no display? run under X or Xvfb): {text}") from None
    glfw.make_context_current(window)
    glfw.swap_interval(1 if vsync else 0)
    return window
