"""Import a third-party module without paying for regular expressions it compiles but rarely uses.

ReportLab's paragraph module compiles, on import, a URL pattern whose case-insensitive Unicode
ranges take about 30 ms to build (every plain ReportLab script pays it), although the pattern
serves only to hyphenate URLs; its CJK word splitter does the same on a smaller scale. Together
that is a tenth of a cold ``generate``. While such a module is imported, the patterns it compiles
are built when first used instead: an unused one is never built, a used one costs what it did,
once.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterable
from typing import Any

_compile = re.compile


class PatternOnFirstUse:
    """Stands for ``re.compile(pattern, flags)`` and compiles it on first use."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        # Python calls this only for what the stand-in itself lacks: the pattern's methods
        # (match, sub, split...) and attributes.
        if self._compiled is None:
            self._compiled = _compile(*self._source)
        return getattr(self._compiled, name)


def import_with_patterns_on_first_use(module: str, owners: Iterable[str]) -> None:
    """Import ``module``; the patterns that modules named in ``owners`` compile meanwhile are
    compiled on first use.

    Only for modules that use their patterns by calling their methods: ``re.sub(pattern, ...)``
    with a stand-in would fail. Does nothing when ``module`` is already imported.
    """
    if module in sys.modules:
        return
    deferred = frozenset(owners)

    def compile_when_used(pattern: Any, flags: int = 0) -> Any:
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller in deferred and isinstance(pattern, str):
            return PatternOnFirstUse(pattern, int(flags))
        return _compile(pattern, flags)

    re.compile = compile_when_used
    try:
        importlib.import_module(module)
    finally:
        re.compile = _compile
