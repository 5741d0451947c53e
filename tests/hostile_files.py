"""Malformed and hostile files for every importer (issue 9, the hostile-imports
suite): encodings, truncation, huge cells, formula injection, zip bombs, XML
entities, path-like names, BOMs, NULs, mixed newlines, ragged rows, absurd
counts. Deterministic (seeded); each file says whether its problem sits in a
row (so the error must name the row and the column)."""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    label: str
    name: str
    data: bytes
    row_level: bool = False  # the error must name a row and a column


@dataclass(frozen=True)
class Base:
    """A valid file of one importer: header and rows of text cells, the
    columns holding text (where formulas are planted) and counts."""

    header: list[str]
    rows: list[list[str]]
    text_columns: list[int]
    count_columns: list[int]


def csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    def quote(cell: str) -> str:
        if any(c in cell for c in ',"\r\n'):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    lines = [",".join(quote(c) for c in row) for row in [header, *rows]]
    return (newline.join(lines) + newline).encode("utf-8")


# ------------------------------------------------------------------ XLSX parts

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    'package.relationships+xml"/><Default Extension="xml" ContentType="application/'
    'xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxml'
    'formats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
    'name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
    'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def sheet_xml(grid: list[list[str]], prolog: str = "", dimension: str = "") -> str:
    rows = []
    for r, row in enumerate(grid, start=1):
        cells = "".join(
            f'<c r="{_column(c)}{r}" t="inlineStr"><is><t>{cell}</t></is></c>'
            for c, cell in enumerate(row)
        )
        rows.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet xmlns="{_NS}">'
        f"{dim}<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )


