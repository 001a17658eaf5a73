"""The rules every backend keeps: which keys are refused (and the message saying why), and
how long a shared link may live."""

from __future__ import annotations

import pytest

from flows.storage import MAX_PRESIGN_SECONDS, check_expiry, check_key


@pytest.mark.parametrize("seconds", [1, 3600, MAX_PRESIGN_SECONDS])
def test_links_live_from_one_second_to_seven_days(seconds: int) -> None:
    assert check_expiry(seconds) == seconds


@pytest.mark.parametrize("seconds", [0, -5, MAX_PRESIGN_SECONDS + 1])
def test_other_link_lifetimes_are_refused_with_the_limits(seconds: int) -> None:
    with pytest.raises(ValueError) as info:
        check_expiry(seconds)
    assert str(info.value) == "links can be valid for 1 second up to 7 days (the S3 SigV4 limit)"


def test_refused_keys_are_quoted_in_the_message() -> None:
    with pytest.raises(ValueError) as info:
        check_key("niaga//x.json")
    assert str(info.value) == "invalid storage key 'niaga//x.json'"
    with pytest.raises(ValueError) as info:
        check_key("niaga/x.json.sha256")
    assert str(info.value) == "storage key 'niaga/x.json.sha256' uses a reserved name"
    assert check_key("niaga/2026/01/02/x.json") == "niaga/2026/01/02/x.json"
