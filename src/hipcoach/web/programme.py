"""Web pages and API routes for the programme (filled in by issue 5)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
