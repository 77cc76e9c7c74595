"""Eligibility rules — placeholder until issue 6 lands."""


def refresh(session, application) -> None:
    return None
