"""The story list's opening lines (no servers): whitespace folded, cut at a word."""

from __future__ import annotations

from flows.explore.views import opening


def test_opening_folds_lines_and_cuts_at_a_word() -> None:
    assert opening(None) == ""
    assert opening("Banjir rob\n\n  melanda   Samarinda.") == "Banjir rob melanda Samarinda."
    text = "kata " * 64  # 320 characters with the last space: kept whole once folded
    assert opening(text) == text.strip()
    longer = "banjir " * 50  # 350 characters: cut after the last whole word before 320
    assert opening(longer) == ("banjir " * 45).strip() + " …"
    assert opening("satu dua tiga", limit=8) == "satu …"
    assert opening("satu dua", limit=8) == "satu dua"  # exactly the limit: whole
    assert opening("satu dua tiga", limit=9) == "satu dua …"  # cut just after a space
    just_over = "x" * 100 + " " + "y" * 220  # 321 characters: over the default 320
    assert opening(just_over) == "x" * 100 + " …"
