"""Export routes: thin, the decisions are in service.py."""

from fastapi import APIRouter

router = APIRouter(prefix="/exports", tags=["exports"])
