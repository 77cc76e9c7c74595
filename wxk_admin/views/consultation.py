"""Placeholder: filled by its issue."""


def register(admin) -> None:
    pass
