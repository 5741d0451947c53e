"""Translation catalogs: extract, update, check.

python scripts/i18n.py extract   # rewrite locale/messages.pot from the code
python scripts/i18n.py update    # merge the template into each <lang>/messages.po
python scripts/i18n.py check     # exit 1 when the template is stale or a string
                                 # lacks a translation in any language
python scripts/i18n.py merge FILE.json  # add translations {msgid: {lang: text}}
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE_DIR = ROOT / "src" / "puente" / "locale"
POT = LOCALE_DIR / "messages.pot"
LANGS = ("es", "pt", "fr", "ht")


def extract_to(path: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed arguments
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "ngettext:1,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(path),
            "src",
        ],
        check=True,
        cwd=ROOT,
    )


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def _read(path: Path, lang: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def _write(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(
        buffer,
        catalog,
        omit_header=False,
        sort_output=True,
        width=88,
        include_previous=False,
        no_location=True,
    )
    path.write_bytes(buffer.getvalue())


def _ids(catalog: Catalog) -> set[str]:
    return {str(m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def update() -> None:
    template = _read(POT)
    for lang in LANGS:
        path = _po_path(lang)
        catalog = _read(path, lang) if path.exists() else Catalog(locale=lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.project = "Puente"
        catalog.header_comment = "# Puente translations."
        catalog.fuzzy = False
        _write(catalog, path)


def merge(source: Path) -> None:
    table: dict[str, dict[str, str]] = json.loads(source.read_text("utf-8"))
    for lang in LANGS:
        path = _po_path(lang)
        catalog = _read(path, lang)
        for message in catalog:
            if not message.id:
                continue
            if isinstance(message.id, tuple):  # plural: (singular, plural) forms
                singular, plural = (table.get(str(i), {}).get(lang) for i in message.id)
                if singular is None:
                    continue
                message.string = (singular, plural or singular)
            elif lang in table.get(str(message.id), {}):
                message.string = table[str(message.id)][lang]
            else:
                continue
            message.flags.discard("fuzzy")
        _write(catalog, path)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdifr]")


def _placeholders_match(message: Any) -> bool:
    """A translation must use exactly the named placeholders of its msgid."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    expected = set().union(*(_PLACEHOLDER.findall(str(i)) for i in ids))

    def fits(text: str) -> bool:
        used = set(_PLACEHOLDER.findall(text))
        stray = "%" in _PLACEHOLDER.sub("", text).replace("%%", "")
        return used <= expected and not (expected and stray)

    return all(not text or fits(str(text)) for text in strings)


def problems() -> list[str]:
    found: list[str] = []
    fresh = LOCALE_DIR / ".messages.check.pot"
    try:
        extract_to(fresh)
        if _ids(_read(fresh)) != _ids(_read(POT)):
            found.append("messages.pot is stale: run `make messages`")
    finally:
        fresh.unlink(missing_ok=True)
    expected = _ids(_read(POT))
    for lang in LANGS:
        catalog = _read(_po_path(lang), lang)
        missing = sorted(
            str(m.id)
            for m in catalog
            if m.id
            and (
                not m.string
                or (isinstance(m.string, tuple) and not all(m.string))
                or m.fuzzy
            )
        )
        absent = sorted(expected - _ids(catalog))
        if missing:
            found.append(f"{lang}: {len(missing)} untranslated, e.g. {missing[:3]}")
        broken = sorted(
            str(m.id) for m in catalog if m.id and not _placeholders_match(m)
        )
        if broken:
            found.append(f"{lang}: {len(broken)} with wrong placeholders: {broken[:3]}")
        if absent:
            found.append(f"{lang}: {len(absent)} not merged, e.g. {absent[:3]}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "extract":
        extract_to(POT)
    elif command == "update":
        update()
    elif command == "merge":
        merge(Path(argv[2]))
    elif command == "check":
        issues = problems()
        for issue in issues:
            print(issue)  # noqa: T201
        return 1 if issues else 0
    else:
        print(__doc__)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
