"""Indonesian dates as the replicas print them, e.g. ``Jumat, 3 Maret 2023 14:05 WITA``.

Both replicas' pages and the generated captions use this one formatter; the crawler's job is
the reverse (parsing such dates), so it keeps its own parser.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from replica import vocab

WITA = timezone(timedelta(hours=8), "WITA")  # East Kalimantan's time zone, UTC+8


def indonesian_date(moment: datetime, *, weekday: bool = True, with_time: bool = True) -> str:
    """``Jumat, 3 Maret 2023 14:05 WITA``; without weekday or time as asked (``3 Maret 2023``).

    The time is printed as given and labelled WITA: callers pass WITA datetimes.
    """
    text = f"{moment.day} {vocab.MONTHS[moment.month - 1]} {moment.year}"
    if weekday:
        text = f"{vocab.DAYS[moment.weekday()]}, {text}"
    return f"{text} {moment:%H:%M} WITA" if with_time else text
