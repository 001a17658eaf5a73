"""The keyword query of a search, as researchers type it in Media Cloud: words, "phrases",
AND / OR / NOT (upper case, as there), ``-word``, ``word*`` and parentheses.

The text is parsed into a small tree and compiled to a DuckDB condition in which every
user-typed piece is a bound parameter (a regular expression built from the word
characters of the term only), so nothing the user types becomes SQL. Matching is case
insensitive and whole-word: ``banjir`` finds "Banjir" but not "kebanjiran"; ``banjir*``
finds both "banjir" and "banjirnya". Limits on length, terms and nesting keep one query
from costing the server more than a search should.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_LENGTH = 500
MAX_TERMS = 40
MAX_DEPTH = 12

_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|"(?P<phrase>[^"]*)"?|(?P<word>[^\s()"]+))')
_WORD = re.compile(r"\w+")
OPERATORS = {"AND", "OR", "NOT"}
_EDGE = r"[^\pL\pN_]"  # RE2: a character that is not a letter, digit or underscore


class QueryError(ValueError):
    """The query cannot be read; the message says where, for the page to show."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # lower case, word characters only
    prefix: bool = False  # the last word may continue (``word*``)

    def pattern(self) -> str:
        """An RE2 pattern: the words in order, separated by anything that is not a word.

        RE2's ``\\b`` knows only ASCII letters, so word edges are spelt with Unicode classes.
        """
        body = f"{_EDGE}+".join(self.words) + ("" if self.prefix else f"(?:{_EDGE}|$)")
        return f"(?i)(?:^|{_EDGE}){body}"

    def __str__(self) -> str:
        text = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{text}"' if len(self.words) > 1 else text


@dataclass(frozen=True)
class Not:
    part: Node


@dataclass(frozen=True)
class And:
    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    parts: tuple[Node, ...]


Node = Term | Not | And | Or


@dataclass(frozen=True)
class Token:
    kind: str  # open, close, phrase, word, AND, OR, NOT
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - every character fits one alternative
            raise QueryError(f"cannot read the query at character {position + 1}")
        kind = match.lastgroup or "word"
        value = match.group(kind) or ""
        start = match.start(kind)
        if kind == "phrase" and not match.group(0).rstrip().endswith('"'):
            raise QueryError(f"a phrase opened at character {start} has no closing quote")
        if kind == "word" and value in OPERATORS:
            kind = value
        elif kind == "word" and value == "-" and text[match.end() : match.end() + 1] in '("':
            kind = "NOT"  # -(a OR b), -"a phrase"
        elif kind == "word" and value.startswith("-") and len(value) > 1:
            tokens.append(Token("NOT", "-", start))
            value, start = value[1:], start + 1
        tokens.append(Token(kind, value, start))
        position = match.end()
    return tokens


def _term(token: Token) -> Term:
    prefix = token.kind == "word" and token.text.endswith("*")
    words = tuple(w.lower() for w in _WORD.findall(token.text))
    if not words:
        raise QueryError(f"{token.text!r} (character {token.position + 1}) holds no word to find")
    return Term(words, prefix)


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.at = 0
        self.terms = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr(0)
        extra = self.peek()
        if extra is not None:
            raise QueryError(f"unexpected ')' at character {extra.position + 1}")
        return node

    def or_expr(self, depth: int) -> Node:
        parts = [self.and_expr(depth)]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            parts.append(self.and_expr(depth))
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, depth: int) -> Node:
        parts = [self.not_expr(depth)]
        while (token := self.peek()) is not None and token.kind not in ("OR", "close"):
            if token.kind == "AND":
                self.take()
            parts.append(self.not_expr(depth))
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self, depth: int) -> Node:
        token = self.peek()
        if token is not None and token.kind == "NOT":
            self.take()
            return Not(self.not_expr(depth + 1))
        return self.atom(depth)

    def atom(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise QueryError(f"the query nests deeper than {MAX_DEPTH} levels")
        token = self.peek()
        if token is None:
            last = self.tokens[-1] if self.tokens else None
            after = f" after {last.text!r}" if last else ""
            raise QueryError(f"the query ends{after} where a word was expected")
        if token.kind in OPERATORS or token.kind == "close":
            raise QueryError(
                f"{token.text!r} at character {token.position + 1} where a word was expected"
            )
        self.take()
        if token.kind == "open":
            node = self.or_expr(depth + 1)
            closing = self.peek()
            if closing is None or closing.kind != "close":
                raise QueryError(f"'(' at character {token.position + 1} is never closed")
            self.take()
            return node
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise QueryError(f"more than {MAX_TERMS} terms in one query")
        return _term(token)


def parse_query(text: str) -> Node | None:
    """The tree of a keyword query; None when it is empty (every article matches)."""
    if len(text) > MAX_LENGTH:
        raise QueryError(f"the query is longer than {MAX_LENGTH} characters")
    tokens = tokenize(text)
    if not tokens:
        return None
    return _Parser(tokens).parse()


def to_sql(node: Node, column: str) -> tuple[str, list[str]]:
    """A condition on ``column`` (a name chosen by warta, never by the user) and its
    parameters: one regular expression per term."""
    if isinstance(node, Term):
        return f"regexp_matches({column}, ?)", [node.pattern()]
    if isinstance(node, Not):
        inner, inner_params = to_sql(node.part, column)
        return f"(NOT {inner})", inner_params
    joiner = " AND " if isinstance(node, And) else " OR "
    pieces: list[str] = []
    params: list[str] = []
    for part in node.parts:
        sql, more = to_sql(part, column)
        pieces.append(sql)
        params.extend(more)
    return "(" + joiner.join(pieces) + ")", params


def terms_of(node: Node | None) -> list[Term]:
    """The terms a match must contain (not those under NOT), for highlighting."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [node]
    return [t for part in node.parts for t in terms_of(part)]


def describe(node: Node | None) -> str:
    """The query as warta read it, fully bracketed, so a researcher sees the precedence."""
    if node is None:
        return "(every article)"
    if isinstance(node, Term):
        return str(node)
    if isinstance(node, Not):
        return f"NOT {describe(node.part)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(p) for p in node.parts) + ")"
