"""Configuration from environment variables, with safe defaults.

| variable            | default                                   |
|---------------------|-------------------------------------------|
| DATABASE_URL        | sqlite:///<instance>/wxk.sqlite3          |
| SECRET_KEY          | generated once into <instance>/secret_key |
| CIP_SOURCES         | local                                     |
| CIP_HTTP_URL        | (unset) e.g. https://cip.example/api?isbn={isbn}&cip={cip_no} |
| RATELIMIT_STORAGE_URI | memory://  (redis://host:6379 for several workers) |
| PUBLIC_REPORT_LIMIT | 5 per hour (反映问题 from the public notice page, per IP) |
| PROXY_HOPS          | 0 (number of trusted reverse proxies setting X-Forwarded-For/-Proto) |
| SESSION_COOKIE_SECURE | (unset) automatic: Secure when the request is HTTPS |
| SESSION_IDLE_MINUTES | 30                                       |
| WXK_ASSOCIATION     | cwa — 协会配置: cwa, jiangsu or a .toml path |
| WXK_DEFAULT_RULESET | (unset) the profile's rules.ruleset       |
"""
from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_tristate(name: str) -> bool | None:
    """None when the variable is unset (the app decides), else its boolean value."""
    return _env_bool(name, False) if os.environ.get(name, "").strip() else None


def _instance_dir(instance_path: Path) -> None:
    instance_path.mkdir(mode=0o700, parents=True, exist_ok=True)  # it holds the key and the database


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        _instance_dir(instance_path)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        _instance_dir(instance_path)
        return f"sqlite:///{instance_path / 'wxk.sqlite3'}"
    if url.startswith("postgres://"):  # the form many hosts hand out
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def from_environment(instance_path: str) -> dict:
    path = Path(instance_path)
    idle = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    return {
        "SECRET_KEY": _secret_key(path),
        "SQLALCHEMY_DATABASE_URI": _database_url(path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CIP_SOURCES": os.environ.get("CIP_SOURCES", "local"),
        "CIP_HTTP_URL": os.environ.get("CIP_HTTP_URL", ""),
        "CIP_HTTP_TIMEOUT": float(os.environ.get("CIP_HTTP_TIMEOUT", "3")),
        "CIP_HTTP_RETRIES": int(os.environ.get("CIP_HTTP_RETRIES", "2")),
        "CIP_HTTP_BACKOFF": float(os.environ.get("CIP_HTTP_BACKOFF", "0.5")),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "PUBLIC_REPORT_LIMIT": os.environ.get("PUBLIC_REPORT_LIMIT", "5 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # None: Secure exactly when the request is HTTPS (directly or through PROXY_HOPS), see __init__.py.
        "SESSION_COOKIE_SECURE": _env_tristate("SESSION_COOKIE_SECURE"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_IDLE_MINUTES": idle,
        "PERMANENT_SESSION_LIFETIME": dt.timedelta(hours=int(os.environ.get("SESSION_MAX_HOURS", "12"))),
        # The lifetime is absolute (auth._check_idle_timeout): an unchanged session cookie is not re-sent.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WXK_ASSOCIATION": os.environ.get("WXK_ASSOCIATION", "cwa"),
        "WXK_DEFAULT_RULESET": os.environ.get("WXK_DEFAULT_RULESET", ""),  # "": the profile's rule set
        "EXPORT_MAX_ROWS": int(os.environ.get("EXPORT_MAX_ROWS", "2000000")),
        "BABEL_DEFAULT_LOCALE": "zh_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "PROXY_HOPS": int(os.environ.get("PROXY_HOPS", "0")),  # see security.init_app (ProxyFix)
        "WTF_CSRF_TIME_LIMIT": None,  # token lives as long as the session; sessions expire on their own
        **_notify_settings(),
    }


def _notify_settings() -> dict:
    """E-mail (Flask-Mailman's MAIL_*) and SMS gateway settings of ``wxk send-outbox`` (README, 站外通知)."""
    env = os.environ.get
    return {
        "NOTIFY_SENDERS": env("NOTIFY_SENDERS", "log"),
        "MAIL_BACKEND": "smtp",  # Flask-Mailman would pick an in-memory backend under TESTING
        "MAIL_SERVER": env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(env("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": env("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": env("MAIL_DEFAULT_SENDER") or "wxk-admin@localhost",
        "MAIL_TIMEOUT": float(env("MAIL_TIMEOUT", "10")),
        "SMS_HTTP_URL": env("SMS_HTTP_URL", ""),
        "SMS_HTTP_BODY": env("SMS_HTTP_BODY", ""),
        "SMS_HTTP_TIMEOUT": float(env("SMS_HTTP_TIMEOUT", "5")),
        "SMS_HTTP_RETRIES": int(env("SMS_HTTP_RETRIES", "2")),
        "SMS_HTTP_BACKOFF": float(env("SMS_HTTP_BACKOFF", "0.5")),
        "NOTIFY_MAX_ATTEMPTS": int(env("NOTIFY_MAX_ATTEMPTS", "5")),
        "NOTIFY_BACKOFF_SECONDS": float(env("NOTIFY_BACKOFF_SECONDS", "60")),
        "NOTIFY_REMINDER_DAYS": int(env("NOTIFY_REMINDER_DAYS", "7")),
    }


MIN_SECRET_KEY_LENGTH = 32
WEAK_SECRET_KEY = (
    "SECRET_KEY 太弱或是示例值，拒绝启动：请设置至少 32 个字符的随机密钥（不得使用 README 中出现的值），"
    "例如用 python3 -c 'import secrets; print(secrets.token_hex(32))' 生成，"
    "并在每台服务器上设置同一个环境变量 SECRET_KEY；不设置时系统会自动生成并保存在 instance/secret_key。"
)


def secret_key_problem(key: str, examples: str = "") -> str | None:
    """The Chinese refusal for a key that anyone could guess (short, one or two repeated characters, or a
    value copied from the documentation ``examples``); None for a usable key."""
    key = key or ""
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 8 or (examples and key in examples):
        return WEAK_SECRET_KEY
    return None


def create_owner_only(path: Path) -> None:
    """Create an empty file readable by its owner only (0600), if it does not exist yet (and its folder does)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except (FileExistsError, FileNotFoundError):
        pass
