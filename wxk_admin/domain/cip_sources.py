"""CIP sources (SPEC §5): number normalisation and the pluggable lookup chain.

Every source has one method, ``lookup(cip_no=..., isbn=...) -> CipRecord | None``:

* ``local`` — the ``cip_records`` table (imported by IT from .xlsx / .csv, or cached
  answers of the HTTP source);
* ``http``  — a remote service: ``CIP_HTTP_URL`` is a URL template with ``{isbn}``
  and ``{cip_no}`` placeholders (URL-quoted, empty when unknown), e.g.
  ``http://127.0.0.1:8000/cip?isbn={isbn}&cip={cip_no}``.  The answer is a JSON
  object with the fields of ``FIELDS`` (English keys or the Chinese column
  labels); ``title`` and one of ``isbn`` / ``cip_no`` are required.  HTTP 404,
  ``null``, ``{}`` or ``{"found": false}`` mean "unknown book".  A body that is
  not JSON or lacks the required fields is logged and treated as not found.
  Timeouts, connection errors and 5xx answers are retried with exponential
  back-off (``CIP_HTTP_RETRIES``, ``CIP_HTTP_BACKOFF``), then the source is
  *unavailable*: the chain goes on with the next source and reports it.
  Good answers are cached into the local table (source ``http``).

``CIP_SOURCES`` orders the chain (default ``local``; ``local,http`` asks the local
table first and the remote only for books it does not know).  Once a source has
been unavailable, the same chain does not ask it again (one page never waits
twice for a dead service); nothing is kept between requests.

Canonical forms
---------------
* CIP 核字号: year + serial number as digits, the number zero-padded to 6 digits
  from 2001 on (10 digits) and to 5 digits up to 1999 (9 digits).  In 2000 both
  lengths were issued: a number that fits in 5 digits is written with 5 (9 digits
  in all), a larger one with 6.  「中国版本图书馆CIP数据核字(2016)第189798号」,
  「（2016）第189798号」 and ``2016189798`` all give ``2016189798``;
  「(2005)第70730号」 gives ``2005070730``; ``199812345`` stays ``199812345``.
* ISBN: ISBN-13 digits without hyphens; ISBN-10 (``ISBN 7-5015-2709-1``) is
  converted (``9787501527090``).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from ..models import CipRecord, utcnow

log = logging.getLogger("wxk_admin.domain.cip")

# Columns of a CIP record that a source or an import fills (key → Chinese label, from the model).
FIELDS = ("cip_no", "isbn", "title", "subtitle", "parallel_title", "first_author", "other_authors",
          "responsibility_mode", "edition", "pub_place", "publisher", "pub_date", "clc", "subjects")
FIELD_LABELS = {key: CipRecord.__table__.c[key].info["label"] for key in FIELDS}
SOURCE_LABELS = {"local": "本地 CIP 数据表", "http": "远程 CIP 服务", "import": "本地导入"}
MAX_ANSWER_BYTES = 256 * 1024


class CipFormatError(ValueError):
    """A malformed ISBN or CIP number; the message says exactly why (Chinese)."""


class SourceUnavailable(Exception):
    """The source could not answer (down, slow, server error)."""


# ---------------------------------------------------------------- normalisation

_PRINTED_CIP = re.compile(r"[(（\[【]\s*(\d{4})\s*[)）\]】]\s*第?\s*(\d{1,7})\s*号?")
_CIP_PREFIX = re.compile(r"^(中国版本图书馆)?\s*CIP\s*数据\s*核字\s*", re.IGNORECASE)


def _nfkc(text) -> str:
    return unicodedata.normalize("NFKC", str(text or "")).strip()


def _canonical_cip(year: int, number: int) -> str:
    this_year = dt.date.today().year
    if not 1990 <= year <= this_year + 1:
        raise CipFormatError(f"CIP 核字号年份不合理：{year}（应在 1990 至 {this_year + 1} 之间）")
    if number <= 0:
        raise CipFormatError("CIP 核字号的序号不能为 0")
    if year < 2000:
        if number > 99999:
            raise CipFormatError(f"{year} 年的 CIP 核字号序号最多 5 位：{number}")
        return f"{year}{number:05d}"
    if number > 999999:
        raise CipFormatError(f"CIP 核字号序号最多 6 位：{number}")
    if year == 2000 and number <= 99999:
        return f"{year}{number:05d}"
    return f"{year}{number:06d}"


def normalise_cip_no(text) -> str:
    """The canonical CIP number of any printed or digit form; ``CipFormatError`` with the reason otherwise."""
    raw = _nfkc(text)
    if not raw:
        raise CipFormatError("CIP 核字号为空")
    printed = _PRINTED_CIP.search(raw)
    if printed:
        rest = _PRINTED_CIP.sub("", _CIP_PREFIX.sub("", raw)).strip(" 。.,，")
        if rest:
            raise CipFormatError(f"CIP 核字号格式不正确：「{raw}」（应为「(2016)第189798号」或 9/10 位数字）")
        return _canonical_cip(int(printed.group(1)), int(printed.group(2)))
    digits = re.sub(r"[\s\-－—]", "", _CIP_PREFIX.sub("", raw))
    if not digits.isdigit():
        raise CipFormatError(f"CIP 核字号含非法字符：「{raw}」（应为「(2016)第189798号」或 9/10 位数字）")
    year = int(digits[:4]) if len(digits) >= 4 else 0
    if len(digits) == 10:
        if year < 2000:
            raise CipFormatError(f"10 位 CIP 核字号只用于 2000 年及以后：「{raw}」")
    elif len(digits) == 9:
        if year > 2000:
            raise CipFormatError(f"9 位 CIP 核字号只用于 2000 年及以前：「{raw}」（2001 年起为 10 位）")
    else:
        raise CipFormatError(f"CIP 核字号位数不对：「{raw}」有 {len(digits)} 位（应为年份加序号，9 或 10 位）")
    return _canonical_cip(year, int(digits[4:]))


def format_cip_no(canonical: str | None) -> str:
    """「中国版本图书馆CIP数据核字(2016)第189798号」 for a canonical number (as is if not canonical)."""
    if not canonical:
        return ""
    if not (canonical.isdigit() and len(canonical) in (9, 10)):
        return canonical
    return f"中国版本图书馆CIP数据核字({canonical[:4]})第{int(canonical[4:])}号"


def normalise_isbn(text) -> str:
    """ISBN-13 digits of an ISBN-10 / ISBN-13 in any usual form; ``CipFormatError`` with the reason otherwise."""
    raw = _nfkc(text)
    if not raw:
        raise CipFormatError("ISBN 为空")
    compact = re.sub(r"^ISBN(1[03])?[:：]?", "", re.sub(r"[\s\-‐－—]", "", raw.upper()))
    if not re.fullmatch(r"\d{9}[\dX]|\d{13}", compact):
        if not re.fullmatch(r"[\dX]+", compact):
            raise CipFormatError(f"ISBN 含非法字符：「{raw}」")
        raise CipFormatError(f"ISBN 位数不对：「{raw}」有 {len(compact)} 位（应为 10 位或 13 位）")
    try:
        valid = stdnum_isbn.validate(compact)
    except InvalidChecksum:
        raise CipFormatError(f"ISBN 校验位错误：「{raw}」") from None
    except InvalidComponent:
        raise CipFormatError(f"ISBN 前缀无效：「{raw}」（13 位 ISBN 应以 978 或 979 开头）") from None
    except (InvalidFormat, InvalidLength):
        raise CipFormatError(f"ISBN 格式不正确：「{raw}」") from None
    return stdnum_isbn.to_isbn13(valid).replace("-", "")


def try_cip_no(text) -> tuple[str | None, str | None]:
    """(canonical, None) or (None, reason); (None, None) when empty."""
    if not _nfkc(text):
        return None, None
    try:
        return normalise_cip_no(text), None
    except CipFormatError as exc:
        return None, str(exc)


def try_isbn(text) -> tuple[str | None, str | None]:
    if not _nfkc(text):
        return None, None
    try:
        return normalise_isbn(text), None
    except CipFormatError as exc:
        return None, str(exc)


# ---------------------------------------------------------------- record data (imports, remote answers)

_HEADER_ALIASES = {"cip": "cip_no", "cip核字号": "cip_no", "cip数据核字号": "cip_no", "核字号": "cip_no",
                   "书名": "title", "作者": "first_author", "著作责任者": "first_author", "责任方式": "responsibility_mode",
                   "出版社": "publisher", "出版时间": "pub_date", "分类号": "clc", "clc": "clc"}
for _key, _label in FIELD_LABELS.items():
    _HEADER_ALIASES[re.sub(r"\s", "", _label).lower()] = _key
    _HEADER_ALIASES[_key] = _key


def canonical_key(header) -> str | None:
    return _HEADER_ALIASES.get(re.sub(r"\s", "", _nfkc(header)).lower())


def record_data(raw: dict) -> tuple[dict | None, list[str]]:
    """Clean field values of one record from a row or a JSON answer: (data, problems).

    Problems (Chinese): missing title, no ISBN and no CIP number, malformed ISBN or CIP number.
    """
    data: dict = {}
    for header, value in (raw or {}).items():
        key = canonical_key(header)
        if key is None or value is None:
            continue
        text = _nfkc(value) if not isinstance(value, (int, float)) else str(value)
        if text:  # free text is cut to its column; ISBN and CIP number are normalised below
            data[key] = text if key in ("isbn", "cip_no") else text[: CipRecord.__table__.c[key].type.length or 10000]
    problems = []
    if not data.get("title"):
        problems.append("缺少正书名")
    if "isbn" in data:
        data["isbn"], reason = try_isbn(data["isbn"])
        if reason:
            problems.append(reason)
    if "cip_no" in data:
        data["cip_no"], reason = try_cip_no(data["cip_no"])
        if reason:
            problems.append(reason)
    if not data.get("isbn") and not data.get("cip_no") and not any("ISBN" in p or "CIP" in p for p in problems):
        problems.append("ISBN 和 CIP 核字号至少填写一项")
    if data.get("clc"):
        data["clc"] = data["clc"].upper()
    return (None if problems else data), problems


def find_local(session, cip_no: str | None = None, isbn: str | None = None) -> CipRecord | None:
    """The local record with this CIP number, else with this ISBN (canonical forms)."""
    if cip_no:
        found = session.scalars(select(CipRecord).where(CipRecord.cip_no == cip_no)).first()
        if found is not None:
            return found
    if isbn:
        return session.scalars(select(CipRecord).where(CipRecord.isbn == isbn)
                               .order_by(CipRecord.fetched_at.desc(), CipRecord.id.desc())).first()
    return None


def upsert(session, data: dict, source: str) -> tuple[CipRecord, bool]:
    """Create or update the record with data's CIP number (else ISBN); returns (record, created)."""
    existing = None
    if data.get("cip_no"):
        existing = session.scalars(select(CipRecord).where(CipRecord.cip_no == data["cip_no"])).first()
    if existing is None and data.get("isbn"):
        # Same ISBN: update it, unless both carry different CIP numbers (a new CIP record, e.g. a new edition).
        query = select(CipRecord).where(CipRecord.isbn == data["isbn"])
        if data.get("cip_no"):
            query = query.where(CipRecord.cip_no.is_(None))
        existing = session.scalars(query.order_by(CipRecord.id)).first()
    record = existing or CipRecord()
    for key in FIELDS:
        setattr(record, key, data.get(key))
    record.source = source
    record.fetched_at = utcnow()
    if existing is None:
        session.add(record)
    return record, existing is None


