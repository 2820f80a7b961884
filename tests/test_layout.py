"""The code's shape, as DESIGN section 2 and STYLE give it: a pure domain, small modules, and
tests that share set-up through tests/helpers.py only. A change that breaks one fails here,
before a reader has to find it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "decisions"
MAX_LINES = 400
# Data of one shape, allowed to be long: the seeded price sheet and the OpenAPI schema.
TABLES = {"domain/price_sheet.py", "web/openapi.py"}


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("path", _modules(APP / "domain"), ids=lambda p: p.name)
def test_the_domain_imports_no_django_and_no_web_code(path):
    outside = {
        name for name in _imports(path)
        if name.split(".")[0] == "django"
        or (name.startswith("decisions.") and not name.startswith("decisions.domain"))
    }
    assert outside == set(), f"{path.relative_to(ROOT)} imports {sorted(outside)}"


def test_no_module_of_the_app_is_over_400_lines_except_data_tables():
    long = {
        str(path.relative_to(APP)): count
        for path in _modules(APP)
        if (count := len(path.read_text().splitlines())) > MAX_LINES
        and str(path.relative_to(APP)) not in TABLES
    }
    assert long == {}


def test_no_test_module_imports_another_and_the_bench_imports_no_test():
    offenders = {}
    for path in [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        bad = {
            name for name in _imports(path)
            if name.startswith("tests.") and (
                path.is_relative_to(ROOT / "bench") or name.split(".")[-1].startswith("test_")
            )
        }
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}
