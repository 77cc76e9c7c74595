"""The house's import contract (issue 19.1), read from the source with ``ast`` — so an import hidden inside a
function counts as much as one at the top.

* Layers (``LAYERS``): the factory, then the flask commands and the pages, then the request-level modules, the
  Flask extensions, the domain; each module imports from its own layer and those below.  The domain
  (``domain/``, ``documents/``, ``profiles/`` and the plain top modules) imports no web library either, and
  ``cli`` and ``views`` do not import each other.
* No import cycle between two modules of ``wxk_admin`` (strongly connected components of the module graph).
* No import inside a function (nor ``importlib.import_module``): what a module needs is read at its top,
  where the graph above sees it; the few exceptions say why.

Why not import-linter: its cycle contract (``acyclic_siblings``) looks at sibling packages, not at a package
and its own modules — the ``cli`` ↔ ``cli.backup`` cycle this contract was written against is invisible to it —
and a rule on imports inside functions is not among its contracts; ~100 lines of ``ast`` check all three.
"""
from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "wxk_admin"

# Top to bottom: a module imports from its own layer and those below it, never above.
LAYERS = (
    ("",),  # the factory (wxk_admin/__init__.py)
    ("cli", "views", "public"),  # the flask commands; the pages
    ("auth", "security", "errors", "web", "forms"),  # request-level: sign-in, headers, error pages, forms
    ("extensions",),  # the Flask extensions
    # The domain: plain Python taking (session, actor, …).
    ("domain", "documents", "profiles", "rules", "enums", "params", "paths", "actions", "config", "models"),
)
INDEPENDENT = ("cli", "views")  # nor do these two import each other
DOMAIN = LAYERS[-1]
WEB_LIBRARIES = ("flask", "flask_*", "werkzeug", "wtforms", "click", "markupsafe")
# models.py binds the ORM (Flask-SQLAlchemy) and gives User Flask-Login's UserMixin and Werkzeug's password
# hashing — none of which reads a request.
ORM_BINDING = {"models": ("flask_sqlalchemy", "flask_login", "werkzeug.security")}

# The modules that import inside a function on purpose, and why.
LATE_ON_PURPOSE = {
    "documents.pdf": "WeasyPrint adds ~30 % to the start-up of every process; only a PDF needs it (measured there)",
}


# ---- the graph ---------------------------------------------------------------------------------------------

@functools.cache
def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``: dotted name → file (a package is its ``__init__.py``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([root.name, *parts])] = path
    return found


def imports(name: str, path: Path, known) -> list[tuple[str, int, bool]]:
    return _imports(name, path, frozenset(known))


@functools.cache
def _imports(name: str, path: Path, known) -> list[tuple[str, int, bool]]:
    """(imported name, line, inside a function) for each import of a module.  A relative import is resolved;
    ``from . import x`` names module ``x`` when there is one, not the package's ``__init__``."""
    found = []

    def visit(node, hidden):
        for child in ast.iter_child_nodes(node):
            inner = hidden or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, inner) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
                    base = ".".join(package[:len(package) - child.level + 1] + ([base] if base else []))
                for alias in child.names:
                    found.append((f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base,
                                  child.lineno, inner))
            elif (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                  and child.func.attr == "import_module"):
                found.append(("importlib.import_module", child.lineno, True))
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return found


def _within(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") or (p.endswith("*") and module.startswith(p[:-1]))
               for p in prefixes)


def _local(root: Path, module: str) -> str:
    """``wxk_admin.domain.x`` → ``domain.x``; the package itself → ``""``."""
    return module[len(root.name) + 1:] if module != root.name else ""


def _in_part(local: str, parts) -> bool:
    return any(local == p or (p and local.startswith(p + ".")) for p in parts)


def _layer(local: str) -> int | None:
    return next((i for i, parts in enumerate(LAYERS) if _in_part(local, parts)), None)


