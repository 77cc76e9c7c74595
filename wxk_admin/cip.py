"""CIP verification — placeholder until issue 5 lands."""


def refresh_flag(session, application) -> None:
    return None


def submission_problems(session, application) -> list[str]:
    """Chinese messages for books that block submission (none until issue 5 lands)."""
    return []
