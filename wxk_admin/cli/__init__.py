"""``flask --app wsgi wxk ...`` — the wxk commands: each module defines its own, the group gathers them here."""
from __future__ import annotations

from flask.cli import AppGroup

from . import accounts, backup, cip, generate, outbox, rules, units

wxk = AppGroup("wxk", help="wxk-admin 管理命令 (demo data, accounts, imports).")
for command in (accounts.demo_command, accounts.create_user_command, units.import_units_command,
                cip.import_cip_command, rules.recheck_command, backup.backup_command, backup.restore_command,
                generate.generate_command, outbox.send_outbox_command):
    wxk.add_command(command)


def init_app(app) -> None:
    app.cli.add_command(wxk)
