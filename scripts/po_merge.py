"""A git merge driver for gettext catalogs: the union of both sides' messages.

Catalogs are sorted and carry no locations, so two branches that each add strings
touch neighbouring lines and git's text merge reports conflicts that are not real.
This driver keeps every message of both sides; when both changed one message's
translation, ours wins unless ours is unchanged from the base.

Enable it in a clone (nothing here is needed to build or test Puente):

    git config merge.po.name "gettext catalog union"
    git config merge.po.driver ".venv/bin/python scripts/po_merge.py %O %A %B"
    echo '*.po merge=po' >> .git/info/attributes
    echo '*.pot merge=po' >> .git/info/attributes

After a merge, `make messages` drops strings that no code uses any more.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def _read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def merge(base: Catalog, ours: Catalog, theirs: Catalog) -> Catalog:
    merged = ours
    for message in theirs:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        mine = merged.get(key, message.context)
        if mine is None:
            merged[message.id] = message
            continue
        original = base.get(key, message.context)
        unchanged = original is not None and original.string == mine.string
        if (not mine.string or unchanged) and message.string:
            mine.string = message.string
            mine.flags = set(message.flags)
    return merged


def main(argv: list[str]) -> int:
    base_path, ours_path, theirs_path = (Path(arg) for arg in argv[1:4])
    merged = merge(_read(base_path), _read(ours_path), _read(theirs_path))
    buffer = io.BytesIO()
    write_po(
        buffer,
        merged,
        omit_header=False,
        sort_output=True,
        width=88,
        include_previous=False,
        no_location=True,
    )
    ours_path.write_bytes(buffer.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
