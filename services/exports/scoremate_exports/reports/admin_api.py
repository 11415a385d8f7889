"""The monthly report for admins: thin, the decisions are in service.py."""

from fastapi import APIRouter

router = APIRouter(prefix="/admin/reports", tags=["admin"])
