"""Completeness: symptoms, cause, owner and review cycle; a passing and a failing example each."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, config, edit, lint_article, lint_protocol

A, P = ARTICLE_PATH, "protocols/impresora.yml"
SYMPTOM = "  - La impresora no saca ninguna hoja\n"


# --- symptoms ---------------------------------------------------------------------------------------

def test_symptoms_fails_on_a_repeated_or_empty_symptom() -> None:
    assert lint_article(edit(ARTICLE, SYMPTOM, SYMPTOM + "  - la impresora no saca ninguna hoja.\n")) == [
        f"{A}:8:5: warning: symptoms[1]: expected each symptom once, found 'la impresora no saca ninguna hoja.' again (first at symptoms[0]); remove it or describe another symptom [symptoms]"]
    assert lint_article(edit(ARTICLE, SYMPTOM, SYMPTOM + "  - TODO\n")) == [
        f"{A}:8:5: warning: symptoms[1]: expected what the person sees, found 'TODO'; write it in their words [symptoms]"]


def test_symptoms_fails_on_too_few_symptoms_or_an_empty_section() -> None:
    assert lint_article(ARTICLE, config("rules:\n  symptoms:\n    min_count: 2\n")) == [
        f"{A}:6:1: warning: symptoms: expected at least 2 symptoms, found 1; add what else the person sees or hears, in their words [symptoms]"]
    assert lint_article(edit(ARTICLE, "La impresora no saca nada.\n", "")) == [
        f"{A}:12:1: warning: body: expected what the person sees under '## Síntomas' (at least 2 words), found nothing; describe it in their words [symptoms]"]


def test_symptoms_passes_distinct_symptoms() -> None:
    two = edit(ARTICLE, SYMPTOM, SYMPTOM + "  - Sale un aviso de papel atascado\n")
    assert lint_article(two, config("rules:\n  symptoms:\n    min_count: 2\n")) == []


# --- cause ------------------------------------------------------------------------------------------

def test_cause_fails_on_an_unknown_cause_or_an_empty_section() -> None:
    assert lint_article(edit(ARTICLE, "cause: Un documento anterior se ha quedado atascado.", "cause: Desconocida")) == [
        f"{A}:8:8: warning: cause: expected why it happens, found 'Desconocida'; name the cause, or escalate until it is known [cause]"]
    assert lint_article(edit(ARTICLE, "Un documento anterior bloquea a los demás.\n", "")) == [
        f"{A}:16:1: warning: body: expected why it happens under '## Causa' (at least 2 words), found nothing; explain the cause in plain words [cause]"]


def test_cause_fails_on_a_resolve_that_only_says_it_ended_well() -> None:
    assert lint_protocol(edit(PROTOCOL, "resolve: Documento atascado en la cola", "resolve: Arreglado")) == [
        f"{P}:16:18: warning: steps[0].options[0].resolve: expected the cause found, found 'Arreglado', which only says it ended well; name what was wrong, e.g. 'Caché DNS desactualizada' (the report counts causes) [cause]"]


def test_cause_passes_a_named_cause() -> None:
    assert lint_article(ARTICLE) == []
    assert lint_protocol(PROTOCOL) == []


# --- owner ------------------------------------------------------------------------------------------

def test_owner_fails_on_a_placeholder() -> None:
    assert lint_article(edit(ARTICLE, "owner: equipo-puesto", "owner: TODO")) == [
        f"{A}:9:8: warning: owner: expected the team or person who keeps this right, found 'TODO'; name a team, e.g. 'equipo-redes' [owner]"]


def test_owner_fails_outside_the_allowed_list() -> None:
    assert lint_protocol(PROTOCOL, config("rules:\n  owner:\n    allowed: [equipo-puestos, equipo-redes]\n")) == [
        f"{P}:5:8: warning: owner: expected one of the owners listed in kb-lint.yml, found 'equipo-puesto'; did you mean 'equipo-puestos'? [owner]"]
    assert lint_protocol(PROTOCOL, config("rules:\n  owner:\n    allowed: [soporte-campus]\n")) == [
        f"{P}:5:8: warning: owner: expected one of the owners listed in kb-lint.yml, found 'equipo-puesto'; add it to rules.owner.allowed in kb-lint.yml [owner]"]


def test_owner_passes_a_team() -> None:
    assert lint_protocol(PROTOCOL, config("rules:\n  owner:\n    allowed: [equipo-puesto]\n")) == []


# --- review_cycle -----------------------------------------------------------------------------------

def test_review_cycle_fails_on_a_long_cycle() -> None:
    assert lint_article(edit(ARTICLE, "reviewed: 2026-10-01", "reviewed: 2026-10-01\nreview_every_days: 730")) == [
        f"{A}:11:20: warning: review_every_days: expected a review at least every 365 days, found every 730 days; set review_every_days so the content is checked in time [review_cycle]"]
    assert lint_article(ARTICLE, config("rules:\n  review_cycle:\n    max_days: 90\n")) == [
        f"{A}:10:1: warning: review_every_days: expected a review at least every 90 days, found every 180 days (the default); set review_every_days so the content is checked in time [review_cycle]"]


def test_review_cycle_passes_a_yearly_review() -> None:
    assert lint_article(edit(ARTICLE, "reviewed: 2026-10-01", "reviewed: 2026-10-01\nreview_every_days: 365")) == []
