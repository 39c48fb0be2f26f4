"""The home's search box on a 360-px phone: its placeholder is read whole, not cut (both languages)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import Site, new_context

MEASURE = """() => {
  const i = document.getElementById('kb-home-q'), s = getComputedStyle(i);
  const probe = document.createElement('span');  // the placeholder's text in the input's font, measured
  for (const p of ['fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'letterSpacing', 'wordSpacing']) {
    probe.style[p] = s[p];
  }
  probe.style.whiteSpace = 'pre';
  probe.style.position = 'absolute';
  probe.textContent = i.placeholder;
  document.body.appendChild(probe);
  const text = probe.getBoundingClientRect().width;
  probe.remove();
  const room = i.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  return {text: text, room: room, font: s.fontSize + ' ' + s.fontFamily};
}"""


@pytest.mark.parametrize("path", ["", "en/"])
def test_home_search_placeholder_fits_on_a_phone(browser: Browser, site: Site, path: str) -> None:
    ctx = new_context(browser, site, viewport={"width": 360, "height": 740})
    page = ctx.new_page()
    page.goto(site.url(path))
    size = page.evaluate(MEASURE)
    ctx.close()
    assert size["text"] <= size["room"], size
