"""Clarity: sentence_length, readability and jargon; a passing and a failing example each, exact messages."""
# ruff: noqa: E501  (the expected messages are data: one message per line reads best)

from __future__ import annotations

from tests.lint.samples import ARTICLE, ARTICLE_PATH, PROTOCOL, config, edit, lint, lint_article, lint_protocol

A = ARTICLE_PATH
# 31 words.
LONG = ("Si la impresora sigue sin imprimir después de cancelar todos los documentos, apáguela, espere un "
        "minuto, vuelva a encenderla y pruebe otra vez con una sola página de prueba muy corta.")


def add_paragraph(text: str, paragraph: str) -> str:
    """A new paragraph at the end of '## Solución' (it starts on line 25)."""
    return edit(text, "2. Cancele todos.\n", f"2. Cancele todos.\n\n{paragraph}\n")


def test_the_samples_are_clean() -> None:
    assert lint_article(ARTICLE) == []
    assert lint_protocol(PROTOCOL) == []


# --- sentence_length --------------------------------------------------------------------------------

def test_sentence_length_fails_on_a_long_sentence_for_end_users() -> None:
    assert lint_article(add_paragraph(ARTICLE, LONG)) == [
        f"{A}:25:1: warning: body: expected sentences of at most 30 words for end users, found one of 31 words in section 'Solución'; split it into shorter sentences [sentence_length]"]


def test_sentence_length_passes_at_the_limit_and_when_split() -> None:
    thirty = LONG.replace("muy corta", "corta")
    assert lint_article(add_paragraph(ARTICLE, thirty)) == []
    split = LONG.replace("documentos, apáguela,", "documentos. Apáguela,")
    assert lint_article(add_paragraph(ARTICLE, split)) == []


def test_sentence_length_gives_technicians_a_longer_limit() -> None:
    technical = edit(ARTICLE, "audience: end-user", "audience: technician")
    assert lint_article(add_paragraph(technical, LONG)) == []
    longer = LONG.replace("corta.", "corta y después anote el modelo y el mensaje y avise al equipo de soporte.")
    assert lint_article(add_paragraph(technical, longer)) == [
        f"{A}:25:1: warning: body: expected sentences of at most 40 words for technicians, found one of 45 words in section 'Solución'; split it into shorter sentences [sentence_length]"]


def test_sentence_length_points_inside_a_folded_yaml_value() -> None:
    folded = edit(ARTICLE, "cause: Un documento anterior se ha quedado atascado.",
                  "cause: >-\n  Un documento se ha quedado atascado. " + LONG.replace(" los documentos,", "\n  los documentos,"))
    assert lint_article(folded) == [
        f"{A}:9:40: warning: cause: expected sentences of at most 30 words for end users, found one of 31 words; split it into shorter sentences [sentence_length]"]


def test_sentence_length_counts_code_as_one_word_and_skips_code_blocks() -> None:
    code = "Ejecute `net stop spooler && del /q C:\\spool\\* && net start spooler` y espere."
    fenced = "```\n" + LONG + "\n```"
    assert lint_article(add_paragraph(add_paragraph(ARTICLE, code), fenced)) == []


# --- readability ------------------------------------------------------------------------------------

# 28 words of long, formal vocabulary in two sentences (36 with the section's two steps).
HARD = ("La reinicialización administrativa del subsistema de impresión corporativa requiere la verificación "
        "exhaustiva de las configuraciones predeterminadas. Posteriormente, la identificación inequívoca "
        "del dispositivo predeterminado garantiza la recuperación operativa inmediata.")
# 30 everyday words in four sentences.
EASY = ("Apague la impresora y espere un minuto. Después, vuelva a encenderla. Abra la lista de documentos y "
        "borre los que no salen. Pruebe otra vez con una sola página corta.")


def test_readability_fails_on_hard_text_for_end_users() -> None:
    assert lint_article(add_paragraph(ARTICLE, HARD)) == [
        f"{A}:22:4: warning: body: expected a Fernández-Huerta reading ease of at least 50 for end users, found -2 (very difficult: 9.0 words per sentence, 3.33 syllables per word) in section 'Solución'; use shorter, everyday words [readability]"]


