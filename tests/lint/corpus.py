"""A corpus for the lint's golden test: bench/build.py's synthetic tree and the starter content,
with deliberate problems of every rule written into them (deterministically, by file index)."""

from __future__ import annotations

import re
from pathlib import Path

from tests.benchtree import bench_build

ROOT = Path(__file__).resolve().parents[2]

_ARTICLE_SNIPPETS = (
    "Cuando el equipo no consigue conectarse a la red de la oficina conviene revisar primero los cables y "
    "después la configuración del adaptador porque muchas veces el problema viene de un cable suelto o de "
    "una configuración antigua que quedó guardada en el equipo desde la última actualización del sistema.",
    "Para el técnico: revise la puerta de enlace y el DHCP del equipo.",
    "Compruebe el DNS y la dirección IP en **Ajustes > Red > DNS** y con `ipconfig /all`, p. ej. así.",
    "Usted ha borrado la carpeta. Es culpa suya, error del usuario.",
    "Puedes pulsar el botón y abrir tus archivos. Asegúrate de guardar.",
    "Escriba aquí.",
    '<script>alert(1)</script>\n\nUn <a href="javascript:alert(1)">enlace</a> y <img src=x onerror=alert(1)>.',
    "La reconfiguración administrativa correspondiente conlleva consideraciones organizativas "
    "extraordinariamente significativas relacionadas fundamentalmente con infraestructuras tecnológicas "
    "interdependientes. Las implementaciones correspondientes necesitan autorizaciones administrativas "
    "complementarias.",
    "| Opción | Valor |\n|---|---|\n| caché | firmware del router |",
    "### Para el técnico\n\nRevise el proxy y el SSID con el firmware actualizado.",
    "Abra el menú (el DNS) y pulse **Aceptar** en la ventana «Configuración de red». ¡Listo! ¿Funciona…?",
    "```\nDNS proxy usted ha borrado\n```\n\nSin código aquí: el `DNS` queda fuera y el caché (datos) también.",
    "Vea [la guía del DNS](https://example.com/dns) y www.ejemplo.com/dns, o <soporte@example.com>.",
    "You should have known better. The comprehensive configuration interface necessitates "
    "administrative authorisation before modifications.",
    "**Para el técnico**\n\nEl DHCP asigna la IP. Tú lo sabes.\n\n> Nota: el *gateway* es el router.",
    "- Un punto con el DNS\n- Otro con tu router\n  que sigue en otra línea con el gateway",
)

_PROTOCOL_VALUES = (
    ('summary: ', 'summary: >-\n  Una guía con el DNS que sigue\n  en otra línea; es culpa suya.\n_drop: '),
    ('      basic: ', '      basic: "Puedes reiniciar el router. \\tUsted ha borrado la caché. '),
    ('        explain: ', '        explain: Escriba aquí. El DHCP y '),
    ('        prevent: ',
     '        prevent: |\n          Tienes que revisar el proxy.\n          Y el <script>x</script>\n_drop: '),
)


def _article(text: str, i: int) -> str:
    picks = [_ARTICLE_SNIPPETS[(i + k * 7) % len(_ARTICLE_SNIPPETS)] for k in range(1 + i % 3)]
    head = re.search(r"^## .*\n\n", text, re.M)
    if head is not None:
        text = text[:head.end()] + picks[0] + "\n\n" + text[head.end():]
    return text.rstrip("\n") + "\n\n" + "\n\n".join(picks[1:]) + "\n"


def _protocol(text: str, i: int) -> str:
    old, new = _PROTOCOL_VALUES[i % len(_PROTOCOL_VALUES)]
    if old not in text:
        return text
    at = text.index(old)
    line_end = text.index("\n", at)
    rest = text[at + len(old):line_end]
    if "_drop: " in new:  # the new value replaces the old one
        head, _ = new.split("_drop: ")
        return text[:at] + head.rstrip(" ") + text[line_end:]
    if rest[:1] in ("|", ">", '"', "'"):  # a block or quoted value: its first line gets the problem
        return text[:line_end + 1] + text[line_end + 1:].replace(
            "\n", " Puedes borrarlo: es culpa suya.\n", 1) if rest[:1] in "|>" else text
    if '"' in new:  # a double-quoted value: the old plain text inside the quotes
        return text[:at] + new + rest.replace('"', "'") + '"' + text[line_end:]
    return text[:at] + new + rest + text[line_end:]


def mutated(files: dict[str, str]) -> dict[str, str]:
    out = {}
    for i, (path, text) in enumerate(sorted(files.items())):
        out[path] = _article(text, i) if path.endswith(".md") else _protocol(text, i)
    return out


def _read(root: Path) -> dict[str, str]:
    files = {}
    for folder, pattern in (("kb", "*.md"), ("protocols", "*.yml")):
        for p in sorted((root / folder).rglob(pattern)):
            files[p.relative_to(root).as_posix()] = p.read_text(encoding="utf-8")
    return files


def starter() -> dict[str, str]:
    """The repository's starter content, as it is and with problems written into it."""
    files = _read(ROOT)
    return {**files, **{p.replace("kb/", "kb/mutado/", 1).replace("protocols/", "protocols/mutado-", 1): t
                        for p, t in mutated(files).items()}}


def generated(root: Path, n: int = 80, seed: int = 7) -> dict[str, str]:
    """bench/build.py's tree of ``n`` articles, with problems written into it."""
    bench_build().generate_repo(root, n, seed)
    return mutated(_read(root))
