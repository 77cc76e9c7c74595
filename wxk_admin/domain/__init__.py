"""The domain: what the association's rules say, as plain Python.

Every function takes ``(session, actor, …)`` and returns a result or raises a refusal with a Chinese message; it
fetches rows through ``access`` (row scope) and changes states only through ``workflow``.  Nothing here imports
flask, flask_admin, flask_login or the views (``tests/test_import_direction.py``): the web calls the domain,
never the other way round.
"""
