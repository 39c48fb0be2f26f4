"""Sustainability: prevention sections and explain/prevent on endings; a passing and a failing example each."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, edit, lint_article, lint_protocol

A, P = ARTICLE_PATH, "protocols/impresora.yml"
ADVICE = "No envíe documentos muy grandes de una vez.\n"
EXPLAIN = "        explain: Un documento se había quedado atascado.\n"
PREVENT = "        prevent: Evite enviar archivos muy grandes.\n"


# --- prevention -------------------------------------------------------------------------------------

def test_prevention_fails_on_an_empty_section() -> None:
    assert lint_article(edit(ARTICLE, ADVICE, "")) == [
        f"{A}:25:1: warning: body: expected advice on avoiding the problem under '## Prevención' (at least 2 words), found nothing; say how to keep it from happening again [prevention]"]


def test_prevention_fails_on_a_section_that_says_nothing() -> None:
    assert lint_article(edit(ARTICLE, ADVICE, "No aplica.\n")) == [
        f"{A}:25:1: warning: body: expected advice on avoiding the problem under '## Prevención' (at least 2 words), found only 'No aplica.'; say how to keep it from happening again [prevention]"]
    assert lint_article(edit(ARTICLE, ADVICE, "```\nnet stop spooler\n```\n")) == [
        f"{A}:25:1: warning: body: expected advice on avoiding the problem under '## Prevención' (at least 2 words), found nothing; say how to keep it from happening again [prevention]"]


def test_prevention_passes_real_advice_and_guides() -> None:
    assert lint_article(ARTICLE) == []
    assert lint_article(edit(ARTICLE, ADVICE, "- Apague la impresora por la noche.\n")) == []
    guide = edit(edit(ARTICLE, "type: solution", "type: guide"), "## Solución", "## Pasos")
    assert lint_article(edit(guide, "## Prevención\n\n" + ADVICE, "")) == []


# --- explain_prevent --------------------------------------------------------------------------------

def test_explain_prevent_fails_on_an_option_that_resolves_without_them() -> None:
    assert lint_protocol(edit(PROTOCOL, EXPLAIN, "")) == [
        f"{P}:16:9: warning: steps[0].options[0].explain: expected explain on an option that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]"]
    assert lint_protocol(edit(edit(PROTOCOL, EXPLAIN, ""), PREVENT, "")) == [
        f"{P}:16:9: warning: steps[0].options[0].explain: expected explain on an option that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]",
        f"{P}:16:9: warning: steps[0].options[0].prevent: expected prevent on an option that resolves, found none; add one plain sentence on how to avoid it next time (it goes into the follow-up message) [explain_prevent]"]


def test_explain_prevent_fails_on_a_step_that_resolves_without_them() -> None:
    ending = PROTOCOL + "  - id: fin\n    title: Fin\n    resolve: Papel agotado\n"
    assert lint_protocol(ending) == [
        f"{P}:23:5: warning: steps[1].explain: expected explain on a step that resolves, found none; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]",
        f"{P}:23:5: warning: steps[1].prevent: expected prevent on a step that resolves, found none; add one plain sentence on how to avoid it next time (it goes into the follow-up message) [explain_prevent]"]
    complete = ending + "    explain: La impresora se quedó sin papel.\n    prevent: Deje siempre un paquete de papel cerca.\n"
    assert lint_protocol(complete) == []


def test_explain_prevent_fails_on_a_text_that_says_nothing() -> None:
    assert lint_protocol(edit(PROTOCOL, "explain: Un documento se había quedado atascado.", "explain: N/A")) == [
        f"{P}:17:18: warning: steps[0].options[0].explain: expected explain for the customer, found 'N/A'; add one plain sentence on what happened (it goes into the follow-up message) [explain_prevent]"]


def test_explain_prevent_passes_when_both_are_there_and_escalations_need_neither() -> None:
    assert lint_protocol(PROTOCOL) == []  # the second option escalates, without explain or prevent
