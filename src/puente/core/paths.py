"""Identifiers that become file paths: one gate for all of them.

Whatever a person types (a flow source name, a tenant code, a file stem) may end up
as a directory or file name. `safe_name` accepts only a plain name (letters, digits,
`_`, `-`, `.` inside, at most 64 characters: no separator, no `..`, no leading dot, no
control or Unicode look-alike characters), and `safe_join` joins parts under a root and
refuses any result that resolves outside it (symlinks included).
"""

from __future__ import annotations

import re
from pathlib import Path

from puente.core.errors import InvalidInput
from puente.core.i18n import N_

_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.-]{0,62}[A-Za-z0-9_-])?")
MAX_NAME = 64


class UnsafeName(InvalidInput):
    message = N_(
        "%(field)s must be a plain name: letters, digits, '_', '-' or '.', "
        "at most %(max_length)s characters, no path."
    )


class PathOutsideRoot(InvalidInput):
    message = N_("%(field)s points outside the place it must stay in.")


def is_safe_name(value: str) -> bool:
    return bool(_NAME.fullmatch(value)) and ".." not in value


def safe_name(value: str, *, field: str, max_length: int = MAX_NAME) -> str:
    """`value` unchanged when it is a plain name; `UnsafeName` naming `field` if not."""
    if not isinstance(value, str) or len(value) > max_length or not is_safe_name(value):
        raise UnsafeName(field=field, max_length=max_length)
    return value


def safe_join(root: Path, *parts: str, field: str) -> Path:
    """`root / parts...`, refused unless it resolves inside `root`.

    Each part may be a relative path of plain names (`source=x/vintage=y`); absolute
    parts, `..`, empty segments and symlinks leading out are refused.
    """
    base = root.resolve()
    candidate = base
    for part in parts:
        if not part or part.startswith(("/", "\\")) or "\\" in part or "\x00" in part:
            raise PathOutsideRoot(field=field)
        for segment in part.split("/"):
            if segment in ("", ".", ".."):
                raise PathOutsideRoot(field=field)
            candidate = candidate / segment
    resolved = candidate.resolve()
    if resolved != base and base not in resolved.parents:
        raise PathOutsideRoot(field=field)
    return candidate