def test_readability_passes_plain_text_and_short_text() -> None:
    assert lint_article(add_paragraph(ARTICLE, EASY)) == []
    short = HARD.split(". ")[0] + "."  # 16 words: the section has 24 in all, too few for a score
    assert lint_article(add_paragraph(ARTICLE, short)) == []


def test_readability_uses_flesch_for_english() -> None:
    english = (ARTICLE.replace("## Síntomas", "## Symptoms").replace("## Causa", "## Cause")
               .replace("## Solución", "## Solution").replace("## Prevención", "## Prevention")
               .replace("reviewed: 2026-10-01", "reviewed: 2026-10-01\nlang: en"))
    hard = ("Administrative reinitialization of the corporate printing subsystem necessitates comprehensive "
            "verification of predetermined configurations, and subsequently unambiguous identification of "
            "the designated device guarantees immediate operational recovery.")
    assert lint_article(add_paragraph(english, hard)) == [
        f"{A}:23:4: warning: body: expected a Flesch reading ease of at least 50 for end users, found -56 (very difficult: 11.0 words per sentence, 2.97 syllables per word) in section 'Solution'; use shorter, everyday words [readability]"]
    plain = "Turn the printer off. Wait one minute. Turn it back on. Open the list of documents and delete the ones that do not print. Then try again with one short page."
    assert lint_article(add_paragraph(english, plain)) == []


def test_readability_leaves_names_on_screen_out() -> None:
    """Menu paths and buttons in italics or bold are what the reader sees; the author cannot shorten them."""
    paths = ("Abra *Configuración > Bluetooth y dispositivos > Impresoras y escáneres > Administración*. "
             "Pulse **Establecer como predeterminada**. Después, abra *Preferencias de impresión > "
             "Configuración avanzada* y pulse **Restablecer valores predeterminados**. Pruebe otra vez.")
    assert lint_article(add_paragraph(ARTICLE, paths)) == []
    unmarked = paths.replace("*", "")
    assert lint_article(add_paragraph(ARTICLE, unmarked)) == [
        f"{A}:22:4: warning: body: expected a Fernández-Huerta reading ease of at least 50 for end users, found 27 (very difficult: 6.0 words per sentence, 2.89 syllables per word) in section 'Solución'; use shorter, everyday words [readability]"]


def test_readability_thresholds_by_reader_come_from_the_config() -> None:
    stricter = config("rules:\n  readability:\n    min_score: {end_user: 95}\n")
    assert lint_article(add_paragraph(ARTICLE, EASY), stricter) == [
        f"{A}:22:4: warning: body: expected a Fernández-Huerta reading ease of at least 95 for end users, found 80 (easy: 6.3 words per sentence, 2.00 syllables per word) in section 'Solución'; use shorter sentences and shorter, everyday words [readability]"]
    assert lint_article(add_paragraph(ARTICLE, HARD), config("rules:\n  readability:\n    min_words: 50\n")) == []


# --- jargon -----------------------------------------------------------------------------------------

