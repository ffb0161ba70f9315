"""No code raises an exception object kept at module level.

Raising one shared instance again and again chains every raise's traceback
(and the frames it holds) onto it, so memory grows with every request.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def shared_raises(source: str) -> list[str]:
    """Names raised as they are (`raise NAME`) that the module binds to a call at top level."""
    tree = ast.parse(source)
    bound = {target.id for node in tree.body if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
             for target in node.targets if isinstance(target, ast.Name)}
    bound |= {node.target.id for node in tree.body if isinstance(node, ast.AnnAssign)
              and isinstance(node.value, ast.Call) and isinstance(node.target, ast.Name)}
    return [node.exc.id for node in ast.walk(tree)
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Name) and node.exc.id in bound]


def test_the_check_finds_a_module_level_problem():
    source = ('NOT_FOUND = Problem(404, "Not Found")\n'
              "def view():\n    raise NOT_FOUND from None\n"
              "def other(exc):\n    raise exc\n")
    assert shared_raises(source) == ["NOT_FOUND"]


def test_no_module_level_exception_is_raised():
    offenders = {str(path.relative_to(ROOT)): names
                 for folder in ("services", "shared", "bench") if (ROOT / folder).is_dir()
                 for path in sorted((ROOT / folder).rglob("*.py"))
                 if (names := shared_raises(path.read_text()))}
    assert offenders == {}