def xlsx_bytes(sheet: str, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _escape(cell: str) -> str:
    return cell.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xlsx_of(base: Base, rows: list[list[str]] | None = None) -> bytes:
    grid = [base.header, *(rows if rows is not None else base.rows)]
    return xlsx_bytes(sheet_xml([[_escape(c) for c in row] for row in grid]))


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;'
    '&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'
    '&lol1;&lol1;&lol1;&lol1;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
    '&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'
    '&lol3;&lol3;&lol3;&lol3;"><!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'
    '&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'
    '&lol5;&lol5;&lol5;&lol5;">]>'
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def zip_bomb(ratio_ok: bool = False) -> bytes:
    """An XLSX whose sheet XML unzips to ~70 MB (padding whitespace)."""
    padding = " " * (70 * 1024 * 1024)
    sheet = sheet_xml([["a"]]).replace("<sheetData>", padding + "<sheetData>")
    if ratio_ok:  # same size, but spread so no single ratio looks odd
        rng = random.Random(7)  # noqa: S311 - test data
        noise = "".join(rng.choice("abcdefgh") for _ in range(200_000))
        sheet = sheet.replace("<sheetData>", f"<!--{noise}--><sheetData>")
    return xlsx_bytes(sheet)


def many_members() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(1_200):
            archive.writestr(f"x/{i}.xml", "")
    return buffer.getvalue()


def lying_sizes(base: Base) -> bytes:
    """An XLSX whose central directory understates the sheet's unzipped size."""
    data = bytearray(xlsx_of(base, base.rows * 50))
    # The local and central headers store the uncompressed size right after the
    # compressed size; shrink every stored size to 10 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (found := data.find(signature, start)) >= 0:
            data[found + offset : found + offset + 4] = (10).to_bytes(4, "little")
            start = found + 4
    return bytes(data)


# ------------------------------------------------------------------ generators


def hostile_files(base: Base, stem: str, *, xlsx: bool = True) -> Iterator[Hostile]:
    """About 180 hostile variants of `base`."""
    rng = random.Random(stem)  # noqa: S311 - test data
    header, rows = base.header, base.rows
    valid = csv_bytes(header, rows)
    width = len(header)

    def row_with(index: int, value: str, row: int = 0) -> list[list[str]]:
        changed = [list(r) for r in rows]
        changed[row][index] = value
        return changed

    def csv_of(new_rows: list[list[str]], name: str = "") -> Callable[[], bytes]:
        return lambda: csv_bytes(header, new_rows)

    # encodings ---------------------------------------------------------
    text = valid.decode("utf-8")
    for label, data in (
        ("utf16le-bom", b"\xff\xfe" + text.encode("utf-16-le")),
        ("utf16be-bom", b"\xfe\xff" + text.encode("utf-16-be")),
        ("utf16le-nobom", text.encode("utf-16-le")),
        ("utf32", text.encode("utf-32")),
        (
            "cp1252",
            text.replace(rows[0][base.text_columns[0]], "Señal–ñ").encode("cp1252"),
        ),
        (
            "latin1",
            text.replace(rows[0][base.text_columns[0]], "Ñandú").encode("latin-1"),
        ),
        ("shift-jis", text.encode("utf-8") + "日本語".encode("shift_jis")),
        ("invalid-utf8", valid.replace(b",", b"\xff\xfe,", 1)),
        ("overlong-utf8", valid + b"\xc0\xaf\xe0\x80\xaf\n"),
        ("lone-surrogate", valid + b"\xed\xa0\x80\n"),
        ("utf8-bom", b"\xef\xbb\xbf" + valid),
        ("double-bom", b"\xef\xbb\xbf\xef\xbb\xbf" + valid),
        ("bom-mid", valid.replace(b"\n", b"\n\xef\xbb\xbf", 1)),
        ("utf16-odd", b"\xff\xfe" + text.encode("utf-16-le")[:-1]),
    ):
        yield Hostile(f"encoding-{label}", f"{stem}-{label}.csv", data)
    # truncation ----------------------------------------------------------
    for cut in (1, 5, len(valid) // 3, len(valid) // 2, len(valid) - 3):
        yield Hostile(f"truncated-{cut}", f"{stem}-cut{cut}.csv", valid[:cut])
    if xlsx:
        book = xlsx_of(base)
        for cut in (10, 100, len(book) // 2, len(book) - 30):
            yield Hostile(f"xlsx-truncated-{cut}", f"{stem}-cut{cut}.xlsx", book[:cut])
    yield Hostile("quote-unclosed", f"{stem}-quote.csv", valid + b'"unclosed,1\n')
    # huge cells ------------------------------------------------------------
    for index in range(width):
        for size in (2_001, 200_000):
            yield Hostile(
                f"huge-cell-{index}-{size}",
                f"{stem}-huge{index}-{size}.csv",
                csv_bytes(header, row_with(index, "x" * size)),
                row_level=True,
            )
    yield Hostile(
        "huge-header",
        f"{stem}-hugeheader.csv",
        csv_bytes([*header[:-1], "h" * 5_000], rows),
        row_level=True,
    )
    # formula injection ---------------------------------------------------
    for index in base.text_columns:
        for formula in (
            "=cmd|' /C calc'!A0",
            "+SUM(1,1)",
            "-2+3",
            "@SUM(A1)",
            '=HYPERLINK("http://x")',
            "\t=1",
        ):
            yield Hostile(
                f"formula-{index}-{formula[:4]!r}",
                f"{stem}-formula{index}.csv",
                csv_bytes(header, row_with(index, formula)),
                row_level=True,
            )
    # counts ------------------------------------------------------------------
    for index in base.count_columns:
        for count in (
            "1e308",
            str(2**63),
            "-5",
            "NaN",
            "inf",
            "１２",
            "9" * 5_000,
            "0x10",
            "1_000",
            "²",
            "12.5",
        ):
            yield Hostile(
                f"count-{index}-{count[:6]}",
                f"{stem}-count{index}.csv",
                csv_bytes(header, row_with(index, count)),
                row_level=True,
            )
    # ragged ------------------------------------------------------------------
    yield Hostile(
        "ragged-long",
        f"{stem}-ragged.csv",
        csv_bytes(header, [rows[0] + ["extra", "cells"], *rows[1:]]),
        row_level=True,
    )
    yield Hostile(
        "ragged-short", f"{stem}-short.csv", csv_bytes(header, [rows[0][:1], *rows[1:]])
    )
    yield Hostile(
        "ragged-many",
        f"{stem}-raggedmany.csv",
        csv_bytes(header, [r + ["x"] * (i + 1) for i, r in enumerate(rows)]),
        row_level=True,
    )
    # columns and rows beyond the limits ------------------------------------
    yield Hostile(
        "columns-1e5",
        f"{stem}-wide.csv",
        (",".join(f"c{i}" for i in range(100_000)) + "\n1\n").encode(),
    )
    yield Hostile("rows-too-many", f"{stem}-long.csv", csv_bytes(header, rows * 60_000))
    yield Hostile("bytes-too-many", f"{stem}-big.csv", valid + b"#" * (11 * 2**20))
    yield Hostile(
        "header-duplicate",
        f"{stem}-dup.csv",
        csv_bytes([header[0], *header[:-1]], rows),
    )
    yield Hostile(
        "header-blank", f"{stem}-blankhead.csv", csv_bytes(["", *header[1:]], rows)
    )
    yield Hostile("header-only", f"{stem}-headonly.csv", csv_bytes(header, []))
    # garbage --------------------------------------------------------------
    for i in range(12):
        size = rng.choice((1, 7, 64, 512, 4096))
        junk = bytes(rng.randrange(256) for _ in range(size))
        yield Hostile(f"garbage-{i}", f"{stem}-junk{i}.csv", junk)
    for label, data in (
        ("empty", b""),
        ("blank", b" \n\r\n\t\n"),
        ("png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40),
        ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"),
        ("gzip", b"\x1f\x8b\x08\x00" + bytes(30)),
        ("html", b"<html><script>alert(1)</script></html>"),
        ("json", b'{"a": [1, 2, {"b": null}]}'),
        ("deep-json", b"[" * 50_000),
        ("zip-not-xlsx", b"PK\x03\x04" + bytes(60)),
    ):
        yield Hostile(f"garbage-{label}", f"{stem}-{label}.csv", data)
    # NULs ----------------------------------------------------------------
    yield Hostile("nul-only", f"{stem}-nul.csv", b"\x00" * 100)
    yield Hostile(
        "nul-cell",
        f"{stem}-nulcell.csv",
        csv_bytes(header, row_with(base.text_columns[0], "VE\x00N")),
        row_level=True,
    )
    yield Hostile("nul-header", f"{stem}-nulhead.csv", b"\x00" + valid)
    # newlines --------------------------------------------------------------
    for label, newline in (("cr", "\r"), ("crlf", "\r\n"), ("lfcr", "\n\r")):
        yield Hostile(
            f"newline-{label}", f"{stem}-{label}.csv", csv_bytes(header, rows, newline)
        )
    mixed = valid.replace(b"\n", b"\r\n", 1).replace(b"\n", b"\r", 2)
    yield Hostile("newline-mixed", f"{stem}-mixed.csv", mixed)
    yield Hostile(
        "newline-in-cell",
        f"{stem}-cellnl.csv",
        csv_bytes(header, row_with(base.text_columns[0], "a\rb\nc")),
    )
    # delimiters ------------------------------------------------------------
    yield Hostile("semicolons", f"{stem}-semi.csv", valid.replace(b",", b";"))
    yield Hostile("tabs", f"{stem}-tabs.csv", valid.replace(b",", b"\t"))
    # path-like names -------------------------------------------------------
    for name in (
        "../../../../tmp/x.csv",
        "..\\..\\windows\\x.csv",
        "/etc/passwd",
        "C:\\Users\\x.csv",
        "a/b/../../c.csv",
        "x" * 400 + ".csv",
        "<script>alert(1)</script>.csv",
        "%2e%2e%2fx.csv",
        "name\u202egnp.csv",
        "",
    ):
        yield Hostile(f"path-{name[:12]!r}", name, valid)
    if not xlsx:
        return
    # XLSX: bombs, entities, odd sheets --------------------------------------
    yield Hostile("xlsx-zip-bomb", f"{stem}-bomb.xlsx", zip_bomb())
    yield Hostile("xlsx-zip-bomb-noisy", f"{stem}-bomb2.xlsx", zip_bomb(ratio_ok=True))
    yield Hostile("xlsx-many-members", f"{stem}-members.xlsx", many_members())
    yield Hostile("xlsx-lying-sizes", f"{stem}-lying.xlsx", lying_sizes(base))
    grid = [[_escape(c) for c in r] for r in [header, *rows]]
    yield Hostile(
        "xlsx-billion-laughs",
        f"{stem}-laughs.xlsx",
        xlsx_bytes(sheet_xml([[*grid[0]], ["&lol6;"]], prolog=LAUGHS)),
    )
    yield Hostile(
        "xlsx-external-entity",
        f"{stem}-xxe.xlsx",
        xlsx_bytes(sheet_xml([[*grid[0]], ["&xxe;"]], prolog=EXTERNAL)),
    )
    yield Hostile(
        "xlsx-laughs-in-strings",
        f"{stem}-sst.xlsx",
        xlsx_bytes(
            sheet_xml(grid),
            {
                "xl/sharedStrings.xml": (
                    LAUGHS + f'<sst xmlns="{_NS}"><si><t>&lol6;</t></si></sst>'
                ).encode()
            },
        ),
    )
    yield Hostile(
        "xlsx-huge-dimension",
        f"{stem}-dim.xlsx",
        xlsx_bytes(sheet_xml(grid, dimension="A1:XFD1048576")),
    )
    yield Hostile(
        "xlsx-wide-row",
        f"{stem}-wide.xlsx",
        xlsx_bytes(sheet_xml([grid[0], ["1"] * 5_000])),
    )
    yield Hostile(
        "xlsx-huge-cell",
        f"{stem}-hugecell.xlsx",
        xlsx_of(base, row_with(base.text_columns[0], "y" * 5_000)),
        row_level=True,
    )
    yield Hostile(
        "xlsx-formula-cell",
        f"{stem}-formula.xlsx",
        xlsx_of(base, row_with(base.text_columns[0], "=1+1")),
        row_level=True,
    )
    yield Hostile("xlsx-not-xml", f"{stem}-notxml.xlsx", xlsx_bytes("not xml at all <"))
    yield Hostile("xlsx-named-csv", f"{stem}-disguised.csv", xlsx_of(base))
    yield Hostile("csv-named-xlsx", f"{stem}-disguised.xlsx", valid)
    yield Hostile(
        "xlsx-empty-sheet", f"{stem}-emptysheet.xlsx", xlsx_bytes(sheet_xml([]))
    )
