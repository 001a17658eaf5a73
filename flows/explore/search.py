"""A search as the explorer's form sends it: the query string of a bookmarkable address.

``/?q=banjir&site=niaga&group=Kalimantan+Timur&from=2023-03-01&to=2023-03-31&every=week``
becomes a :class:`Search`; every field is checked here, and a value that cannot be read
becomes a message for the page (never an exception for the server). ``where`` turns a
search into one SQL condition over the ``stories`` view with its parameters: the values
are bound, and the only SQL text is warta's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlencode

from crawler.layout import SAFE_ID
from flows.explore.keywords import Node, QueryError, describe, parse_query, to_sql

INTERVALS = ("day", "week", "month")
MEASURES = ("count", "share")
MAX_FIELD = 200
MAX_FIELDS = 200  # fields in one address
DOCUMENT = "(coalesce(title, '') || ' ' || coalesce(text, ''))"  # what keywords search in


@dataclass
class Search:
    q: str = ""
    sites: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    section: str = ""
    author: str = ""
    every: str = "day"
    measure: str = "count"
    query: Node | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def chosen_sites(self, groups: dict[str, list[str]]) -> list[str]:
        """The sites asked for by name or through a group; empty means every site."""
        chosen = list(self.sites)
        for name in self.groups:
            chosen.extend(s for s in groups.get(name, []) if s not in chosen)
        return chosen

    def params(self, **changes: Any) -> dict[str, Any]:
        """The search as form fields (for links), with ``changes`` applied."""
        values: dict[str, Any] = {
            "q": self.q,
            "site": self.sites,
            "group": self.groups,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
            "section": self.section,
            "author": self.author,
            "every": self.every,
            "measure": self.measure,
        }
        values.update(changes)
        defaults = {"every": "day", "measure": "count"}  # left out: shorter addresses
        return {k: v for k, v in values.items() if v not in ("", [], None) and defaults.get(k) != v}

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes), doseq=True)

    def described(self) -> str:
        return describe(self.query)


def _day(text: str, name: str, errors: list[str]) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.append(f"{name}: {text[:40]!r} is not a day (YYYY-MM-DD)")
        return None


def _one(values: dict[str, list[str]], name: str, errors: list[str]) -> str:
    found = [v.strip() for v in values.get(name, []) if v.strip()]
    if len(found) > 1:
        errors.append(f"{name} is given {len(found)} times; only the first is used")
    value = found[0] if found else ""
    if len(value) > MAX_FIELD and name != "q":
        errors.append(f"{name} is longer than {MAX_FIELD} characters")
        return ""
    return value


def read_search(query_string: str, known_sites: list[str], groups: dict[str, list[str]]) -> Search:
    """The search a query string asks for; problems are listed in ``errors``."""
    errors: list[str] = []
    search = Search(errors=errors)
    try:
        values = parse_qs(query_string, keep_blank_values=False, max_num_fields=MAX_FIELDS)
    except ValueError:  # no form sends so many: a message, not a failed request
        errors.append(f"the address holds more than {MAX_FIELDS} fields")
        return search
    search.q = _one(values, "q", errors)
    try:
        search.query = parse_query(search.q)
    except QueryError as exc:
        errors.append(f"query: {exc}")
    for site in dict.fromkeys(values.get("site", [])):
        if SAFE_ID.match(site) and site in known_sites:
            search.sites.append(site)
        else:
            errors.append(f"site: no site {site[:60]!r} in this archive")
    for name in dict.fromkeys(values.get("group", [])):
        if name in groups:
            search.groups.append(name)
        else:
            errors.append(f"group: no group {name[:60]!r} in config/settings.yaml")
    search.since = _day(_one(values, "from", errors), "from", errors)
    search.until = _day(_one(values, "to", errors), "to", errors)
    if search.since and search.until and search.since > search.until:
        errors.append(f"from ({search.since}) is after to ({search.until})")
    search.section = _one(values, "section", errors)
    search.author = _one(values, "author", errors)
    every = _one(values, "every", errors) or "day"
    if every not in INTERVALS:
        errors.append(f"every: {every[:20]!r} is not one of {', '.join(INTERVALS)}")
    search.every = every if every in INTERVALS else "day"
    measure = _one(values, "measure", errors) or "count"
    search.measure = measure if measure in MEASURES else "count"
    return search


def scope(search: Search, groups: dict[str, list[str]]) -> tuple[str, list[Any]]:
    """The condition for every story in the search's sites and days (the denominator of
    a share): site, date range, section and author, but not the keywords."""
    conditions: list[str] = ["TRUE"]
    params: list[Any] = []
    sites = search.chosen_sites(groups)
    if sites:
        conditions.append("list_contains(?, site)")
        params.append(sites)
    if search.since:
        conditions.append("day >= ?")
        params.append(search.since)
    if search.until:
        conditions.append("day <= ?")
        params.append(search.until)
    return " AND ".join(conditions), params


def matching(search: Search) -> tuple[str, list[Any]]:
    """The condition a story in scope must also meet: section, author and keywords."""
    conditions: list[str] = ["TRUE"]
    params: list[Any] = []
    if search.section:
        conditions.append("lower(section) = lower(?)")
        params.append(search.section)
    if search.author:
        conditions.append("list_contains(list_transform(authors, lambda a: lower(a)), lower(?))")
        params.append(search.author)
    if search.query is not None:
        keyword_sql, keyword_params = to_sql(search.query, DOCUMENT)
        conditions.append(keyword_sql)
        params.extend(keyword_params)
    return "(" + " AND ".join(conditions) + ")", params


def where(search: Search, groups: dict[str, list[str]]) -> tuple[str, list[Any]]:
    """The condition for the stories that match the whole search."""
    scope_sql, scope_params = scope(search, groups)
    match_sql, match_params = matching(search)
    return f"{scope_sql} AND {match_sql}", [*scope_params, *match_params]
