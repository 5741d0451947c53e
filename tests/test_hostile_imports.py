"""The hostile-imports suite (issue 9): more than 500 malformed files through
every importer — early-warning flow counts (service and `puente flows
import`), financing flows and 5W reports (service and HTTP upload). For every
file: no server error (only a DomainError, a 4xx), nothing half-written (the
database snapshot and the flow store unchanged after a refusal), and every
problem names its file — and, when the fault sits in a row, the row and column.
Memory stays under 512 MB while refusing the largest hostile files."""

from __future__ import annotations

import csv
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from puente.core.config import Settings, get_settings
from puente.core.errors import DomainError
from puente.core.tabular import read_table
from puente.identity import Role, system_actor
from tests.coordination.conftest import coordination_demo  # noqa: F401 - fixture
from tests.financing.conftest import financing_demo, role_actor  # noqa: F401
from tests.hostile_files import Base, Hostile, csv_bytes, hostile_files, zip_bomb
from tests.snapshots import snapshot

ROOT = Path(__file__).resolve().parents[1] / "src" / "puente"
MEMORY_LIMIT = 512 * 1024 * 1024


def _rows(path: Path, count: int) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        body = [row for row in reader if not row[0].startswith("#")][:count]
    return header, body


def _base_of(path: Path, prefix: str, text: set[str], counts: set[str]) -> Base:
    header, rows = _rows(path, 2)
    for number, row in enumerate(rows):
        row[0] = f"{prefix}-{number}"  # a reference no other test uses
    return Base(
        header,
        rows,
        [i for i, c in enumerate(header) if c in text],
        [i for i, c in enumerate(header) if c in counts],
    )


FLOWS = Base(
    ["t", "nat", "n"],
    [
        ["2024-01-01", "VEN", "10"],
        ["2024-02-01", "VEN", "12"],
        ["2024-01-01", "HTI", "3"],
    ],
    [1],
    [2],
)
FINANCING = _base_of(
    ROOT / "financing" / "data" / "flows_seed.csv",
    "HOSTILE-F",
    {"source_organisation", "destination_organisation", "sector", "description"},
    {"amount", "usage_year"},
)
COORDINATION = _base_of(
    ROOT / "coordination" / "data" / "activities_sample_5w.csv",
    "HOSTILE-C",
    {"organisation", "admin1", "admin2", "description", "indicator"},
    {"women", "men", "girls", "boys", "total", "new_people"},
)
FLOW_FILES = list(hostile_files(FLOWS, "flows"))
FINANCING_FILES = list(hostile_files(FINANCING, "fin"))
COORDINATION_FILES = list(hostile_files(COORDINATION, "5w"))
# Faults that the flow importer must refuse (not only name when it does).
MUST_REFUSE = ("formula-", "count-", "huge-", "nul-cell", "ragged-long", "xlsx-zip")


def test_the_suite_has_more_than_500_files() -> None:
    total = len(FLOW_FILES) + len(FINANCING_FILES) + len(COORDINATION_FILES)
    assert total >= 500, total
    labels = {h.label.split("-")[0] for h in FLOW_FILES}
    assert {"encoding", "truncated", "huge", "formula", "xlsx", "path", "nul"} <= labels


def shown_name(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1][:120] or "upload"


def problems_of(error: DomainError) -> list[str]:
    detail = getattr(error, "problems", None) or getattr(error, "detail", None)
    if isinstance(detail, list | tuple) and detail:
        return [p if isinstance(p, str) else p.text() for p in detail]
    return [str(error)]


def judge(hostile: Hostile, name: str, problems: list[str]) -> list[str]:
    """What is wrong with the error a refused file got (empty: nothing)."""
    wrong = []
    if not problems or len(problems) > 20:
        wrong.append(f"{len(problems)} problems")
    for problem in problems:
        if name not in problem:
            wrong.append(f"does not name {name!r}: {problem[:200]!r}")
        if len(problem) > 1_000 or "\n" in problem:
            wrong.append(f"not one short line ({len(problem)} chars)")
    if hostile.row_level and not any(
        ", row " in p and ", column " in p for p in problems
    ):
        wrong.append(f"names no row and column: {problems[0][:200]!r}")
    return wrong


