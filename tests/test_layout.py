"""The package layout follows the data flow: a module imports only modules of its own stage or a lower one,
and never a private name of another module."""
import ast
from pathlib import Path

import pytest

# the checkout's source, not the imported copy: under CI the package is installed (not editable), and an
# installed copy holds only what pyproject.toml lists, so a package missing there would go unseen
ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "archive"

# sources → fetch → store → index → search / cite → ingest (which drives fetch, sources, store and index)
# → the web and the command line; a module's stage is that of its longest listed prefix.
STAGES = [
    ("archive.model", 0), ("archive.datadir", 0),
    ("archive.sources", 1),
    ("archive.fetch", 2),
    ("archive.store", 3), ("archive.captures", 3),
    ("archive.index", 4), ("archive.analysis", 4),
    ("archive.search", 5), ("archive.cite", 5), ("archive.revisions", 5),
    ("archive.alignment", 5),
    ("archive.ingest", 6),
    ("archive.web", 7),
    ("archive.cli", 8), ("archive.__main__", 8),
]


def stage(module: str) -> int:
    if module == "archive":  # the package itself holds only the version
        return 0
    return max(((len(prefix), rank) for prefix, rank in STAGES
                if module == prefix or module.startswith(prefix + ".")), default=(0, -1))[1]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("archive",) + path.relative_to(PACKAGE).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), is_package, path


def imports(module: str, is_package: bool, path: Path):
    """(imported module, imported names) for each import of an archive module in the file."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [a.name for a in node.names]
            # `from . import x` imports the submodule x when there is one, else a name of the package
            submodules = [n for n in names if is_module(f"{target}.{n}")]
            for name in submodules:
                yield f"{target}.{name}", []
            if len(submodules) < len(names):
                yield target, [n for n in names if n.startswith("_") and not n.startswith("__")]


def is_module(name: str) -> bool:
    path = PACKAGE.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or path.is_dir()


def test_every_module_has_a_stage():
    assert [m for m, _, _ in modules() if stage(m) < 0] == []


def test_no_module_imports_a_higher_stage():
    wrong = [f"{m} ({stage(m)}) imports {t} ({stage(t)})"
             for m, pkg, path in modules() for t, _ in imports(m, pkg, path)
             if t.split(".")[0] == "archive" and stage(t) > stage(m)]
    assert wrong == []


def test_no_module_imports_a_private_name_of_another():
    wrong = [f"{m} imports {', '.join(names)} from {t}"
             for m, pkg, path in modules() for t, names in imports(m, pkg, path)
             if t.split(".")[0] == "archive" and names and t != m]
    assert wrong == []


def test_every_package_is_shipped():
    # an installed (not editable) copy holds only the packages pyproject.toml lists
    import tomllib
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {m for m, is_package, _ in modules() if is_package}
    assert found - listed == set()


TESTS = Path(__file__).resolve().parent


def imported_test_modules(source: str) -> list[str]:
    """The test modules (and conftest) that the code imports, in any spelling: `import test_x`,
    `from test_x import`, `from .test_x import`, `import tests.test_x`, `from tests import test_x`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            # `from . import test_x` and `from tests import test_x` name the module among the imported names
            targets = [base] + ([f"{base}.{a.name}" for a in node.names] if base in ("", "tests") else [])
        else:
            continue
        found += [t for t in targets if t.rpartition(".")[2].startswith("test_") or t.rpartition(".")[2] == "conftest"]
    return found


def test_no_test_module_imports_another():
    # shared data and helpers live in helpers.py (and sitefixture.py), shared fixtures in conftest.py, which
    # pytest finds by itself: no file of tests/ imports a test module or conftest
    wrong = [f"{path.name} imports {target}" for path in sorted(TESTS.glob("*.py"))
             for target in imported_test_modules(path.read_text(encoding="utf-8"))]
    assert wrong == []


@pytest.mark.parametrize("line", [
    "from test_web import client", "from .test_web import client", "import test_web", "import tests.test_web",
    "from tests.test_web import client", "from tests import test_web", "from . import test_web",
    "from conftest import CORPUS", "import os, test_web as web",
])
def test_the_import_check_sees_each_spelling(line):
    assert imported_test_modules(f"def f():\n    {line}\n") != []


@pytest.mark.parametrize("line", [
    "from helpers import cli", "import helpers", "from sitefixture import MinistrySite", "from . import helpers",
    "from archive.web import create_app", "import pytest",
])
def test_the_import_check_lets_helpers_be(line):
    assert imported_test_modules(line) == []
