"""Shader files are found by name, their includes spliced with #line and Python's defines put in.

The GL tests build real programs on the headless context, so that an error's file:line is Mesa's own.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from viz.display.shaders import LINE_BLOCK, ShaderCompileError, ShaderNotFoundError, shader_dir, shader_source


def test_missing_shader_names_the_file(tmp_path):
    with pytest.raises(ShaderNotFoundError, match="nowhere.frag.glsl") as caught:
        shader_source("nowhere.frag.glsl", tmp_path)
    assert isinstance(caught.value, FileNotFoundError)
    assert str(tmp_path) in str(caught.value)


def test_missing_include_names_both_files(tmp_path):
    (tmp_path / "main.glsl").write_text('#version 330 core\n#include "lost.glsl"\n')
    with pytest.raises(ShaderNotFoundError, match=r"lost\.glsl.*included from main\.glsl"):
        shader_source("main.glsl", tmp_path)


def test_includes_are_spliced_in_place_with_line_numbers(tmp_path):
    (tmp_path / "main.glsl").write_text('#version 330 core\n  #include "lib.glsl"\nvoid main() {}\n')
    (tmp_path / "lib.glsl").write_text('#include "leaf.glsl"\nfloat f() { return g(); }\n')
    (tmp_path / "leaf.glsl").write_text("float g() { return 1.0; }\n")
    source = shader_source("main.glsl", tmp_path)
    assert source.text == (
        "#version 330 core\n#line 10001\n#line 20001\nfloat g() { return 1.0; }\n#line 10002\n"
        "float f() { return g(); }\n#line 3\nvoid main() {}\n"
    )
    assert source.files == {0: "main.glsl", 1: "lib.glsl", 2: "leaf.glsl"}
    assert source.origin(3) == ("main.glsl", 3) and source.origin(20001) == ("leaf.glsl", 1)
    assert source.origin(3 * LINE_BLOCK + 1) is None


def test_defines_follow_the_version_and_keep_the_numbering(tmp_path):
    (tmp_path / "main.glsl").write_text("#version 330 core\nfloat x = N;\n")
    source = shader_source("main.glsl", tmp_path, {"N": "2.0", "M": 3}, first=4)
    assert source.text == "#version 330 core\n#define N 2.0\n#define M 3\n#line 40002\nfloat x = N;\n"
    assert source.files == {4: "main.glsl"} and source.origin(40002) == ("main.glsl", 2)


def test_a_gl_log_is_explained_by_file_and_line(tmp_path):
    (tmp_path / "main.glsl").write_text('#version 330 core\n#include "lib.glsl"\n')
    (tmp_path / "lib.glsl").write_text("a\nb\n")
    source = shader_source("main.glsl", tmp_path)
    log = "0:10002(7): error: `b' undeclared\n0:2(1): warning: x\n0(10001) : error C0000: y\n0:90001(1): other\n"
    assert source.explain(log) == (
        "lib.glsl:2:7: error: `b' undeclared\nmain.glsl:2:1: warning: x\nlib.glsl:1 : error C0000: y\n"
        "0:90001(1): other\n"
    )


def test_include_cycle_is_reported(tmp_path):
    (tmp_path / "a.glsl").write_text('#include "b.glsl"\n')
    (tmp_path / "b.glsl").write_text('#include "a.glsl"\n')
    with pytest.raises(ValueError, match="a.glsl -> b.glsl -> a.glsl"):
        shader_source("a.glsl", tmp_path)


STAGES = ["fullscreen.vert.glsl", "explore.frag.glsl", "zoom_frame.frag.glsl", "fade.frag.glsl",
          "upscale.frag.glsl"]


@pytest.mark.parametrize("name", STAGES)
def test_shipped_stages_expand_fully(name):
    source = shader_source(name).text
    assert source.startswith("#version 330 core\n")
    directives = [line.split()[0] for line in source.splitlines() if line.lstrip().startswith("#")]
    assert "#include" not in directives
    assert directives.count("#version") == 1


@pytest.mark.parametrize("name", STAGES[1:])
def test_shipped_programs_build(ctx, name):
    from viz.colour.scale import colour_defines
    from viz.display.programs import build_program

    build_program(ctx, name, colour_defines()).release()


def test_a_broken_include_is_reported_at_its_file_and_line(ctx, tmp_path):
    from viz.display.programs import build_program

    (tmp_path / "fullscreen.vert.glsl").write_text((shader_dir() / "fullscreen.vert.glsl").read_text())
    (tmp_path / "main.frag.glsl").write_text(
        '#version 330 core\n#include "good.glsl"\nout vec4 c;\n#include "broken.glsl"\n'
        "void main() { c = vec4(f() + g() + N, 1.0, 1.0, 1.0); }\n")
    (tmp_path / "good.glsl").write_text("// fine\nfloat f() { return 1.0; }\n")
    (tmp_path / "broken.glsl").write_text("// a comment\n\nfloat g() { return nope; }\n")
    with pytest.raises(ShaderCompileError, match=r"broken\.glsl:3:\d+: error: `nope' undeclared") as caught:
        build_program(ctx, "main.frag.glsl", {"N": "2.0"}, directory=tmp_path)
    assert "main.frag.glsl" in str(caught.value).splitlines()[0]
    (tmp_path / "broken.glsl").write_text("float g() { return 1.0; }\n")
    (tmp_path / "main.frag.glsl").write_text(
        (tmp_path / "main.frag.glsl").read_text().replace("void main", "float h() { return missing; }\nvoid main"))
    with pytest.raises(ShaderCompileError, match=r"main\.frag\.glsl:5:\d+: error: `missing' undeclared"):
        build_program(ctx, "main.frag.glsl", {"N": "2.0"}, directory=tmp_path)
    (tmp_path / "broken.vert.glsl").write_text("#version 330 core\nvoid main() { gl_Position = vec4(lost); }\n")
    with pytest.raises(ShaderCompileError, match=r"broken\.vert\.glsl:2:\d+: error: `lost' undeclared"):
        build_program(ctx, "main.frag.glsl", {"N": "2.0"}, directory=tmp_path, vertex="broken.vert.glsl")


def test_the_explorer_shader_takes_its_constants_from_python():
    from viz.colour.scale import colour_defines

    text = (shader_dir() / "explore.frag.glsl").read_text()
    assert not [line for line in text.splitlines() if line.lstrip().startswith("#define")]
    assert "0.25" not in text and "0.75" not in text
    assert set(colour_defines()) == {"KNOTS", "PALE_BAND"}
    assert "#define KNOTS 64\n#define PALE_BAND 0.25\n" in shader_source("explore.frag.glsl", None,
                                                                         colour_defines()).text


def test_every_shader_file_is_used():
    """Each .glsl file is a stage some module loads, or is included by one."""
    package = Path(__file__).resolve().parent.parent / "viz"
    code = "".join(path.read_text() for path in package.rglob("*.py"))
    stages = set(re.findall(r'(?:VERTEX = |fullscreen\()"([\w.]+\.glsl)"', code))
    assert stages == set(STAGES)
    expanded = "".join(shader_source(name).text for name in stages)
    for path in shader_dir().iterdir():
        if not path.name.endswith(".glsl"):
            continue
        assert path.name in stages or path.read_text() in expanded, f"{path.name} is never included"
