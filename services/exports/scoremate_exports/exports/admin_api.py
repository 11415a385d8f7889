"""Admin export routes (data-subject requests): thin, every call recorded in the access log."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/exports", tags=["admin"])
