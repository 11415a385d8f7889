"""The library's documents of an export archive (format_version 1), exactly as they go into it:
`library.json` (every score, its metadata and the archive name of its original) and
`setlists.json` (every setlist, its items in order, repeats kept)."""

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scoremate_library.models import Score
from scoremate_library.scores.schemas import page_sizes_out

FORMAT_VERSION = 1
LIBRARY_FILE = "library.json"
SETLISTS_FILE = "setlists.json"
SCORES_FOLDER = "scores/"
# The longest name of an original inside SCORES_FOLDER: every file system (and unzip tool) takes it.
MAX_FILE_NAME_CHARS = 120
# What a name keeps besides letters (of any script): nothing a file system, a shell or a ZIP tool
# reads as a path, a drive, a wildcard or a quote.
_SAFE_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ._()-")


def safe_title(title: str) -> str:
    """The title with only letters and [A-Za-z0-9 ._()-] (anything else becomes a space), composed
    (NFC: one spelling of "é" whatever the source), spaces collapsed, no leading or trailing dot."""
    text = unicodedata.normalize("NFC", title)
    kept = "".join(ch if ch in _SAFE_ASCII or ch.isalpha() else " " for ch in text)
    return " ".join(kept.split()).strip(" .")


class ArchiveNames:
    """Readable names for the originals of one archive: `scores/<title> - <first 8 of the id>.pdf`,
    at most MAX_FILE_NAME_CHARS after the folder, distinct even on a case-insensitive file system
    (a clash, two titles alike and ids alike in 8 characters, takes the whole id)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def name(self, title: str, score_id: uuid.UUID) -> str:
        name = ""
        for ident in (str(score_id)[:8], str(score_id)):
            suffix = f" - {ident}.pdf"
            stem = safe_title(title)[: MAX_FILE_NAME_CHARS - len(suffix)].rstrip(" .") or "Score"
            name = f"{stem}{suffix}"
            if name.casefold() not in self._taken:
                break
        self._taken.add(name.casefold())
        return f"{SCORES_FOLDER}{name}"


# What library.json is read from (rows of these columns, or loaded scores: the same names).
ARCHIVED_SCORE_COLUMNS = (
    Score.id,
    Score.title,
    Score.composer,
    Score.instrumentation,
    Score.tags,
    Score.note,
    Score.status,
    Score.error,
    Score.pages,
    Score.page_sizes,
    Score.size_bytes,
    Score.mime,
    Score.content_hash,
    Score.filled_from_pdf,
    Score.created_at,
    Score.updated_at,
    Score.uploaded_at,
)


def library_document(as_of: datetime, scores: Iterable[Any]) -> dict[str, Any]:
    """library.json from rows of ARCHIVED_SCORE_COLUMNS: every score as the API shows it (without
    what is only valid in this account: version, thumbnail URL), and `file`, its original's name
    in the archive; null for a score whose upload was never verified (no original to pack)."""
    names = ArchiveNames()
    return {
        "format_version": FORMAT_VERSION,
        "as_of": as_of,
        "scores": [
            {
                "id": score.id,
                "title": score.title,
                "composer": score.composer,
                "instrumentation": score.instrumentation,
                "tags": score.tags or [],
                "note": score.note,
                "status": score.status,
                "error": score.error,
                "pages": score.pages,
                "page_sizes": page_sizes_out(score.page_sizes),
                "size_bytes": score.size_bytes,
                "mime": score.mime,
                "content_hash": score.content_hash,
                "filled_from_pdf": score.filled_from_pdf or [],
                "created_at": score.created_at,
                "updated_at": score.updated_at,
                "file": names.name(score.title, score.id) if score.uploaded_at is not None else None,
            }
            for score in scores
        ],
    }


@dataclass(frozen=True)
class SetlistEntry:
    """One item of a setlist as the archive lists it."""

    score_id: uuid.UUID
    position: int
    title: str


@dataclass(frozen=True)
class ArchivedSetlist:
    id: uuid.UUID
    title: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    items: Sequence[SetlistEntry]


def setlists_document(as_of: datetime, setlists: Iterable[ArchivedSetlist]) -> dict[str, Any]:
    """setlists.json: every setlist, its items in order (`position` from 0; a score may stand in
    several places) with the score's title of the same moment."""
    return {
        "format_version": FORMAT_VERSION,
        "as_of": as_of,
        "setlists": [
            {
                "id": setlist.id,
                "title": setlist.title,
                "description": setlist.description,
                "created_at": setlist.created_at,
                "updated_at": setlist.updated_at,
                "items": [
                    {"score_id": item.score_id, "position": item.position, "title": item.title}
                    for item in setlist.items
                ],
            }
            for setlist in setlists
        ],
    }