def wrong_way_imports(root: Path) -> list[str]:
    """Each import against the layers, as ``importer:line → imported`` (names local to the package)."""
    known = modules(root)
    found = {f"{_local(root, name)}: in no layer" for name in known if _layer(_local(root, name)) is None}
    for name, path in known.items():
        importer = _local(root, name)
        for target, line, _ in imports(name, path, known):
            if target in known:
                local = _local(root, target)
                wrong = (_layer(local) is not None and _layer(importer) is not None and _layer(local) < _layer(importer)
                         or any(_in_part(importer, (a,)) and _in_part(local, (b,))
                                for a in INDEPENDENT for b in INDEPENDENT if a != b))
            else:
                local = target
                wrong = (_in_part(importer, DOMAIN) and _within(target, WEB_LIBRARIES)
                         and not _within(target, ORM_BINDING.get(importer, ())))
            if wrong:
                found.add(f"{importer}:{line} → {local}")
    return sorted(found)


def cycles(root: Path) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    known = modules(root)
    graph = {n: sorted({t for t, _, _ in imports(n, p, known) if t in known and t != n}) for n, p in known.items()}
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                components.append(sorted(_local(root, m) for m in component))

    for v in graph:
        if v not in index:
            connect(v)
    return sorted(components)


def hidden_imports(root: Path) -> list[str]:
    """Each import made inside a function, as ``module:line → imported``."""
    known = modules(root)
    return sorted({f"{_local(root, name)}:{line} → {_local(root, t) if t in known else t}"
                   for name, path in known.items() for t, line, hidden in imports(name, path, known) if hidden})


# ---- the contract ------------------------------------------------------------------------------------------

def test_imports_follow_the_layers():
    wrong = wrong_way_imports(PACKAGE_DIR)
    assert not wrong, "imports against the layers (LAYERS: each imports its own and those below):\n" + "\n".join(wrong)


def test_no_import_cycle():
    assert cycles(PACKAGE_DIR) == []


def test_no_import_hidden_in_a_function():
    hidden = [e for e in hidden_imports(PACKAGE_DIR) if e.split(":")[0] not in LATE_ON_PURPOSE]
    assert not hidden, "import at the module's top (or list it in LATE_ON_PURPOSE with the reason):\n" \
        + "\n".join(hidden)


def test_late_imports_on_purpose_are_still_late():
    """A module that no longer imports late leaves LATE_ON_PURPOSE (the list only says what is true)."""
    assert sorted(set(LATE_ON_PURPOSE) - {e.split(":")[0] for e in hidden_imports(PACKAGE_DIR)}) == []


# ---- the checker itself, on a small tree -------------------------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "wxk_admin"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_checker_sees_a_hidden_wrong_way_import_and_a_cycle(tmp_path):
    root = _tree(tmp_path, {
        "__init__.py": "from . import views\n",  # the factory may import views
        "models.py": "from flask_sqlalchemy import SQLAlchemy\n",
        "domain/__init__.py": "",
        "domain/a.py": "from . import b\n\ndef f():\n    from flask import url_for\n    from ..views import base\n",
        "domain/b.py": "def g():\n    from .a import f\n",
        "views/__init__.py": "from . import base\n",
        "views/base.py": "from ..domain import a\n",
        "security.py": "from .views.base import x\n",
        "cli/__init__.py": "from . import backup\n",
        "cli/backup.py": "from . import wxk\nfrom ..domain.b import g\nfrom ..views import base\n",
        "stray.py": "",
    })
    assert wrong_way_imports(root) == ["cli.backup:3 → views.base", "domain.a:4 → flask", "domain.a:5 → views.base",
                                       "security:1 → views.base", "stray: in no layer"]
    # views/__init__ → views.base is no cycle with the package: ``from . import base`` names the module.
    assert cycles(root) == [["cli", "cli.backup"], ["domain.a", "domain.b", "views.base"]]
    assert hidden_imports(root) == ["domain.a:4 → flask", "domain.a:5 → views.base", "domain.b:2 → domain.a"]


def test_the_checker_sees_importlib(tmp_path):
    root = _tree(tmp_path, {"__init__.py": "import importlib\nM = importlib.import_module('wxk_admin.views')\n"})
    assert hidden_imports(root) == [":2 → importlib.import_module"]
