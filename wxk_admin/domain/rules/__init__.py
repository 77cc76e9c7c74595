"""Eligibility rules (资格初审), in parts: ``schema`` → ``rulesets`` → ``measures`` → ``evaluation`` (pure) →
``storage`` (writes).  Callers outside the domain use the public face, ``wxk_admin.rules``.
"""