# ---------------------------------------------------------------- sources


class LocalSource:
    name = "local"

    def __init__(self, session):
        self.session = session

    def lookup(self, cip_no: str | None = None, isbn: str | None = None) -> CipRecord | None:
        return find_local(self.session, cip_no=cip_no, isbn=isbn)


class HttpSource:
    """The remote CIP service (see the module docstring for the answer format)."""

    name = "http"

    def __init__(self, session, url_template: str, *, timeout: float = 3.0, retries: int = 2,
                 backoff: float = 0.5, cache: bool = True):
        self.session = session
        self.url_template = url_template
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.cache = cache
        self.requests_made = 0

    def url_for(self, cip_no: str | None, isbn: str | None) -> str:
        return self.url_template.format(isbn=urllib.parse.quote(isbn or ""), cip_no=urllib.parse.quote(cip_no or ""))

    def _get(self, url: str) -> tuple[int, bytes]:
        self.requests_made += 1
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "wxk-admin"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                return response.status, response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            return exc.code, b""

    def fetch(self, cip_no: str | None = None, isbn: str | None = None) -> dict | None:
        """The remote answer's record data, None if unknown; ``SourceUnavailable`` after the retries."""
        url = self.url_for(cip_no, isbn)
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * (2 ** (attempt - 1)))
            try:
                status, body = self._get(url)
            except (TimeoutError, urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", exc)
                last = "超时" if isinstance(reason, TimeoutError) or "timed out" in str(reason) else "无法连接"
                log.warning("CIP http source: %s (%s), attempt %d", url, exc, attempt + 1)
                continue
            if status >= 500:
                last = f"服务器错误 {status}"
                log.warning("CIP http source: %s answered %d, attempt %d", url, status, attempt + 1)
                continue
            if status == 404:
                return None
            if status != 200:
                log.warning("CIP http source: %s answered %d; treated as not found", url, status)
                return None
            return self._parse(url, body)
        raise SourceUnavailable(last or "无法连接")

    def _parse(self, url: str, body: bytes) -> dict | None:
        try:
            answer = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            log.warning("CIP http source: %s answered something that is not JSON; treated as not found", url)
            return None
        if isinstance(answer, dict) and isinstance(answer.get("record"), dict):
            answer = answer["record"]
        if not answer or (isinstance(answer, dict) and answer.get("found") is False):
            return None
        if not isinstance(answer, dict):
            log.warning("CIP http source: %s answered JSON that is not an object; treated as not found", url)
            return None
        data, problems = record_data(answer)
        if problems:
            log.warning("CIP http source: %s answer refused (%s); treated as not found", url, "；".join(problems))
            return None
        return data

    def lookup(self, cip_no: str | None = None, isbn: str | None = None) -> CipRecord | None:
        data = self.fetch(cip_no=cip_no, isbn=isbn)
        if data is None:
            return None
        if not self.cache:
            record = CipRecord(**{k: data.get(k) for k in FIELDS})
            record.source, record.fetched_at = "http", utcnow()
            return record
        try:
            with self.session.begin_nested():
                record, _ = upsert(self.session, data, "http")
                self.session.flush()
        except IntegrityError:  # another worker cached the same record at the same moment
            log.info("CIP http source: concurrent cache of %s / %s", cip_no, isbn)
            record = find_local(self.session, cip_no=data.get("cip_no"), isbn=data.get("isbn"))
        return record


@dataclass
class LookupResult:
    record: CipRecord | None
    source: str | None = None               # which source answered
    unavailable: list[str] = field(default_factory=list)  # Chinese notes on sources that could not answer

    @property
    def degraded(self) -> bool:
        return bool(self.unavailable)


class CipChain:
    """The configured sources in order; the first that knows the book wins."""

    def __init__(self, sources: list):
        self.sources = sources
        self.down: dict[str, str] = {}   # source name → reason, for this chain's lifetime (one request)

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sources]

    def lookup(self, cip_no: str | None = None, isbn: str | None = None) -> LookupResult:
        notes = []
        for source in self.sources:
            if source.name in self.down:
                notes.append(self.down[source.name])
                continue
            try:
                record = source.lookup(cip_no=cip_no, isbn=isbn)
            except SourceUnavailable as exc:
                self.down[source.name] = (f"{SOURCE_LABELS.get(source.name, source.name)}暂不可用（{exc}），"
                                          "本次核验仅依据其余来源（本地 CIP 数据表）")
                notes.append(self.down[source.name])
                continue
            if record is not None:
                return LookupResult(record, source.name, notes)
        return LookupResult(None, None, notes)


