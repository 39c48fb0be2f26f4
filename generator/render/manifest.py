"""The site manifest: what the event service and the report need to know about the content.

Written by the build as ``kb-manifest.json``; the service checks event ids against it and
the report reads titles, URLs, owners and review dates from it. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from generator.layout import article_src, page_url, protocol_src
from generator.model.catalog import Catalog


def build_manifest(catalog: Catalog, use_directory_urls: bool = True) -> dict[str, Any]:
    using = catalog.protocols_using_article
    return {
        "articles": {
            a.id: {"title": a.meta.title, "url": page_url(article_src(a), directory_urls=use_directory_urls),
                   "area": a.area,
                   "type": a.meta.type, "audience": a.meta.audience, "lang": a.meta.lang, "owner": a.meta.owner,
                   "reviewed": a.meta.reviewed.isoformat(), "review_every_days": a.meta.review_every_days,
                   "protocols": list(using.get(a.id, ())), "version": a.digest,
                   "translation_of": a.meta.translation_of}
            for a in catalog.articles
        },
        "protocols": {
            p.id: {"title": p.model.title, "url": page_url(protocol_src(p.id), directory_urls=use_directory_urls),
                   "version": p.version, "audience": p.model.audience, "lang": p.model.lang,
                   "owner": p.model.owner, "reviewed": p.model.reviewed.isoformat(),
                   "review_every_days": p.model.review_every_days, "translation_of": p.model.translation_of,
                   "steps": [s.id for s in p.model.steps],
                   "step_titles": {s.id: s.title for s in p.model.steps},
                   "graph": {s.id: {"next": s.targets, "resolves": s.resolve is not None or any(
                       o.resolve is not None for o in s.options), "after": list(s.after)} for s in p.model.steps}}
            for p in catalog.protocols
        },
    }
