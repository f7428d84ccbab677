"""The house's shape (issue 22): one place starts a process, no class past what one person can hold."""
import ast
import re
from pathlib import Path

VIZ = Path(__file__).resolve().parents[1] / "viz"
#: Calls that start a process (ours, a Dask worker's, or an outside tool's).
STARTS = re.compile(r"get_context\(|multiprocessing\.Process|\.Process\(|Popen\(|subprocess\.(run|call|check_)"
                    r"|LocalCluster\(|os\.fork\(|os\.spawn|os\.system\(")
LARGEST_CLASS = 250


def modules():
    return sorted(VIZ.rglob("*.py"))


def test_one_module_starts_every_process():
    starting = {str(p.relative_to(VIZ)) for p in modules() if STARTS.search(p.read_text())}
    assert starting == {"compute/process.py"}


def test_every_class_is_under_250_lines():
    sizes = {f"{p.relative_to(VIZ)}:{node.name}": node.end_lineno - node.lineno + 1
             for p in modules() for node in ast.walk(ast.parse(p.read_text())) if isinstance(node, ast.ClassDef)}
    assert sizes and max(sizes.values()) < LARGEST_CLASS, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


def test_the_wheel_lists_every_subpackage():
    import tomllib

    listed = set(tomllib.loads((VIZ.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(VIZ.parent).parts) for p in VIZ.rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
