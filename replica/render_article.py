"""Article pages (and their AMP variants) following the replica markup contract.

An article page reads only the article itself and older articles (for the ticker, sidebar,
related posts and "previous" link), so adding newer articles never changes its bytes.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html import escape

from replica import page_chrome
from replica.dates import indonesian_date
from replica.site_model import SITE_NAME, Article, Caption, ReplicaSite

SHARE = ("facebook", "x", "whatsapp")
_IMG = re.compile(r"<img ([^>]*?)/?>")


def older(site: ReplicaSite, article: Article, count: int) -> list[Article]:
    """The ``count`` articles published just before ``article``, newest first."""
    start = max(0, article.index - count)
    return list(reversed(site.articles[start : article.index]))


def popular(site: ReplicaSite, article: Article) -> list[Article]:
    i = article.index
    picks = dict.fromkeys((i * 7 + k * 13) % i for k in range(5)) if i else {}
    return [site.articles[j] for j in picks]


def _caption_html(c: Caption) -> str:
    if c.style == "classic":
        n = c.attachment_id
        return (
            f'<div id="attachment_{n}" class="wp-caption aligncenter" style="width: 810px">'
            f'<img class="size-full wp-image-{n}" src="{c.image_path}" alt="{escape(c.alt)}" '
            f'width="800" height="533">'
            f'<p id="caption-attachment-{n}" class="wp-caption-text">'
            f"{escape(c.full_text)}</p></div>\n"
        )
    return (
        f'<figure class="wp-block-image size-large"><img decoding="async" src="{c.image_path}" '
        f'alt="{escape(c.alt)}" class="wp-image-{c.attachment_id}"/>\n'
        f'<figcaption class="wp-element-caption">{escape(c.full_text)}</figcaption></figure>\n'
    )


AD_BLOCK = (
    '<div class="code-block code-block-2" style="margin: 8px auto; text-align: center;">'
    '<span>ADVERTISEMENT</span><ins class="adsbygoogle"></ins></div>\n'
)


def entry_content(site: ReplicaSite, article: Article, base: str = "") -> str:
    """The inside of ``div.entry-content``; with ``base`` the image/link URLs are absolute."""
    related = site.articles[article.related_index] if article.related_index is not None else None
    ad_at = min(3, len(article.paragraphs))
    out: list[str] = []
    for p, text in enumerate(article.paragraphs):
        for caption in article.captions:
            if caption.position == p:
                html = _caption_html(caption)
                out.append(html.replace('src="/', f'src="{base}/') if base else html)
        if related is not None and article.related_position == p:
            out.append(
                f'<p><strong>Baca Juga:</strong> <a href="{base}/{related.slug}/">'
                f"{escape(related.title)}</a></p>\n"
            )
        if p == ad_at:
            out.append(AD_BLOCK)
        if p == 0 and article.dateline:
            out.append(f"<p><strong>{article.dateline}.NIAGA.ASIA</strong> — {escape(text)}</p>\n")
        else:
            out.append(f"<p>{escape(text)}</p>\n")
    out.append(f"<p>{escape(article.credit_line)}</p>\n")
    return "".join(out)


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def jsonld(article: Article, base: str) -> str:
    url = f"{base}/{article.slug}/"
    image = f"{base}{article.captions[0].image_path}" if article.captions else None
    graph = [
        {
            "@type": "NewsArticle",
            "@id": f"{url}#article",
            "isPartOf": {"@id": url},
            "author": {
                "@type": "Person",
                "name": article.author.name,
                "@id": f"{base}/#/schema/person/{article.author.slug}",
            },
            "headline": article.title,
            "datePublished": _iso(article.published),
            "dateModified": _iso(article.modified),
            "mainEntityOfPage": {"@id": url},
            "wordCount": sum(len(p.split()) for p in article.paragraphs),
            "publisher": {"@id": f"{base}/#organization"},
            "image": {"@id": f"{url}#primaryimage"} if image else None,
            "thumbnailUrl": image,
            "keywords": [t.name for t in article.tags],
            "articleSection": [article.category.name],
            "inLanguage": "id",
        },
        {
            "@type": "WebPage",
            "@id": url,
            "url": url,
            "name": f"{article.title} - {SITE_NAME}",
            "isPartOf": {"@id": f"{base}/#website"},
            "datePublished": _iso(article.published),
            "dateModified": _iso(article.modified),
            "breadcrumb": {"@id": f"{url}#breadcrumb"},
            "inLanguage": "id",
        },
        {
            "@type": "BreadcrumbList",
            "@id": f"{url}#breadcrumb",
            "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Beranda", "item": f"{base}/"},
                {
                    "@type": "ListItem",
                    "position": 2,
                    "name": article.category.name,
                    "item": f"{base}{article.category.path}",
                },
                {"@type": "ListItem", "position": 3, "name": article.title},
            ],
        },
        {
            "@type": "WebSite",
            "@id": f"{base}/#website",
            "url": f"{base}/",
            "name": SITE_NAME,
            "publisher": {"@id": f"{base}/#organization"},
            "inLanguage": "id",
        },
        {
            "@type": "Organization",
            "@id": f"{base}/#organization",
            "name": SITE_NAME,
            "url": f"{base}/",
            "logo": {
                "@type": "ImageObject",
                "url": f"{base}/wp-content/uploads/2020/01/logo-niaga.png",
            },
        },
    ]
    if image:
        graph.insert(
            2,
            {
                "@type": "ImageObject",
                "@id": f"{url}#primaryimage",
                "url": image,
                "contentUrl": image,
                "width": 800,
                "height": 533,
            },
        )
    return json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)


def article_meta(article: Article, base: str) -> list[tuple[str, str, str]]:
    url = f"{base}/{article.slug}/"
    meta = [
        ("property", "og:type", "article"),
        ("property", "og:title", article.title),
        ("property", "og:description", article.excerpt.replace(" [&hellip;]", "…")),
        ("property", "og:url", url),
        ("property", "article:publisher", "https://www.facebook.com/niagaasia"),
        ("property", "article:published_time", _iso(article.published)),
        ("property", "article:modified_time", _iso(article.modified)),
        ("property", "article:section", article.category.name),
    ]
    meta += [("property", "article:tag", t.name) for t in article.tags]
    if article.captions:
        meta += [
            ("property", "og:image", f"{base}{article.captions[0].image_path}"),
            ("property", "og:image:width", "800"),
            ("property", "og:image:height", "533"),
        ]
    meta.append(("name", "author", article.author.name))
    return meta


def _share(url: str) -> str:
    items = "".join(
        f'<li class="share-{s}"><a rel="nofollow noopener noreferrer" class="share-{s} sd-button" '
        f'href="{url}?share={s}" target="_blank"><span>{s.title()}</span></a></li>'
        for s in SHARE
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block '
        'sd-social"><h3 class="sd-title">Bagikan:</h3><div class="sd-content">'
        f"<ul>{items}</ul></div></div></div>\n"
    )


def _related(site: ReplicaSite, article: Article, base: str) -> str:
    if not article.see_also:
        return ""
    items = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title">'
        f'<a href="{base}/{r.slug}/">{escape(r.title)}</a></h4>'
        '<p class="jp-relatedposts-post-date">'
        f"{indonesian_date(r.published, with_time=False)}</p></div>"
        for r in (site.articles[j] for j in article.see_also)
    )
    return (
        '<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f'<em>Terkait</em></h3><div class="jp-relatedposts-items">{items}</div></div>\n'
    )


def _comments(article: Article, base: str) -> str:
    rows = "".join(
        f'<li id="comment-{article.post_id * 10 + k}" class="comment">'
        '<article class="comment-body">'
        f'<footer class="comment-meta"><b class="fn">{escape(c.author)}</b> '
        f"<time>{indonesian_date(article.published + timedelta(minutes=c.minutes_after))}</time>"
        f'</footer><div class="comment-content"><p>{escape(c.text)}</p></div></article></li>'
        for k, c in enumerate(article.comments)
    )
    title = f'<h2 class="comments-title">{len(article.comments)} tanggapan</h2>' if rows else ""
    return (
        f'<div id="comments" class="comments-area">{title}<ol class="comment-list">{rows}</ol>'
        '<div id="respond" class="comment-respond">'
        '<h3 id="reply-title" class="comment-reply-title">'
        f'Tinggalkan Balasan</h3><form action="{base}/wp-comments-post.php" method="post" '
        'id="commentform" class="comment-form"><p class="comment-form-comment">'
        '<label for="comment">Komentar</label><textarea id="comment" name="comment" cols="45" '
        'rows="8" required></textarea></p><p class="comment-form-author"><label for="author">'
        'Nama</label><input id="author" name="author" type="text" size="30" required></p>'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" '
        'value="Kirim Komentar">'
        f'<input type="hidden" name="comment_post_ID" value="{article.post_id}">'
        "</p></form></div></div>\n"
    )


def render_article(site: ReplicaSite, article: Article, base: str) -> str:
    url = f"{base}/{article.slug}/"
    a = article
    tags = ", ".join(f'<a href="{base}{t.path}" rel="tag">{escape(t.name)}</a>' for t in a.tags)
    prev = site.articles[a.index - 1] if a.index else None
    nav = (
        '<nav class="navigation post-navigation" aria-label="Pos"><div class="nav-links">'
        f'<div class="nav-previous"><a href="{base}/{prev.slug}/" rel="prev">'
        f'<span class="meta-nav">Sebelumnya</span> {escape(prev.title)}</a></div></div></nav>\n'
        if prev
        else ""
    )
    return "".join(
        (
            page_chrome.head(
                base,
                title=f"{a.title} - {SITE_NAME}",
                canonical=url,
                meta=article_meta(a, base),
                jsonld=jsonld(a, base),
                body_class=f"post-template-default single single-post "
                f"postid-{a.post_id} single-format-standard",
                extra_links=f'<link rel="amphtml" href="{url}amp/">\n',
            ),
            page_chrome.site_header(
                base, ((c.name, c.slug) for c in site.categories), older(site, a, 5), a.published
            ),
            '<div id="primary" class="content-area"><main id="main" class="site-main">\n',
            f'<article id="post-{a.post_id}" class="post-{a.post_id} post type-post status-publish '
            f'format-standard has-post-thumbnail hentry category-{a.category.slug}">\n',
            '<header class="entry-header">',
            f'<div class="cat-links"><a href="{base}{a.category.path}" rel="category tag">'
            f"{escape(a.category.name)}</a></div>",
            f'<h1 class="entry-title">{escape(a.title)}</h1>\n<div class="entry-meta">'
            f'<span class="byline">Oleh <span class="author vcard"><a class="url fn n" '
            f'href="{base}{a.author.path}">{escape(a.author.name)}</a></span></span> '
            f'<span class="posted-on"><time class="entry-date published" '
            f'datetime="{_iso(a.published)}">{indonesian_date(a.published)}</time>'
            f'<time class="updated" datetime="{_iso(a.modified)}">'
            f"{indonesian_date(a.modified)}</time>"
            "</span></div></header>\n",
            '<div class="entry-content">\n',
            entry_content(site, a),
            _share(url),
            _related(site, a, base),
            "</div>\n",
            f'<footer class="entry-footer"><span class="tags-links">Tag: {tags}</span></footer>\n',
            "</article>\n",
            nav,
            f'<div class="author-box"><h4 class="author-name"><a href="{base}{a.author.path}">'
            f"{escape(a.author.name)}</a></h4>"
            f'<p class="author-description">Jurnalis {SITE_NAME}.</p>'
            "</div>\n",
            _comments(a, base),
            "</main></div>\n",
            page_chrome.sidebar(base, popular(site, a), older(site, a, 6)),
            page_chrome.site_footer(base),
        )
    )


def render_amp(site: ReplicaSite, article: Article, base: str) -> str:
    """The AMP plugin's lean variant: same article, ``rel=canonical`` to the real page."""
    a = article
    url = f"{base}/{a.slug}/"
    body = _IMG.sub(r'<amp-img layout="responsive" \1></amp-img>', entry_content(site, a, base))
    return (
        '<!DOCTYPE html>\n<html amp lang="id-ID">\n<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width">'
        f"<title>{escape(a.title)} - {SITE_NAME}</title>"
        f'<link rel="canonical" href="{url}">'
        '<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{escape(a.title)}">'
        f'<meta property="article:published_time" content="{_iso(a.published)}">'
        f'<script type="application/ld+json">{jsonld(a, base)}</script>'
        '<script async src="https://cdn.ampproject.org/v0.js"></script>'
        "<style amp-boilerplate>body{visibility:hidden}</style></head>\n"
        f'<body class="amp-wp-body"><header class="amp-wp-header"><a href="{base}/">{SITE_NAME}</a>'
        f'</header><article class="amp-wp-article"><h1 class="amp-wp-title">{escape(a.title)}</h1>'
        f'<div class="amp-wp-meta">{escape(a.author.name)} · {indonesian_date(a.published)}</div>'
        f'<div class="amp-wp-article-content">{body}</div></article></body></html>\n'
    )
