"""The URL converter for database ids: ``<id:pk>``.

Django's ``int`` converter takes any number of digits, and a number past the database's integers
(``/enhed/99999999999999999999/``) reached the query: PostgreSQL compares it, SQLite refuses it
with an error (a 500). An id is 1 to 2**63 − 1 (``DEFAULT_AUTO_FIELD`` is ``BigAutoField``, a
64-bit integer in both databases); any other number is simply not a page here: 404, like an id
that does not exist.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


class IdConverter:
    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)  # no match: 404
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
