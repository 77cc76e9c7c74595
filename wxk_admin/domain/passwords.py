"""Passwords: the policy a new password must meet, a generated one, and changing or resetting one.

Plain Python on the session; ``auth`` (login, sessions) and the applicant's accounts both use it.
Hashing itself is ``User.set_password`` / ``check_password`` (werkzeug's scrypt).
"""
from __future__ import annotations

import secrets

from .audit import Actor, record
from ..models import User

MIN_PASSWORD_LENGTH = 8

# The most common passwords (top of public breach lists) plus obvious local ones.
COMMON_PASSWORDS = frozenset("""
123456 123456789 12345678 password qwerty123 qwerty 1q2w3e4r 1234567890 11111111 00000000 88888888
abc12345 abcd1234 password1 iloveyou 1qaz2wsx qwertyuiop 123123123 987654321 66666666 12341234
a1234567 a12345678 aa123456 admin123 administrator passw0rd p@ssw0rd welcome1 zxcvbnm123 5201314520
woaini1314 woaini520 1314520520 asdfghjkl qazwsxedc 147258369 12qwaszx 123qweasd changeme
zuoxie123 chinawriter zuojia123 zgzx1234
""".split())


def password_problems(username: str, password: str) -> list[str]:
    """Chinese messages for every rule the new password breaks (empty when acceptable)."""
    problems = []
    if len(password or "") < MIN_PASSWORD_LENGTH:
        problems.append(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if password and username and password.lower() == username.lower():
        problems.append("密码不能与用户名相同")
    if (password or "").lower() in COMMON_PASSWORDS:
        problems.append("密码过于常见，请换一个")
    return problems


GENERATED_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I to misread


def generate_password() -> str:
    """A 12-character password with letters and digits, for an account the unit admin creates or resets."""
    while True:
        password = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(12))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def rotate_session_token(user: User) -> None:
    """End every other session of this user (password change, deactivation)."""
    user.session_token = secrets.token_hex(16)


def set_password(session, user: User, new_password: str, actor: Actor, *, must_change: bool = False) -> list[str]:
    problems = password_problems(user.username, new_password)
    if problems:
        return problems
    user.set_password(new_password)
    user.must_change_password = must_change
    user.failed_logins = 0
    user.locked_until = None
    rotate_session_token(user)
    record(session, actor, "password_reset" if actor.user is not user else "password_change", user)
    return []


def change_password(session, user: User, old: str, new: str, repeat: str, actor: Actor) -> dict[str, list[str]]:
    """修改密码: field → errors (empty dict on success; the caller commits)."""
    errors: dict[str, list[str]] = {}
    if not user.check_password(old or ""):
        errors["old_password"] = ["原密码不正确"]
    if new != repeat:
        errors["repeat_password"] = ["两次输入的新密码不一致"]
    problems = password_problems(user.username, new or "")
    if old and new == old:
        problems.append("新密码不能与原密码相同")
    if problems:
        errors["new_password"] = problems
    if errors:
        return errors
    set_password(session, user, new, actor)
    return {}
