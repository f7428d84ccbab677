"""The one glfw window with an OpenGL 3.3 core context: opened, polled, swapped and closed here for every caller.

No display is bad input for a windowed command, so it is one UsageError line.
"""
from __future__ import annotations

import glfw

from viz.errors import UsageError


def _open(size: tuple[int, int], title: str, fullscreen: bool):
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
        return glfw.create_window(size[0], size[1], title, monitor, None)
    except glfw.GLFWError as exc:
        glfw.terminate()
        text = str(exc).splitlines()[0]
        raise UsageError(f"cannot open a window (no display? run under X or Xvfb): {text}") from None


class GlWindow:
    """A window the render loop (viz.display.loop.run) polls and swaps; `handle` is glfw's, for callbacks."""

    def __init__(self, size: tuple[int, int], title: str, fullscreen: bool = False, vsync: bool = True) -> None:
        self.handle = _open(size, title, fullscreen)
        glfw.make_context_current(self.handle)
        glfw.swap_interval(1 if vsync else 0)
        self._windowed = (0, 0, *size)  # where leaving fullscreen goes

    @property
    def should_close(self) -> bool:
        """True once the close button was pressed or `close_soon` was called."""
        return glfw.window_should_close(self.handle)

    def close_soon(self) -> None:
        glfw.set_window_should_close(self.handle, True)

    def poll(self) -> None:
        glfw.poll_events()

    def wait(self, seconds: float) -> None:
        """Spend spare time waiting for input, so that an event still wakes the loop."""
        glfw.wait_events_timeout(seconds)

    def swap(self) -> None:
        glfw.swap_buffers(self.handle)

    @property
    def framebuffer_size(self) -> tuple[int, int]:
        return glfw.get_framebuffer_size(self.handle)

    @property
    def size(self) -> tuple[int, int]:
        """The window's size in screen units (events come in these)."""
        return glfw.get_window_size(self.handle)

    @property
    def refresh_rate(self) -> int:
        """The monitor's refresh rate when fullscreen, else 0 (unknown)."""
        monitor = glfw.get_window_monitor(self.handle)
        return glfw.get_video_mode(monitor).refresh_rate if monitor else 0

    def toggle_fullscreen(self) -> None:
        """Fullscreen on the primary monitor, or back to the window it was."""
        if glfw.get_window_monitor(self.handle):
            x, y, w, h = self._windowed
            glfw.set_window_monitor(self.handle, None, x, y, w, h, 0)
            return
        self._windowed = (*glfw.get_window_pos(self.handle), *glfw.get_window_size(self.handle))
        monitor = glfw.get_primary_monitor()
        mode = glfw.get_video_mode(monitor)
        glfw.set_window_monitor(self.handle, monitor, 0, 0, mode.size.width, mode.size.height, mode.refresh_rate)

    def close(self) -> None:
        glfw.destroy_window(self.handle)
        glfw.terminate()
