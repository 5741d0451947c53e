"""Enforcement demo data: none. Investigators record their own networks; the
demo users (`investigator.col`, `investigator.pan`, `prosecutor.col`) start with
an empty channel."""

from __future__ import annotations