def run_all(
    files: list[Hostile],
    sessions: sessionmaker[Session],
    attempt: Callable[[Hostile], str],
    store: Path | None = None,
    must_refuse: tuple[str, ...] = (),
) -> None:
    """Import each file; `attempt` returns the name the errors must show."""
    failures: list[str] = []
    refused = 0
    for hostile in files:
        before = snapshot(sessions)
        stored = set(store.rglob("*")) if store and store.exists() else set()
        try:
            attempt(hostile)
        except DomainError as error:
            refused += 1
            name = shown_name(hostile.name)
            failures += [
                f"{hostile.label}: {w}"
                for w in judge(hostile, name, problems_of(error))
            ]
            if (after := snapshot(sessions)) != before:
                failures.append(
                    f"{hostile.label}: wrote {before.changed_tables(after)}"
                )
            if store and store.exists() and set(store.rglob("*")) != stored:
                failures.append(f"{hostile.label}: left files in the flow store")
        except Exception as error:
            failures.append(
                f"{hostile.label}: server error {type(error).__name__}: {error!s:.200}"
            )
        else:
            if hostile.label.startswith(must_refuse):
                failures.append(f"{hostile.label}: imported, must be refused")
    assert not failures, "\n".join(failures[:40])
    assert refused >= len(files) // 2


