import uuid

import pytest
from pydantic import ValidationError

from scoremate_library.models import Score
from scoremate_library.scores.schemas import ScoreCreate, ScorePatch, normalise_tags
from scoremate_library.scores.service import MatchCounts, derive_status, plain_text, search_terms


def _score(**fields) -> Score:
    base = {"id": uuid.uuid4(), "status": "processing", "pages": None, "cover_key": None}
    return Score(**(base | fields))


def test_tags_are_trimmed_and_deduplicated_by_case_keeping_the_first_spelling():
    assert normalise_tags(["  Baroque ", "baroque", "Organ  Music", "ORGAN music", "Bach"]) == [
        "Baroque",
        "Organ Music",
        "Bach",
    ]


def test_create_body_normalises_tags_and_refuses_an_empty_title():
    body = ScoreCreate(upload_token="t", title="  Air ", tags=["Jazz", " jazz "])
    assert body.title == "Air"
    assert body.tags == ["Jazz"]
    with pytest.raises(ValidationError):
        ScoreCreate(upload_token="t", title="   ")


def test_patch_cannot_clear_the_title_but_can_clear_the_composer():
    assert ScorePatch.model_validate({"composer": None}).model_dump(exclude_unset=True) == {"composer": None}
    with pytest.raises(ValidationError):
        ScorePatch.model_validate({"title": None})


def test_status_is_ready_only_with_pages_and_cover_whatever_the_order():
    assert derive_status(_score(pages=3)) == "processing"
    assert derive_status(_score(cover_key="k")) == "processing"
    assert derive_status(_score(pages=3, cover_key="k")) == "ready"
    assert derive_status(_score(status="failed", pages=3, cover_key="k")) == "failed"


def test_search_terms_escape_like_wildcards_and_cap_the_word_count():
    assert search_terms("  100%  bach_ ") == ["100\\%", "bach\\_"]
    assert len(search_terms(" ".join(f"w{i}" for i in range(20)))) == 8
    assert search_terms("   ") == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("<img src=x onerror=alert(1)>J. S. Bach", "J. S. Bach"),
        ("Antonín\x00 Dvořák\r\n<script>x()</script>", "Antonín Dvořák x()"),
        ("<b>bold</b> and <unclosed", "bold and"),
        ("\x07\x1b[31m", "[31m"),
        ("   ", None),
        (None, None),
    ],
)
def test_pdf_metadata_is_plain_text_before_it_is_stored(raw, shown):
    assert plain_text(raw) == shown


def test_match_counts_hold_for_one_library_version_and_are_bounded():
    counts = MatchCounts(size=2)
    counts.put(("tag", 1), version=7, count=42)
    assert counts.get(("tag", 1), 7) == 42
    assert counts.get(("tag", 1), 8) is None  # the library changed: count again
    counts.put(("tag", 2), 7, 1)
    counts.put(("tag", 3), 7, 2)
    assert counts.get(("tag", 1), 7) is None  # the oldest went
    assert counts.get(("tag", 3), 7) == 2
