"""Protection services hand out read models, never ORM rows: no live, writable
object reaches the web layer or the API (issue #10). Checked on the return
annotation of every public service function (strict mypy keeps annotations
honest), through containers, tuples, dataclass views and pydantic models. The
functions not converted yet are listed by name; the list may only shrink."""

from __future__ import annotations

import dataclasses
import inspect
import types
import typing
from collections.abc import Iterator

from pydantic import BaseModel
from sqlalchemy.orm import DeclarativeBase

from puente.protection import service
from puente.protection.models import Case

# Public functions still returning ORM rows (directly or inside a view).
PENDING: set[str] = set()


def _leaks(tp: object, seen: set[int] | None = None) -> Iterator[str]:
    seen = set() if seen is None else seen
    if id(tp) in seen:
        return
    seen.add(id(tp))
    if isinstance(tp, type) and issubclass(tp, DeclarativeBase):
        yield tp.__name__
        return
    for arg in typing.get_args(tp):
        yield from _leaks(arg, seen)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        for name, hint in typing.get_type_hints(tp).items():
            if name in {f.name for f in dataclasses.fields(tp)}:
                yield from _leaks(hint, seen)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        for field in tp.model_fields.values():
            yield from _leaks(field.annotation, seen)


def _public_functions() -> dict[str, types.FunctionType]:
    return {
        name: value
        for name in service.__all__
        if inspect.isfunction(value := vars(service)[name])
    }


def _offenders() -> dict[str, list[str]]:
    found = {}
    for name, function in _public_functions().items():
        returned = typing.get_type_hints(function).get("return")
        leaked = sorted(set(_leaks(returned)))
        if leaked:
            found[name] = leaked
    return found


def test_the_checker_sees_rows_inside_views_and_containers() -> None:
    @dataclasses.dataclass
    class View:
        rows: list[Case]

    assert list(_leaks(list[Case])) == ["Case"]
    assert list(_leaks(tuple[int, View] | None)) == ["Case"]
    assert list(_leaks(dict[str, int])) == []


def test_every_public_service_function_is_checked() -> None:
    assert len(_public_functions()) > 50


def test_no_public_service_function_returns_an_orm_row() -> None:
    assert set(_offenders()) == PENDING
