"""Find GLSL sources by name, splice their #include lines and put Python's defines in, keeping line numbers.

Shaders live in .glsl files (the project's top-level shaders/ folder, shipped
inside the wheel as the package data `viz.shaders`) so that editors and
linters see real GLSL; GLSL itself has no #include, so the pieces the
fragment stages share (the Spectral lookup, the cell lookup) are spliced in
here, and the constants Python owns (the colour table's size, the pale band)
come in as #define lines after #version.

So that a compile error still points at the right file and line, each
spliced file k is numbered with `#line k * LINE_BLOCK + n`: the GL log's
line number alone says which file (Mesa's source-string number, the other
`#line` form, is not kept on every error it reports). `ShaderSource.explain`
turns a GL log's numbers back into `file:line`. Pure text work: no GL context.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable

#: The package that holds the .glsl files.
SHADER_PACKAGE = "viz.shaders"
#: Lines set aside for each spliced file: file k's line n is GL line k * LINE_BLOCK + n.
LINE_BLOCK = 10000

_INCLUDE = re.compile(r'^[ \t]*#include[ \t]+"([^"]+)"[ \t]*$')
_VERSION = re.compile(r"^[ \t]*#version\b")
#: Where a GL log names a place: Mesa's `string:line(column)` and NVIDIA's `string(line)`.
_LOCATION = re.compile(r"\b\d+:(\d+)\((\d+)\)|\b\d+\((\d+)\)")


class ShaderNotFoundError(FileNotFoundError):
    """A shader file (or a file it includes) is not where it should be."""


class ShaderCompileError(RuntimeError):
    """GL refused a program; the message names each error by file:line."""


@dataclass(frozen=True)
class ShaderSource:
    """A stage's spliced text and its files: `files[k]` is the file numbered from k * LINE_BLOCK."""

    text: str
    files: Mapping[int, str]

    def origin(self, line: int) -> tuple[str, int] | None:
        """The (file, line) a GL line number came from; None where it is not one of this source's."""
        name = self.files.get(line // LINE_BLOCK)
        return None if name is None else (name, line % LINE_BLOCK)

    def explain(self, log: str) -> str:
        """A GL log with each of this source's places written as `file:line[:column]`."""
        def place(match: re.Match) -> str:
            line, column = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), None)
            found = self.origin(int(line))
            if found is None:
                return match.group(0)
            return f"{found[0]}:{found[1]}" + ("" if column is None else f":{column}")
        return _LOCATION.sub(place, log)


def shader_dir() -> Traversable:
    """Where the shipped .glsl files are, installed or in a checkout alike."""
    return resources.files(SHADER_PACKAGE)


def shader_source(name: str, directory: Traversable | None = None, defines: Mapping[str, object] | None = None,
                  first: int = 0) -> ShaderSource:
    """`directory/name` with each `#include "other.glsl"` spliced in and `defines` after its #version.

    Files are numbered from `first`, so that two stages of one program
    (numbered apart) can both be explained from one log.
    """
    files: dict[int, str] = {}
    lines = _expand(name, shader_dir() if directory is None else directory, (), files, first)
    head = [f"#define {key} {value}" for key, value in (defines or {}).items()]
    if head or first:
        at = 1 if lines and _VERSION.match(lines[0]) else 0
        lines[at:at] = [*head, f"#line {first * LINE_BLOCK + at + 1}"]
    return ShaderSource("".join(line + "\n" for line in lines), files)


def _expand(name: str, directory: Traversable, chain: tuple[str, ...], files: dict[int, str],
            first: int) -> list[str]:
    if name in chain:
        raise ValueError(f"shader include cycle: {' -> '.join(chain + (name,))}")
    path = directory / name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        via = f" (included from {chain[-1]})" if chain else ""
        raise ShaderNotFoundError(f"shader file not found: {path}{via}") from None
    number = first + len(files)
    files[number] = name
    source = text.splitlines()
    if len(source) >= LINE_BLOCK:
        raise ValueError(f"shader file {name} has {len(source)} lines, more than #line numbering allows")
    out = [f"#line {number * LINE_BLOCK + 1}"] if chain else []  # the top file's is set after its #version
    for n, line in enumerate(source, start=1):
        include = _INCLUDE.match(line)
        if include is None:
            out.append(line)
            continue
        out += _expand(include.group(1), directory, chain + (name,), files, first)
        out.append(f"#line {number * LINE_BLOCK + n + 1}")
    return out
