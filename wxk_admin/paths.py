"""Where templates/, static/, migrations/ and instance/ are: the checkout's root, or inside the installed wheel.

The design card keeps the first three at the repository root; the wheel carries them as
``wxk_admin/_templates``, ``_static`` and ``_migrations`` (setup.py).  An installed package has no
repository around it, so its instance folder is Flask's default (``<prefix>/var/wxk_admin-instance``).
"""
from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
CHECKOUT = (ROOT / "pyproject.toml").is_file() and (ROOT / "migrations").is_dir()


def shipped(name: str) -> Path:
    """``templates``, ``static`` or ``migrations``."""
    return ROOT / name if CHECKOUT else PACKAGE / f"_{name}"


def instance_path() -> str | None:
    """``None``: Flask's default for an installed package."""
    return str(ROOT / "instance") if CHECKOUT else None
