"""Empathy: the blame rule on what the customer hears or reads; a passing and a failing example each."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, config, edit, lint_article, lint_protocol

P = "protocols/impresora.yml"
SAY = "basic: Vamos a borrar los documentos pendientes."
CAUSE_TEXT = "Un documento anterior bloquea a los demás."


def say(text: str) -> str:
    return edit(PROTOCOL, SAY, f"basic: {text}")


def test_blame_fails_on_a_blaming_script() -> None:
    assert lint_protocol(say("Usted ha borrado la cola; vamos a arreglarlo.")) == [
        f"{P}:12:14: warning: steps[0].say.basic: expected words that do not blame the customer, found 'Usted ha borrado'; describa lo que pasó, no quién lo hizo («se ha borrado…», «la configuración cambió…») [blame]"]


def test_blame_passes_a_script_that_says_what_happened() -> None:
    assert lint_protocol(say("Se ha borrado la cola; vamos a arreglarlo.")) == []


def test_blame_reads_the_follow_up_message_inside_a_block() -> None:
    follow_up = edit(PROTOCOL, "explain: Un documento se había quedado atascado.",
                     "explain: >-\n          El documento se atascó porque, como ya le dije,\n          era demasiado grande.")
    assert lint_protocol(follow_up) == [
        f"{P}:18:42: warning: steps[0].options[0].explain: expected words that do not blame the customer, found 'como ya le dije'; «como comentábamos» [blame]"]
    assert lint_protocol(follow_up.replace("como ya le dije", "como comentábamos")) == []


def test_blame_reads_the_advanced_script_but_not_the_technician_instructions() -> None:
    advanced = edit(PROTOCOL, f"      {SAY}\n", f"      {SAY}\n      advanced: Obviamente, la cola está llena.\n")
    assert lint_protocol(advanced) == [
        f"{P}:13:17: warning: steps[0].say.advanced: expected words that do not blame the customer, found 'Obviamente'; quítelo; lo que es obvio para soporte no lo es para el cliente [blame]"]
    instructions = edit(PROTOCOL, "    ask: ¿Imprime ahora?", "    do: Obviamente, la cola está llena.\n    ask: ¿Imprime ahora?")
    assert lint_protocol(instructions) == []


def test_blame_reads_end_user_articles_only() -> None:
    blaming = edit(ARTICLE, CAUSE_TEXT, "Usted ha borrado el controlador, por eso no imprime.")
    assert lint_article(blaming) == [
        f"{ARTICLE_PATH}:18:1: warning: body: expected words that do not blame the customer, found 'Usted ha borrado' in section 'Causa'; describa lo que pasó, no quién lo hizo («se ha borrado…», «la configuración cambió…») [blame]"]
    assert lint_article(edit(blaming, "audience: end-user", "audience: technician")) == []


def test_blame_tells_blame_from_reassurance() -> None:
    """'Es fácil no darse cuenta' reassures; 'debería haber papel' is about the printer, not the person."""
    assert lint_article(edit(ARTICLE, CAUSE_TEXT, "Un documento bloquea a los demás; es fácil no darse cuenta.")) == []
    assert lint_protocol(say("Debería haber papel en la bandeja.")) == []
    assert lint_protocol(say("Debería haber guardado el archivo antes.")) == [
        f"{P}:12:14: warning: steps[0].say.basic: expected words that do not blame the customer, found 'Debería haber guardado'; mire hacia delante («la próxima vez, puede…») [blame]"]


def test_blame_in_english() -> None:
    english = edit(say("You deleted the queue, so nothing prints."), "reviewed: 2026-10-01", "reviewed: 2026-10-01\nlang: en")
    assert lint_protocol(english) == [
        f"{P}:13:14: warning: steps[0].say.basic: expected words that do not blame the customer, found 'You deleted'; say what happened, not who did it (\"the setting was changed\") [blame]"]
    assert lint_protocol(english.replace("You deleted the queue", "The queue was deleted")) == []


def test_blame_allow_and_extra_phrases_come_from_the_config() -> None:
    text = say("Obviamente, hay que reiniciar el trasto.")
    assert lint_protocol(text, config("rules:\n  blame:\n    allow: [obviamente]\n")) == []
    extra = config("rules:\n  blame:\n    allow: [obviamente]\n    extra:\n"
                   "      - {phrase: '{el|ese} trasto', suggestion: «el equipo»}\n")
    assert lint_protocol(text, extra) == [
        f"{P}:12:44: warning: steps[0].say.basic: expected words that do not blame the customer, found 'el trasto'; «el equipo» [blame]"]
