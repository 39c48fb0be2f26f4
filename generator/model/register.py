"""The register: how the site addresses the reader, per language, from the site configuration.

Spanish says *usted* (the default) or *tú*; English has no register. The kb plugin's ``register``
option in mkdocs.yml (``register: {es: tú}``) sets it for the whole site: the page templates'
strings (``in_register`` in generator/render/i18n.py), the widgets (feedback, support, runner:
``<meta name="kb-register">``) and the lint's ``address`` rule (generator/pipeline/lint.py reads
the same option) all follow it.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

REGISTERS: Final = {"es": ("usted", "tú")}
"""The languages that have a register and its values; the first is the default."""


class RegisterError(ValueError):
    """A ``register`` option that names a language without a register, or an unknown value."""


def site_register(option: Mapping[str, object] | None) -> dict[str, str]:
    """The register of every language that has one: the option's value, else the default."""
    option = dict(option or {})
    for lang, value in option.items():
        if lang not in REGISTERS:
            raise RegisterError(f"register: expected a language with a register ({', '.join(REGISTERS)}), "
                                f"found '{lang}' (English has no tú/usted)")
        if value not in REGISTERS[lang]:
            raise RegisterError(f"register.{lang}: expected one of {', '.join(REGISTERS[lang])}, found '{value}'")
    return {lang: str(option.get(lang, values[0])) for lang, values in REGISTERS.items()}
