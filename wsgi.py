"""WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi ...``."""
from wxk_admin import create_app

app = create_app()