@pytest.fixture
def var_dir(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.setenv("PUENTE_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def disk_name(hostile: Hostile) -> str:
    name = shown_name(hostile.name).replace("\x00", "")[:100]
    return name if name not in ("", ".", "..", "upload") else "upload.csv"


def test_early_warning_flow_imports(
    session: Session, sessions: sessionmaker[Session], var_dir: Path, tmp_path: Path
) -> None:
    from puente.early_warning import service

    files = tmp_path / "in"
    files.mkdir()

    def attempt(hostile: Hostile) -> str:
        path = files / uuid.uuid4().hex / disk_name(hostile)
        path.parent.mkdir()
        path.write_bytes(hostile.data)
        service.import_flows(
            session,
            actor=system_actor(),
            path=path,
            source=f"hostile_{uuid.uuid4().hex[:8]}",
            date_column="t",
            count_column="n",
            dimensions=["nat"],
            profile={"tenant": "PAN"},
        )
        return path.name

    run_all(
        [h for h in FLOW_FILES if not h.label.startswith("path-")]
        + [
            Hostile(h.label, disk_name(h), h.data)
            for h in FLOW_FILES
            if h.label.startswith("path-")
        ],
        sessions,
        attempt,
        store=var_dir / "flows",
        must_refuse=MUST_REFUSE,
    )


def test_financing_flow_imports(
    financing_demo: str,  # noqa: F811
    session: Session,
    sessions: sessionmaker[Session],
) -> None:
    from puente.financing import service

    def attempt(hostile: Hostile) -> str:
        service.import_flows(
            session,
            actor=role_actor(Role.COORDINATOR),
            data=hostile.data,
            file_name=hostile.name,
        )
        return hostile.name

    run_all(FINANCING_FILES, sessions, attempt)


def test_coordination_report_imports(
    coordination_demo: str,  # noqa: F811
    session: Session,
    sessions: sessionmaker[Session],
) -> None:
    from puente.coordination import service

    def attempt(hostile: Hostile) -> str:
        service.import_reports(
            session,
            actor=role_actor(Role.COORDINATOR),
            data=hostile.data,
            file_name=hostile.name,
        )
        return hostile.name

    run_all(COORDINATION_FILES, sessions, attempt)


@pytest.mark.parametrize(
    ("url", "files"),
    [
        ("/api/v1/financing/flows/import", FINANCING_FILES[::3]),
        ("/api/v1/coordination/reports/import", COORDINATION_FILES[::3]),
    ],
    ids=["financing", "coordination"],
)
def test_http_uploads_answer_4xx_and_write_nothing(
    coordination_demo: str,  # noqa: F811
    client: TestClient,
    sessions: sessionmaker[Session],
    token_for: Callable[[str], str],
    url: str,
    files: list[Hostile],
) -> None:
    headers = {"Authorization": f"Bearer {token_for('coordinator.hub')}"}
    failures = []
    for hostile in files:
        before = snapshot(sessions)
        response = client.post(
            url,
            headers=headers,
            files={"file": (hostile.name, hostile.data, "text/csv")},
        )
        if response.status_code >= 500:
            failures.append(f"{hostile.label}: {response.status_code}")
        elif response.status_code >= 400:
            body = response.json()
            if set(body) != {"error", "detail"} and "detail" not in body:
                failures.append(f"{hostile.label}: body {str(body)[:200]}")
            if snapshot(sessions) != before:
                failures.append(f"{hostile.label}: refused but wrote")
            if len(response.content) > 30_000:
                failures.append(f"{hostile.label}: {len(response.content)} byte error")
    assert not failures, "\n".join(failures[:40])


CLI_LABELS = (*MUST_REFUSE, "nul-", "garbage-", "xlsx-truncated", "xlsx-not-xml")


def test_the_cli_prints_one_line_per_problem_and_no_traceback(
    settings: Settings, var_dir: Path, tmp_path: Path
) -> None:
    from puente.cli import app as cli_app

    runner = CliRunner()
    failures = []
    for index, hostile in enumerate(
        h for h in FLOW_FILES if h.label.startswith(CLI_LABELS)
    ):
        path = tmp_path / f"{index}-{disk_name(hostile)}"
        path.write_bytes(hostile.data)
        result = runner.invoke(
            cli_app,
            [
                "flows",
                "import",
                str(path),
                "--source",
                f"cli_{index}",
                "--date-column",
                "t",
                "--count-column",
                "n",
                "--dimension",
                "nat",
            ],
        )
        output = result.output
        if (
            result.exit_code != 2
            or "Traceback" in output
            or (result.exception and not isinstance(result.exception, SystemExit))
        ):
            failures.append(
                f"{hostile.label}: exit {result.exit_code}: {output[-300:]!r}"
            )
        elif not all(
            line.startswith("error: ") for line in output.strip().splitlines()
        ):
            failures.append(f"{hostile.label}: {output[:300]!r}")
    assert not failures, "\n".join(failures[:40])
    assert not (var_dir / "flows").exists() or not any(
        (var_dir / "flows").rglob("*.parquet")
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: b"c," * 1_000_000 + b"c\n",
        lambda: b"a,b\n" + b"1," * 1_000_000 + b"\n",
        lambda: b"a\n" + b"x" * (9 * 2**20) + b"\n",
        lambda: b"a\n" + b"1\n" * (4 * 2**20),
        zip_bomb,
        lambda: zip_bomb(ratio_ok=True),
    ],
    ids=[
        "1e6-columns",
        "1e6-cells-row",
        "9MB-cell",
        "4e6-rows",
        "xlsx-bomb",
        "xlsx-bomb-noisy",
    ],
)
def test_memory_stays_under_512_mb_and_errors_stay_short(
    make: Callable[[], bytes],
) -> None:
    data = make()
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as refused:
            read_table(data, "hostile.csv")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_LIMIT, peak
    text = str(refused.value)
    assert "hostile.csv" in text
    assert len(text) < 2_000


def test_a_blank_category_imports_as_not_stated_and_strict_refuses(
    session: Session, var_dir: Path, tmp_path: Path
) -> None:
    from puente.early_warning import service
    from puente.early_warning.errors import FlowFileRejected
    from puente.early_warning.service.reading import NOT_STATED, dimension_label

    path = tmp_path / "blanks.csv"
    path.write_bytes(
        csv_bytes(
            ["t", "area", "n"],
            [
                ["2024-01-01", "north", "4"],
                ["2024-01-01", "", "2"],
                ["2024-02-01", " ", "1"],
            ],
        )
    )

    def run(strict: bool, source: str) -> object:
        return service.import_flows(
            session,
            actor=system_actor(),
            path=path,
            source=source,
            date_column="t",
            count_column="n",
            dimensions=["area"],
            profile={"tenant": "PAN"},
            strict=strict,
        )

    before = snapshot_store(var_dir)
    with pytest.raises(FlowFileRejected) as refused:
        run(True, "blank_strict")
    assert "blanks.csv, row 3, column area: empty value" in refused.value.problems[0]
    assert snapshot_store(var_dir) == before
    summary = run(False, "blank_lenient")
    assert summary.not_stated == 2  # type: ignore[attr-defined]
    panel = service.series_panel(
        session, actor=system_actor(), series_key=f"blank_lenient|area={NOT_STATED}"
    )
    assert panel.counts == [2.0, 1.0]
    assert dimension_label(NOT_STATED) == "not stated"


def snapshot_store(var_dir: Path) -> set[Path]:
    return (
        set((var_dir / "flows").rglob("*")) if (var_dir / "flows").exists() else set()
    )
