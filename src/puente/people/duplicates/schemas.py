"""Shapes of the duplicate review queue."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from puente.people.schemas import FieldComparisonRead, PersonSummary


class DuplicateScan(BaseModel):
    persons: int
    pairs_compared: int
    candidates_new: int
    model_trained: bool


class DuplicateCandidateRead(BaseModel):
    id: uuid.UUID
    status: str
    probability: float
    found_at: dt.datetime
    person_a: PersonSummary
    person_b: PersonSummary
    fields: list[FieldComparisonRead]


class MergeIn(BaseModel):
    keep_person_id: uuid.UUID


class MergeRead(BaseModel):
    id: uuid.UUID
    kept_person_id: uuid.UUID
    merged_person_id: uuid.UUID
    moved: int
    merged_at: dt.datetime
    undone_at: dt.datetime | None
