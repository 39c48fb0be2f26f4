"""The site manifest of a catalog (generator/model/manifest.py): what the event service and the
report need to know about the content. Written by the build as ``kb-manifest.json``. Pure: no I/O.
"""

from __future__ import annotations

from generator.layout import article_src, page_url, protocol_src
from generator.model.catalog import Catalog, ProtocolEntry
from generator.model.manifest import Csp, Manifest, ManifestArticle, ManifestProtocol, StepLinks


def _protocol(p: ProtocolEntry, directory_urls: bool) -> ManifestProtocol:
    m = p.model
    return ManifestProtocol(
        title=m.title, url=page_url(protocol_src(p.id), directory_urls=directory_urls), version=p.version,
        audience=m.audience, lang=m.lang, owner=m.owner, reviewed=m.reviewed, review_every_days=m.review_every_days,
        translation_of=m.translation_of, steps=tuple(s.id for s in m.steps),
        step_titles={s.id: s.title for s in m.steps},
        graph={s.id: StepLinks(next=tuple(s.targets), after=tuple(s.after), resolves=s.resolve is not None or any(
            o.resolve is not None for o in s.options)) for s in m.steps})


def build_manifest(catalog: Catalog, use_directory_urls: bool = True, csp: Csp | None = None) -> Manifest:
    using = catalog.protocols_using_article
    articles = {
        a.id: ManifestArticle(
            title=a.meta.title, url=page_url(article_src(a), directory_urls=use_directory_urls), area=a.area,
            type=a.meta.type, audience=a.meta.audience, lang=a.meta.lang, owner=a.meta.owner,
            reviewed=a.meta.reviewed, review_every_days=a.meta.review_every_days,
            protocols=tuple(using.get(a.id, ())), version=a.digest, translation_of=a.meta.translation_of)
        for a in catalog.articles}
    protocols = {p.id: _protocol(p, use_directory_urls) for p in catalog.protocols}
    return Manifest(articles=articles, protocols=protocols, csp=csp)