def test_jargon_fails_on_a_term_end_users_may_not_know() -> None:
    text = add_paragraph(ARTICLE, "Si no imprime, compruebe la IP de la impresora.")
    assert lint_article(text) == [
        f"{A}:25:29: warning: body: expected plain words for end users, found 'IP' in section 'Solución'; say 'la dirección del equipo en la red', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_passes_plain_words_a_term_explained_in_brackets_or_a_name_on_screen() -> None:
    assert lint_article(add_paragraph(ARTICLE, "Si no imprime, compruebe la dirección de la impresora en la red.")) == []
    explained = "Compruebe la IP (la dirección de la impresora en la red). Después, anote la IP."
    assert lint_article(add_paragraph(ARTICLE, explained)) == []
    plain_first = "Compruebe la dirección de la impresora en la red (la IP)."
    assert lint_article(add_paragraph(ARTICLE, plain_first)) == []
    on_screen = "Abra *Ajustes > Red > DNS privado* y elija **Desactivado**."
    assert lint_article(add_paragraph(ARTICLE, on_screen)) == []
    link = "Vea también [Cómo vaciar la caché DNS](../red/vaciar-cache-dns.md)."
    assert lint_article(add_paragraph(ARTICLE, link)) == []


def test_jargon_reports_only_the_first_use_of_a_term() -> None:
    twice = "Compruebe la IP de la impresora. Después, escriba la IP en el navegador."
    assert lint_article(add_paragraph(ARTICLE, twice)) == [
        f"{A}:25:14: warning: body: expected plain words for end users, found 'IP' in section 'Solución'; say 'la dirección del equipo en la red', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_the_most_specific_term_wins() -> None:
    text = add_paragraph(ARTICLE, "Compruebe la dirección IP de la impresora.")
    assert lint_article(text) == [
        f"{A}:25:14: warning: body: expected plain words for end users, found 'dirección IP' in section 'Solución'; say 'la dirección del equipo en la red', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_is_not_checked_for_technicians() -> None:
    text = add_paragraph(ARTICLE, "Compruebe la IP y el DNS de la impresora.")
    assert lint_article(edit(text, "audience: end-user", "audience: technician")) == []
    for_technicians = "**Para el técnico**\n\nCompruebe la IP y el DNS de la impresora.\n\n## Prevención"
    assert lint_article(edit(ARTICLE, "## Prevención", for_technicians)) == []
    lead_in = "Para el técnico: compruebe la IP y el DNS de la impresora."
    assert lint_article(add_paragraph(ARTICLE, lead_in)) == []


def test_jargon_in_a_protocol_reads_what_the_customer_hears() -> None:
    said = edit(PROTOCOL, "basic: Vamos a borrar los documentos pendientes.",
                "basic: Vamos a borrar los documentos pendientes y el spooler.")
    assert lint_protocol(said) == [
        "protocols/impresora.yml:12:60: warning: steps[0].say.basic: expected plain words for end users, found 'spooler'; say 'el servicio de impresión de Windows', or explain the term in brackets where it first appears [jargon]"]
    advanced = edit(PROTOCOL, "      basic: Vamos a borrar los documentos pendientes.\n",
                    "      basic: Vamos a borrar los documentos pendientes.\n      advanced: Reinicie el spooler.\n")
    assert lint_protocol(advanced) == []
    titled = edit(PROTOCOL, "title: Vaciar la cola", "title: Reiniciar el spooler")
    assert lint_protocol(titled) == []
    assert lint_protocol(edit(titled, "audience: technician", "audience: end-user")) == [
        "protocols/impresora.yml:10:25: warning: steps[0].title: expected plain words for end users, found 'spooler'; say 'el servicio de impresión de Windows', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_allow_and_extra_terms_come_from_the_config() -> None:
    text = add_paragraph(ARTICLE, "Compruebe la IP de la impresora en el portal VDI.")
    assert lint_article(text, config("rules:\n  jargon:\n    allow: [IP]\n")) == []
    extra = config("rules:\n  jargon:\n    allow: [IP]\n    extra:\n      - {term: VDI, plain: el escritorio remoto}\n")
    assert lint_article(text, extra) == [
        f"{A}:25:46: warning: body: expected plain words for end users, found 'VDI' in section 'Solución'; say 'el escritorio remoto', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_match_case_keeps_everyday_words_apart() -> None:
    assert lint_article(add_paragraph(ARTICLE, "En un Mac, abra el menú Apple.")) == []
    assert lint_article(add_paragraph(ARTICLE, "Anote la MAC de la impresora.")) == [
        f"{A}:25:10: warning: body: expected plain words for end users, found 'MAC' in section 'Solución'; say 'la dirección física del aparato', or explain the term in brackets where it first appears [jargon]"]


def test_jargon_ignores_accents_and_case_and_follows_line_breaks() -> None:
    folded = edit(ARTICLE, "cause: Un documento anterior se ha quedado atascado.",
                  "cause: >-\n  Un documento anterior se ha quedado en la cache\n  del equipo.")
    assert lint_article(folded) == [
        f"{A}:9:45: warning: cause: expected plain words for end users, found 'cache'; say 'los datos temporales que guarda el equipo', or explain the term in brackets where it first appears [jargon]"]
    wrapped = add_paragraph(ARTICLE, "Revise el ancho\nde banda de la conexión.")
    assert lint({A: wrapped}) == [
        f"{A}:25:11: warning: body: expected plain words for end users, found 'ancho de banda' in section 'Solución'; say 'la velocidad de la conexión', or explain the term in brackets where it first appears [jargon]"]
