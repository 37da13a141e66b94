"""Ids in URLs: a database id has at most 18 digits (2^63 has 19), so a longer number is a 404 before it
reaches a query that SQLite would refuse with an OverflowError."""


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def parse_id(value) -> int | None:
    """An id from a form or query string, or None for anything that is not one."""
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else None


class TokenConverter:
    """Certificate and invoice numbers and verification codes: letters, digits, - and _, at most 64, so that
    control characters (a NUL that PostgreSQL refuses) and endless strings are a 404 before any query."""

    regex = "[A-Za-z0-9_-]{1,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return str(value)
