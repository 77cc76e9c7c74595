"""导出选中 / 导出全部 and the fast list of 申请入会管理 (issue 7 owns this module).

``ExportMixin`` is mixed into ApplicationView (it comes first in the MRO):

* the list: one statement for the page — its rows, chosen by a narrow ordered
  ids query the covering indexes answer, with a count capped at
  ``list_count_cap`` instead of a full ``COUNT(*)`` — whatever the page size; a
  text search reads the count and the ids in one pass; page numbers stop at the
  cap and the pager's 下一页 / 上一页 carry a (submitted_at, id) cursor, so paging
  deeper is an index seek, never an OFFSET past the cap; pages past the end and
  bad filter values give a Chinese message, never a 500;
* the table (header and rows) is computed in one Python loop (``_lean_table``) with the
  view's own formatters — the 姓名 link from one ``url_for`` per page, status /
  资格初审 badges once per distinct value — instead of a Jinja macro and a
  ``url_for`` per cell;
* filter options that change (units, cycles, 创作样式) re-read on every request;
* 导出选中 (an action) and 导出全部 (``/export/``): a column chooser, then a
  streamed .xlsx or .csv built by ``wxk_admin.domain.exports`` from the scoped query
  (a Core SELECT of only the chosen columns, server-side cursor, constant-memory xlsx writer).
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import OrderedDict
from functools import cached_property
from math import ceil
from urllib.parse import parse_qsl, urlencode

from flask import abort, current_app, flash, g, redirect, request, session, stream_with_context
from flask_admin import expose
from flask_admin.contrib.sqla import tools
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import func, literal_column, or_, tuple_

from .. import actions
from ..domain import exports as domain
from ..domain.audit import record
from ..enums import Role
from ..extensions import db
from ..models import Cycle, GroupUnit
from ..security import current_actor, request_return_url, this_page
from .base import _gettext, current_role
from .downloads import download
from .filters import ChoiceEqual, UnitEqual

SESSION_KEY = "wxk_export_columns"


class ExportMixin:
    """Mixed into ApplicationView: fast list, per-request filter options, export actions and chooser."""

    # Shareable URLs name the filter (flt0_status_eq=submitted), stable when filters are added.
    export_types = ["xlsx"]
    page_size_options = (20, 50, 100)
    list_count_cap = 10000  # beyond this the list says "超过 10000 条" instead of counting a million rows

    # ------------------------------------------------------------ filters

    def get_invalid_value_msg(self, value, filter):
        reason = ""
        try:
            filter.clean(value)
        except (ValueError, TypeError) as exc:
            reason = f"（{exc}）"
        return f"筛选条件「{filter.name}」的值无效，已忽略：{str(value)[:50]}{reason}"

    def get_filter_arg(self, index, flt):
        url_name = getattr(flt, "url_name", None)
        return url_name() if url_name else super().get_filter_arg(index, flt)

    def _office_like(self) -> bool:
        return current_role() in (Role.office, Role.it_admin)

    def _get_filter_groups(self):
        """Filter groups with options read now (units, cycles, styles change while the app runs)."""
        if not self._filters:
            return None
        groups: OrderedDict[str, list] = OrderedDict()
        for index, flt in enumerate(self._filters):
            roles = getattr(flt, "roles", None)  # declared next to the model (layout.filter_declarations)
            if roles and current_role() not in roles:
                continue
            options = flt.get_options(self)
            groups.setdefault(str(flt.name), []).append({
                "index": index,
                "arg": self.get_filter_arg(index, flt),
                "operation": str(flt.operation()),
                "options": [(str(k), str(v)) for k, v in options] if options else None,
                "type": flt.data_type,
            })
        return groups

    # ------------------------------------------------------------ the list: bounded statements, capped count

    def _filtered(self, query, search, filters):
        joins: dict = {}
        if self._search_supported and search:
            query, _, joins, _ = self._apply_search(query, None, joins, {}, search)
        if filters and self._filters:
            query, _, joins, _ = self._apply_filters(query, None, joins, {}, filters)
        return query

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """Text search over the searchable columns: ``LIKE`` on SQLite (already case-blind for ASCII;
        ``lower()`` on every row of every column cost more than the match), ``ILIKE`` elsewhere."""
        if any(path for _field, path in self._search_fields or []):
            return super()._apply_search(query, count_query, joins, count_joins, search)
        sqlite = db.session.get_bind().dialect.name == "sqlite"
        for term in search.split(" "):
            if not term:
                continue
            pattern = tools.parse_like_term(term)
            clause = or_(*[(field.like(pattern) if sqlite else field.ilike(pattern))
                           for field, _path in self._search_fields])
            query = query.filter(clause)
            if count_query is not None:
                count_query = count_query.filter(clause)
        return query, count_query, joins, count_joins

    def _id_query(self, search, filters):
        """Scoped (``get_count_query`` of SecureModelView) and filtered; selects only ids."""
        return self._filtered(self.get_count_query(), search, filters).with_entities(self.model.id)

    @staticmethod
    def _capped_count_query(id_query, cap: int):
        # SELECT 1, not the id: SQLite counts the covering index's entries a third faster.
        inner = id_query.order_by(None).with_entities(literal_column("1")).limit(cap + 1).subquery()
        return db.session.query(func.count()).select_from(inner)

    @classmethod
    def capped_count(cls, id_query, cap: int) -> int:
        return cls._capped_count_query(id_query, cap).scalar()

    def _sort_ids(self, id_query, sort_column, sort_desc):
        id_query, _ = self._apply_sorting(id_query, {}, sort_column, sort_desc)
        if sort_column is None:
            default = self.column_default_sort
            descending = bool(default[1]) if isinstance(default, tuple) else False
        else:
            descending = bool(sort_desc)
        return id_query.order_by(self.model.id.desc() if descending else self.model.id.asc())

    # The attributes the list's cells read: rows are loaded as light named tuples of these columns
    # (no ORM identity map, no unused columns).
    list_row_attributes: tuple[str, ...] = ("id",)

    # Cells that are not the model's columns: name → a function giving the (labelled) expression.
    list_row_extras: dict = {}

    def _row_query(self, ids, *extra):
        """The rows of ``ids`` — always ids chosen by the scoped query (``_id_query``) — by primary key alone:
        the scope repeated here let SQLite walk a unit admin's whole unit to find the page's 20 rows."""
        return (db.session.query(self.model)
                .with_entities(*(getattr(self.model, name) for name in self.list_row_attributes),
                               *(make().label(name) for name, make in self.list_row_extras.items()), *extra)
                .filter(self.model.id.in_(ids)))

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        """The page's rows and a count capped at ``list_count_cap`` (None beyond it: the simple pager).

        Without a search: one statement for the rows and the capped count (a scalar subquery);
        a search: the ids (and so the count) in one pass, then the rows.  A page number is served
        up to the cap (an OFFSET bounded by it); deeper pages come by the pager's cursor.
        """
        if not execute:
            return super().get_list(page, sort_column, sort_desc, search, filters, execute=False,
                                    page_size=page_size)
        if page_size is None:
            page_size = self.page_size
        cap = self.list_count_cap
        page = requested = max(page or 0, 0)
        id_query = self._id_query(search, filters)
        keyset = self._keyset(sort_column, page) if page_size else None
        if keyset is None and page_size and page * page_size >= cap:
            page = cap // page_size - 1  # numbers stop at the cap: a deeper OFFSET reads every row before it
        if search and keyset is None:
            # A text search reads the rows anyway: one pass yields the count (capped) and the page's ids.
            first_ids = [row[0] for row in self._sort_ids(id_query, sort_column, sort_desc).limit(cap + 1)]
            count = len(first_ids)
            page = self._settle_page(requested, page, page_size, count, cap)
            ids = first_ids[page * page_size:(page + 1) * page_size] if page_size else first_ids
            rows = self._row_query(ids).all() if ids else []
            position = {pk: i for i, pk in enumerate(ids)}
            rows.sort(key=lambda row: position[row.id])
        else:
            rows = self._page_rows(id_query, sort_column, sort_desc, page, page_size, keyset)
            if rows:
                count = rows[0].wxk_total  # the count came with the rows
            elif page == 0 and keyset is None:
                count = 0  # an empty first page: nothing matches (counting again cost a second capped count)
            else:
                count = self.capped_count(id_query, cap)  # past the end: how far it is
            settled = self._settle_page(requested, page, page_size, count, cap) if keyset is None else page
            if settled != page:
                page = settled
                rows = self._page_rows(id_query, sort_column, sort_desc, page, page_size, None)
        capped = g.wxk_count_capped = count > cap
        if not rows and page and (capped or keyset is not None):
            flash(f"第 {page + 1} 页没有数据（已超过最后一页）", "warning")
        return (None if capped else count), rows

    def _settle_page(self, requested: int, page: int, page_size: int, count: int, cap: int) -> int:
        """The page to show for the page number asked for, with a message when it is another one:
        past the cap, the last numbered page; past the end, the last page."""
        if count > cap:
            if page != requested:
                flash(f"页码最多可直接跳到第 {page + 1} 页；更后面的页请用「下一页」翻看，或用筛选条件缩小范围",
                      "warning")
                g.wxk_page_override = page
            return page
        if page_size and requested * page_size >= count > 0:
            last = int(ceil(count / float(page_size))) - 1
            flash(f"第 {requested + 1} 页超出范围（共 {last + 1} 页），已显示最后一页", "warning")
            g.wxk_page_override = last
            return last
        return page

    def _page_rows(self, id_query, sort_column, sort_desc, page, page_size, keyset):
        """One statement: the page's ids (a narrow query the covering indexes answer) inside the rows'
        query, which also carries the capped count as a scalar subquery (``wxk_total``)."""
        if keyset is not None:
            page_ids = self._keyset_ids(id_query, *keyset).limit(page_size)
        else:
            page_ids = self._sort_ids(id_query, sort_column, sort_desc)
            if page_size:
                page_ids = page_ids.limit(page_size).offset(page * page_size)
        total = self._capped_count_query(id_query, self.list_count_cap).scalar_subquery().label("wxk_total")
        query = self._row_query(page_ids.subquery().select(), total)
        return self._sort_ids(query, sort_column, sort_desc).all()

    # ------------------------------------------------------------ the list: lean rows

    # The view's formatters of these columns depend only on the named attributes: each distinct
    # value is formatted once by the view's own formatter and reused (per process, bounded).
    lean_memo_columns = {"status": ("status",), "eligibility": ("eligibility", "eligibility_note")}

    @cached_property
    def _lean_memo(self) -> dict:
        return {}

    @staticmethod
    def name_marks(model) -> Markup:
        """The marks after a row's 姓名 (the view's own ``column_formatters['name']`` adds the same)."""
        return Markup("")

    def lean_cell_formatters(self) -> dict:
        """Per-column cell functions ``(model) -> str`` (HTML) that replace a per-row ``url_for``/macro.

        The 姓名 link's details URL is built once per page and the id filled in; its output must
        equal the view's own ``column_formatters['name']`` (a test compares them).
        """
        template = self.get_url(".details_view", id="__WXK_ID__", url=this_page())
        head, _, tail = (str(escape(part)) for part in template.partition("__WXK_ID__"))

        def name_cell(model):
            return f'<a href="{head}{model.id}{tail}">{escape(model.name)}</a>{self.name_marks(model)}'

        fast = {"name": name_cell}
        for column, attrs in self.lean_memo_columns.items():
            formatter = self.column_formatters.get(column)
            if formatter is None:
                continue

            def memo_cell(model, column=column, attrs=attrs, formatter=formatter, seen=self._lean_memo):
                key = (column, *(getattr(model, a) for a in attrs))
                html = seen.get(key)
                if html is None:
                    if len(seen) > 1000:
                        seen.clear()  # bounded: free-text notes are part of some keys
                    html = seen[key] = str(escape(formatter(self, None, model, column)))
                return html

            fast[column] = memo_cell
        return fast

    def _lean_table(self, kw: dict) -> Markup | None:
        """The list table's ``<thead>`` and rows, computed in one Python loop instead of Jinja macros.

        The markup is what Flask-Admin's ``model/list.html`` prints (sort links and arrows, the
        select-all box, each cell through ``get_list_value``'s steps: the view's column formatters,
        choices, type formatters), without a macro call and a ``url_for`` per cell.  ``None`` for an
        empty page (the template says so).  Row action buttons and inline editing are not drawn: the
        views using this mixin open rows through 姓名 and edit on the details page.
        """
        data, list_columns, actions = kw.get("data"), kw.get("list_columns") or [], kw.get("actions")
        if not data:
            return None
        return Markup(f"<thead>\n<tr>{self._lean_header(kw)}</tr>\n</thead>\n"
                      f"{self._lean_rows(data, list_columns, actions)}")

    def _lean_header(self, kw: dict) -> str:
        cells = []
        if kw.get("actions"):
            cells.append('<th class="list-checkbox-column">\n<input type="checkbox" name="rowtoggle" '
                         f'class="action-rowtoggle" title="{escape(_gettext("Select all records"))}" />\n</th>')
        sort_column, sort_desc, sort_url = kw.get("sort_column"), kw.get("sort_desc"), kw.get("sort_url")
        for index, (column, name) in enumerate(kw.get("list_columns") or []):
            label = escape(name)
            inner = label
            if self.is_sortable(column):
                title = escape(_gettext("Sort by %(name)s", name=name))
                if sort_column == index:
                    arrow = "down" if sort_desc else "up"
                    inner = (f'<a href="{escape(sort_url(index, True))}" title="{title}">{label} '
                             f'<span class="fa fa-chevron-{arrow} glyphicon glyphicon-chevron-{arrow}"></span></a>')
                else:
                    inner = f'<a href="{escape(sort_url(index))}" title="{title}">{label}</a>'
            description = self.column_descriptions.get(column)
            if description:
                inner += (f' <a class="fa fa-question-circle glyphicon glyphicon-question-sign" '
                          f'title="{escape(description)}" href="javascript:void(0)" data-role="tooltip"></a>')
            cells.append(f'<th class="column-header col-{column.replace(".", "-")}">{inner}</th>')
        return "\n".join(cells)

    def _lean_rows(self, data, list_columns, actions) -> str:
        """Every row's ``<tr>``: the checkbox and each column's cell."""
        fast = self.lean_cell_formatters()
        field_value = self._get_field_value  # dotted names (unit.name) too, as Flask-Admin reads them
        formatters = self.column_formatters
        type_formatters = list(self.column_type_formatters.items())
        plan = []
        for column, _label in list_columns:
            if column in fast:
                plan.append((column, fast[column], None, None))
            else:
                plan.append((column, None, formatters.get(column), self._column_choices_map.get(column) or None))
        select_title = escape(_gettext("Select record"))
        out = []
        for model in data:
            cells = [f'<td>\n<input type="checkbox" name="rowid" class="action-checkbox" value="{model.id}" '
                     f'title="{select_title}" />\n</td>'] if actions else []
            for column, fast_fn, column_fmt, choices in plan:
                if fast_fn is not None:
                    value = fast_fn(model)
                else:
                    value = column_fmt(self, None, model, column) if column_fmt else field_value(model, column)
                    if choices:
                        value = choices.get(value) or value
                    else:
                        for typeobj, type_fmt in type_formatters:
                            if isinstance(value, typeobj):
                                value = type_fmt(self, value, column)
                                break
                    value = escape(value)
                cells.append(f'<td class="col-{column}">{value}</td>')
            out.append("<tr>\n" + "\n".join(cells) + "\n</tr>")
        return "\n".join(out)

    # ------------------------------------------------------------ deep pages: keyset on the default sort

    KEYSET_SEP = "_"

    def _default_sort_is_submitted_desc(self) -> bool:
        return tuple(self.column_default_sort or ()) == ("submitted_at", True)

    def _keyset(self, sort_column, page):
        """``("after"|"before", submitted_at, id)`` from the pager's cursor, for the default sort only.

        Paging forward or back from a page costs an index seek, however deep the page (the pager's
        下一页 / 上一页 carry the cursor; page numbers are served only up to the count cap).
        """
        if sort_column is not None or not page or not self._default_sort_is_submitted_desc():
            return None
        for direction in ("after", "before"):
            raw = request.args.get(direction)
            if not raw:
                continue
            stamp, _, pk = raw.rpartition(self.KEYSET_SEP)
            try:
                return direction, dt.datetime.fromisoformat(stamp), int(pk)
            except ValueError:
                return None  # a damaged cursor: the page number still works
        return None

    def _keyset_ids(self, id_query, direction, stamp, pk):
        key = tuple_(self.model.submitted_at, self.model.id)
        if direction == "after":
            return id_query.filter(key < tuple_(stamp, pk)).order_by(self.model.submitted_at.desc(),
                                                                        self.model.id.desc())
        return id_query.filter(key > tuple_(stamp, pk)).order_by(self.model.submitted_at.asc(), self.model.id.asc())

    def _cursor_pager(self, kwargs):
        """The simple pager's links carry the cursor of the page's first / last row."""
        data, page, pager_url = kwargs.get("data") or [], kwargs.get("page") or 0, kwargs.get("pager_url")
        if (pager_url is None or kwargs.get("num_pages") is not None or not data or kwargs.get("sort_column")
                is not None or not self._default_sort_is_submitted_desc()):
            return
        first, last = data[0], data[-1]
        if first.submitted_at is None or last.submitted_at is None:
            return

        def cursor(row):
            return f"{row.submitted_at.isoformat()}{self.KEYSET_SEP}{row.id}"

        def with_cursor(target):
            path, _, query = pager_url(target).partition("?")
            args = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in ("after", "before")]
            if target == page + 1:
                args.append(("after", cursor(last)))
            elif target == page - 1 and target > 0:
                args.append(("before", cursor(first)))
            return f"{path}?{urlencode(args)}" if args else path

        kwargs["pager_url"] = with_cursor

    def render(self, template, **kwargs):
        # The list template (templates/exports/list.html or one extending it) prints these; it has no
        # Flask-Admin export menu: 导出全部 replaces the built-in load-everything export.
        if template == self.list_template and "data" in kwargs:
            self._cursor_pager(kwargs)
            kwargs["wxk_table"] = self._lean_table(kwargs)
            kwargs["wxk_count_capped"] = g.get("wxk_count_capped", False)
            kwargs["wxk_count_cap"] = self.list_count_cap
            kwargs["wxk_may_export"] = self._export_allowed()
            kwargs["wxk_export_all"] = actions.named("export_all")
            if "wxk_page_override" in g:
                kwargs["page"] = g.wxk_page_override
        return super().render(template, **kwargs)

    # ------------------------------------------------------------ 导出选中 / 导出全部

    def action_export_selected(self, ids, action=None):
        """导出选中 (declared in ``actions.py``): the chooser for the ticked rows."""
        clean = _int_ids(ids)
        if not clean:
            flash("请先勾选要导出的申请", "error")
            return None
        return self._chooser(ids=clean, list_url=request_return_url(self.get_url(".index_view")))

    @expose("/export/<export_type>/")
    def export(self, export_type):
        """Flask-Admin's built-in export URL leads to our chooser (it would load every row into memory)."""
        return redirect(self.get_url(".export_view", **request.args))

    def _export_allowed(self) -> bool:
        return current_user.is_authenticated and actions.allowed("export_all", current_user.role)

    @expose("/export/", methods=("GET", "POST"))
    def export_view(self):
        if not self._export_allowed():
            abort(403)
        selected = request.values.get("mode") == "selected"
        ids = _int_ids(request.values.getlist("rowid")) if selected else None
        list_url = request_return_url(self.get_url(".index_view", **_list_args()))
        if selected and not ids:
            flash("请先勾选要导出的申请", "error")
            return redirect(list_url)
        if request.method == "GET":
            return self._chooser(ids=ids, list_url=list_url)
        keys = request.form.getlist("columns")
        fmt = request.form.get("format", "xlsx")
        try:
            columns = domain.resolve_columns(keys, current_app.extensions["wxk_profile"])  # the association's words
            if fmt not in ("xlsx", "csv"):
                raise domain.ExportError("导出格式只能是 Excel（.xlsx）或 CSV")
            view_args = self._get_list_extra_args()
            base = self._export_base(view_args, ids)
            limit = int(current_app.config.get("EXPORT_MAX_ROWS", 2_000_000))
            rows = self.capped_count(base.with_entities(self.model.id), limit)
            if rows > limit:
                raise domain.ExportError(f"符合条件的申请超过 {limit} 条，超出单次导出上限；请先用筛选条件缩小范围")
            if rows == 0:
                raise domain.ExportError("没有符合条件的申请可导出")
        except domain.ExportError as exc:
            return self._chooser(ids=ids, list_url=list_url, error=str(exc), chosen=keys, fmt=fmt), 400
        session[SESSION_KEY] = [c.key for c in columns]
        unit_name, cycle_name = self._title_parts(view_args)
        record(db.session, current_actor(), "export", ("Application", None),
               reason=f"导出{'选中' if selected else '全部'} {rows} 条（{fmt}）：" + "、".join(c.label for c in columns))
        db.session.commit()
        query = domain.export_query(base, columns)
        stem = f"申请信息汇总表-{unit_name}-{dt.date.today():%Y%m%d}"
        if fmt == "csv":
            body = domain.csv_chunks(columns, domain.iter_rows(db.session, query, columns))
            return download(stream_with_context(body), stem + ".csv")
        return self._xlsx_response(query, columns, domain.export_title(unit_name, cycle_name), stem)

    def _xlsx_response(self, query, columns, title, stem):
        fd, path = tempfile.mkstemp(suffix=".xlsx", prefix="wxk-export-")
        os.close(fd)
        try:
            domain.write_xlsx(path, columns, domain.iter_rows(db.session, query, columns), title=title)
            handle = open(path, "rb")
        finally:
            os.unlink(path)  # the open handle keeps the data until the response is sent
        return download(handle, stem + ".xlsx")

    def _export_base(self, view_args, ids):
        """The caller's scope (``get_count_query`` of SecureModelView), then the ids or the list's filters."""
        query = self.get_count_query()
        if ids is not None:
            return query.filter(self.model.id.in_(ids))
        return self._filtered(query, view_args.search, view_args.filters)

    def _title_parts(self, view_args) -> tuple[str, str]:
        unit_name, cycle_name = "全部团体会员单位", "全部年度"
        if current_role() == Role.unit_admin and current_user.unit_id:
            unit = db.session.get(GroupUnit, current_user.unit_id)
            unit_name = unit.name if unit else unit_name
        for index, _name, value in view_args.filters or []:
            flt = self._filters[index]
            if isinstance(flt, UnitEqual) and self._office_like():
                unit = db.session.get(GroupUnit, int(value)) if str(value).isdigit() else None
                unit_name = unit.name if unit else "直接申报"
            elif isinstance(flt, ChoiceEqual) and flt.column.key == "cycle_id" and str(value).isdigit():
                cycle = db.session.get(Cycle, int(value))
                cycle_name = cycle.name if cycle else cycle_name
        return unit_name, cycle_name

    def _chooser(self, *, ids, list_url, error=None, chosen=None, fmt="xlsx"):
        view_args = self._get_list_extra_args() if ids is None else None
        base = self._export_base(view_args, ids)
        limit = int(current_app.config.get("EXPORT_MAX_ROWS", 2_000_000))
        rows = self.capped_count(base.with_entities(self.model.id), limit)
        known = domain.columns_by_key()
        ticked = [k for k in (chosen if chosen is not None else domain.remembered_or_default(session.get(SESSION_KEY)))
                  if k in known]
        ordered = [known[k] for k in ticked] + [c for k, c in known.items() if k not in ticked]
        if error:
            flash(error, "error")
        return self.render("exports/choose.html", columns=ordered, ticked=set(ticked), ids=ids or [],
                           selected=ids is not None, rows=rows, limit=limit, over_limit=rows > limit,
                           list_args=_list_args(), list_url=list_url, fmt=fmt,
                           defaults=list(domain.DEFAULT_COLUMNS))


def _int_ids(raw) -> list[int]:
    out = []
    for value in raw or []:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def _list_args() -> dict:
    """The list's query arguments (search, filters, sort) carried from the list to the export."""
    return {k: v for k, v in request.args.items() if k not in ("mode", "rowid", "url")}
