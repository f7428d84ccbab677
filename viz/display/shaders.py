"""Find GLSL sources by name and expand their #include lines.

Shaders live in .glsl files (the project's top-level shaders/ folder, shipped
inside the wheel as the package data `viz.shaders`) so that editors and
linters see real GLSL; GLSL itself has no #include, so the one piece of code
both fragment stages share (the Spectral lookup) is spliced in here. Pure
text work: no GL context.
"""
from __future__ import annotations

import re
from importlib import resources
from importlib.abc import Traversable

#: The package that holds the .glsl files.
SHADER_PACKAGE = "viz.shaders"

_INCLUDE = re.compile(r'^[ \t]*#include[ \t]+"([^"]+)"[ \t]*$', re.MULTILINE)


class ShaderNotFoundError(FileNotFoundError):
    """A shader file (or a file it includes) is not where it should be."""


def shader_dir() -> Traversable:
    """Where the shipped .glsl files are, installed or in a checkout alike."""
    return resources.files(SHADER_PACKAGE)


def shader_source(name: str, directory: Traversable | None = None) -> str:
    """The text of `directory/name`, with each `#include "other.glsl"` replaced by that file."""
    return _expand(name, shader_dir() if directory is None else directory, ())


def _expand(name: str, directory: Traversable, chain: tuple[str, ...]) -> str:
    if name in chain:
        raise ValueError(f"shader include cycle: {' -> '.join(chain + (name,))}")
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        via = f" (included from {chain[-1]})" if chain else ""
        raise ShaderNotFoundError(f"shader file not found: {path}{via}") from None
    return _INCLUDE.sub(lambda m: _expand(m.group(1), directory, chain + (name,)), text)