# Where a chain built without ``config`` reads CIP_SOURCES and CIP_HTTP_*: the app's configuration, through a
# reader the app factory installs (``set_settings_source``) — the domain never imports the web layer.  None
# installed (a script, a test without an app): the defaults, the local table only.
_settings_source: Callable[[], Mapping] = dict


def set_settings_source(reader: Callable[[], Mapping]) -> None:
    global _settings_source
    _settings_source = reader


def _setting(config: Mapping, key: str, default):
    value = config.get(key)
    return default if value in (None, "") else value


def build_chain(session, config: Mapping | None = None, *, cache: bool = True) -> CipChain:
    """The chain of ``CIP_SOURCES`` (default ``local``) in ``config`` (default: the installed settings);
    ``cache=False`` never writes remote answers."""
    config = _settings_source() if config is None else config
    names = [n.strip().lower() for n in str(_setting(config, "CIP_SOURCES", "local")).split(",") if n.strip()]
    sources = []
    for name in names or ["local"]:
        if name == "local":
            sources.append(LocalSource(session))
        elif name == "http":
            url = _setting(config, "CIP_HTTP_URL", "")
            if not url:
                log.warning("CIP_SOURCES names http but CIP_HTTP_URL is unset; http source skipped")
                continue
            sources.append(HttpSource(session, url, timeout=float(_setting(config, "CIP_HTTP_TIMEOUT", 3)),
                                      retries=int(_setting(config, "CIP_HTTP_RETRIES", 2)),
                                      backoff=float(_setting(config, "CIP_HTTP_BACKOFF", 0.5)), cache=cache))
        else:
            log.warning("unknown CIP source %r ignored", name)
    return CipChain(sources)


def lookup(session, cip_no=None, isbn=None, *, config: Mapping | None = None) -> CipRecord | None:
    """Look a book up through the configured chain by CIP number and/or ISBN (any printed form)."""
    cip, _ = try_cip_no(cip_no)
    code, _ = try_isbn(isbn)
    if not cip and not code:
        return None
    return build_chain(session, config).lookup(cip_no=cip, isbn=code).record
