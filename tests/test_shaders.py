"""Shader files are found by name and their includes expanded, with no GL context."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from viz.display.shaders import ShaderNotFoundError, shader_dir, shader_source


def test_missing_shader_names_the_file(tmp_path):
    with pytest.raises(ShaderNotFoundError, match="nowhere.frag.glsl") as caught:
        shader_source("nowhere.frag.glsl", tmp_path)
    assert isinstance(caught.value, FileNotFoundError)
    assert str(tmp_path) in str(caught.value)


def test_missing_include_names_both_files(tmp_path):
    (tmp_path / "main.glsl").write_text('#version 330 core\n#include "lost.glsl"\n')
    with pytest.raises(ShaderNotFoundError, match=r"lost\.glsl.*included from main\.glsl"):
        shader_source("main.glsl", tmp_path)


def test_includes_are_spliced_in_place(tmp_path):
    (tmp_path / "main.glsl").write_text('#version 330 core\n  #include "lib.glsl"\nvoid main() {}\n')
    (tmp_path / "lib.glsl").write_text('#include "leaf.glsl"\nfloat f() { return g(); }\n')
    (tmp_path / "leaf.glsl").write_text("float g() { return 1.0; }\n")
    assert shader_source("main.glsl", tmp_path) == (
        "#version 330 core\nfloat g() { return 1.0; }\n\nfloat f() { return g(); }\n\nvoid main() {}\n"
    )


def test_include_cycle_is_reported(tmp_path):
    (tmp_path / "a.glsl").write_text('#include "b.glsl"\n')
    (tmp_path / "b.glsl").write_text('#include "a.glsl"\n')
    with pytest.raises(ValueError, match="a.glsl -> b.glsl -> a.glsl"):
        shader_source("a.glsl", tmp_path)


@pytest.mark.parametrize("name", ["fullscreen.vert.glsl", "levels.frag.glsl", "zoom_frame.frag.glsl"])
def test_shipped_stages_expand_fully(name):
    source = shader_source(name)
    assert source.startswith("#version 330 core\n")
    directives = [line.split()[0] for line in source.splitlines() if line.lstrip().startswith("#")]
    assert "#include" not in directives
    assert directives.count("#version") == 1


def test_every_shader_file_is_used():
    """Each .glsl file is a stage some module loads, or is included by one."""
    package = Path(__file__).resolve().parent.parent / "viz"
    code = "".join(path.read_text() for path in package.rglob("*.py"))
    stages = set(re.findall(r'(?:shader_source|fullscreen)\("([\w.]+\.glsl)"', code))
    assert {"fullscreen.vert.glsl", "levels.frag.glsl", "zoom_frame.frag.glsl"} <= stages
    expanded = "".join(shader_source(name) for name in stages)
    for path in shader_dir().iterdir():
        if not path.name.endswith(".glsl"):
            continue
        assert path.name in stages or path.read_text() in expanded, f"{path.name} is never included"
