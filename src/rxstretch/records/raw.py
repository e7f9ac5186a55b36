"""The record a file reader yields: its position and parsed data, or why it could not be read."""

from __future__ import annotations

from typing import Any

from rxstretch.model.frozen import frozen


@frozen
class RawRecord:
    """One record as read from a file, before it is turned into a prescription."""

    row: int
    line: int | None
    data: Any = None
    error: str | None = None
    field: str = ""
