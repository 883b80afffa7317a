"""The mail engine is the bottom layer: the apps call it, and it imports none of them, not
even through the portal helpers it uses."""

import ast
from pathlib import Path

from django.conf import settings

APPS = {"accounts", "members", "awards", "newsletter", "surveys", "assemblies"}


def imports(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            modules |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return modules


def test_outbox_imports_no_app():
    root = Path(settings.BASE_DIR)
    pending = list((root / "outbox").rglob("*.py"))
    seen, offending = set(), set()
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in imports(path):
            if module.split(".")[0] in APPS:
                offending.add(f"{path.relative_to(root)}: {module}")
            helper = root / (module.replace(".", "/") + ".py")
            if module.startswith("portal.") and helper.exists():
                pending.append(helper)
    assert offending == set()
