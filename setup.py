"""Only what pyproject.toml cannot say: the packages.

The design card keeps templates/, static/ and migrations/ at the repository root; the wheel carries them
inside the package as wxk_admin._templates, ._static and ._migrations (package data: pyproject.toml), where
wxk_admin/__init__.py finds them when no checkout is around.
"""
from setuptools import find_packages, setup

SHIPPED = {"wxk_admin._templates": "templates", "wxk_admin._static": "static",
           "wxk_admin._migrations": "migrations"}

setup(packages=find_packages(include=["wxk_admin*"]) + list(SHIPPED), package_dir=SHIPPED)
