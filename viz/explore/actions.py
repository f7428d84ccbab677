"""The explorer's one action table: each row's keys drive the window and its words are the `?` help.

As in XaoS's ui_helper, an action is a key, a label and a handler on the
session; the window looks keys up here and the help overlay is written from
here, so the two cannot disagree. Keys are glfw key names without "KEY_"
(the window turns them into codes), or typed characters for `chars`. Rows
with no keys are the pointer's gestures, which the window handles itself.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: Conditions on keys 1-6, in the paper's Figure 1 order.
CONDITION_KEYS = ("tanh", "relu", "linear", "minibatch", "single", "init")
#: Magnification per +/- or PageUp/PageDown press.
KEY_ZOOM = 2.0
#: Share of the window an arrow key pans.
ARROW_PAN = 0.1


@dataclass(frozen=True)
class Action:
    """Keys (glfw names), typed characters, the help's label and words, and what a press does.

    repeat: a held key repeats the action. release: what letting go does (held zoom).
    """

    label: str
    what: str
    press: Callable | None = None
    keys: tuple[str, ...] = ()
    chars: tuple[str, ...] = ()
    repeat: bool = False
    release: Callable | None = None


ACTIONS = (
    Action("wheel", "zoom about the cursor"),
    Action("left drag", "pan"),
    Action("+ / -, PgUp / PgDn", "zoom about the centre",
           lambda s, key: s.zoom_by(KEY_ZOOM if key in ("EQUAL", "KP_ADD", "PAGE_UP") else 1 / KEY_ZOOM),
           ("EQUAL", "KP_ADD", "PAGE_UP", "MINUS", "KP_SUBTRACT", "PAGE_DOWN"), repeat=True),
    Action("arrows", "pan", lambda s, key: s.arrow(*{"LEFT": (-1, 0), "RIGHT": (1, 0), "UP": (0, 1),
                                                     "DOWN": (0, -1)}[key]),
           ("LEFT", "RIGHT", "UP", "DOWN"), repeat=True),
    Action("hold Z / X", "zoom in / out continuously", lambda s, key: s.pointer.hold_zoom(key == "Z"),
           ("Z", "X"), release=lambda s, key: s.pointer.release_zoom(key == "Z")),
    Action("1-6", "condition: tanh, ReLU, linear, minibatch, dataset 1, init (one colour: goes home)",
           lambda s, key: s.select(condition=CONDITION_KEYS[int(key) - 1]),
           tuple(str(n + 1) for n in range(len(CONDITION_KEYS)))),
    Action("P", "switch preset", lambda s, _: s.next_preset(), ("P",)),
    Action("O", "optimizer: gd, momentum, nesterov, adam, adamw (one colour: goes home)",
           lambda s, _: s.next_optimizer(), ("O",)),
    Action("D", "precision: auto (double-double past float64) / float64 / double-double",
           lambda s, _: s.cycle_precision(), ("D",)),
    Action("F / F11", "fullscreen", lambda s, _: s.window_request("fullscreen"), ("F", "F11")),
    Action("R", "home: where this condition's boundary shows at this preset", lambda s, _: s.reset(), ("R",)),
    Action("N / Tab", "zoom in on the boundary nearest the centre", lambda s, _: s.seek_boundary(), ("N", "TAB")),
    Action("S", "screenshot PNG (view in its text) into recordings/", lambda s, _: s.files.screenshot(), ("S",)),
    Action("B", "save a bookmark", lambda s, _: s.files.bookmark(), ("B",)),
    Action("V", "start / stop recording MP4 into recordings/", lambda s, _: s.files.toggle_recording(), ("V",)),
    Action("H", "hide the HUD", lambda s, _: s.toggle("show_hud"), ("H",)),
    Action("?", "this help", lambda s, _: s.toggle("show_help"), ("F1",), chars=("?",)),
    Action("Esc / Q", "quit", lambda s, _: s.quit(), ("ESCAPE", "Q")),
)


def by_key(actions: tuple[Action, ...] = ACTIONS) -> dict[str, Action]:
    """Each key name's action."""
    return {key: action for action in actions for key in action.keys}


def by_char(actions: tuple[Action, ...] = ACTIONS) -> dict[str, Action]:
    """Each typed character's action."""
    return {char: action for action in actions for char in action.chars}


def help_lines(actions: tuple[Action, ...] = ACTIONS) -> list[str]:
    """The key list for the `?` overlay, from the table."""
    width = max(len(action.label) for action in actions)
    return [f"{action.label:<{width}}  {action.what}" for action in actions]
