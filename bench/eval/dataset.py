"""The labelled evaluation set: both replicas rendered at eval time, plus hand-made pages.

Replica pages are rendered straight from the deterministic content (no server), so the
labels are the replicas' own ground truth. Hand-made pages under ``bench/eval/pages/`` are
small realistic layouts of other Indonesian portals (tribun-, detik-, kompas-, antara-like
and a plain WordPress theme), written and labelled by hand: ``<name>.html`` + ``<name>.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.config.sites import load_site
from replica.content import build_site
from replica.portal.content import build_portal
from replica.portal.render import render_article as render_portal_article
from replica.render_article import render_article as render_niaga_article

PAGES_DIR = Path(__file__).resolve().parent / "pages"
NIAGA_SITE = "niaga"
PORTAL_SITE = "kabarbenua"  # config/sites/kabarbenua.yaml, served by `warta replica --site portal`
LABEL_KEYS = ("title", "published", "paragraphs", "captions", "editor", "tags")


@dataclass
class EvalArticle:
    """One article: its pages (url → html, page 1 first) and its label."""

    name: str
    group: str
    site: str | None  # config name for "warta with site rules"; None: no site rules exist
    pages: dict[str, str]
    label: dict[str, Any] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return next(iter(self.pages))


def _label(truth: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "title": truth["title"],
        "published": truth["published"],
        "paragraphs": truth["paragraphs"],
        "captions": [{"text": c["text"], "credit": c["credit"]} for c in truth["captions"]],
        "editor": truth["editor"],
        "tags": truth["tags"],
        **extra,
    }


def niaga_articles(count: int) -> list[EvalArticle]:
    site = build_site(count)
    base = load_site(NIAGA_SITE).base_url
    out = []
    for article in site:
        html = render_niaga_article(site, article, base)
        out.append(
            EvalArticle(
                name=f"niaga/{article.slug[:40]}",
                group="niaga replica",
                site=NIAGA_SITE,
                pages={base + article.path: html},
                label=_label(article.ground_truth()),
            )
        )
    return out


def portal_articles(count: int) -> list[EvalArticle]:
    site = build_portal(count)
    base = load_site(PORTAL_SITE).base_url
    out = []
    for article in site:
        pages = {
            base + article.page_path(n): render_portal_article(site, article, n, base)
            for n in range(1, len(article.pages) + 1)
        }
        out.append(
            EvalArticle(
                name=f"portal/{article.article_id}",
                group="portal replica",
                site=PORTAL_SITE,
                pages=pages,
                label=_label(article.ground_truth()),
            )
        )
    return out


def handmade_articles(folder: Path = PAGES_DIR) -> list[EvalArticle]:
    out = []
    for label_path in sorted(folder.glob("*.json")):
        label = json.loads(label_path.read_text(encoding="utf-8"))
        missing = [k for k in (*LABEL_KEYS, "url") if k not in label]
        if missing:
            raise ValueError(f"{label_path}: label lacks {', '.join(missing)}")
        html_path = label_path.with_suffix(".html")
        out.append(
            EvalArticle(
                name=f"{label.get('layout', 'page')}/{label_path.stem}",
                group="hand-made",
                site=None,
                pages={label["url"]: html_path.read_text(encoding="utf-8")},
                label=label,
            )
        )
    return out


def build_dataset(niaga: int = 30, portal: int = 30) -> list[EvalArticle]:
    return niaga_articles(niaga) + portal_articles(portal) + handmade_articles()
