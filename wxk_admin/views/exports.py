"""导出选中 / 导出全部 for the application list (issue 7 owns this module)."""
from __future__ import annotations


class ExportMixin:
    """Mixed into ApplicationView: export actions and the column chooser."""
