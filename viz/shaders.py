"""Find GLSL sources in shaders/ by name and expand their #include lines.

Shaders live in .glsl files so that editors and linters see real GLSL; GLSL
itself has no #include, so the one piece of code both fragment stages share
(the Spectral lookup) is spliced in here. Pure text work: no GL context.
"""
from __future__ import annotations

import re
from pathlib import Path

#: Where the project's .glsl files live (the repository's shaders/ folder).
SHADER_DIR = Path(__file__).resolve().parent.parent / "shaders"

_INCLUDE = re.compile(r'^[ \t]*#include[ \t]+"([^"]+)"[ \t]*$', re.MULTILINE)


class ShaderNotFoundError(FileNotFoundError):
    """A shader file (or a file it includes) is not where it should be."""


def shader_source(name: str, directory: Path = SHADER_DIR) -> str:
    """The text of `directory/name`, with each `#include "other.glsl"` replaced by that file."""
    return _expand(name, Path(directory), ())


def _expand(name: str, directory: Path, chain: tuple[str, ...]) -> str:
    if name in chain:
        raise ValueError(f"shader include cycle: {' -> '.join(chain + (name,))}")
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        via = f" (included from {chain[-1]})" if chain else ""
        raise ShaderNotFoundError(f"shader file not found: {path}{via}") from None
    return _INCLUDE.sub(lambda m: _expand(m.group(1), directory, chain + (name,)), text)
