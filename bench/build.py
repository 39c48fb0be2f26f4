"""Build benchmark (not a timed test): `kb build` against plain Material for MkDocs, same Markdown.

For each size N it generates a content repository with N solution articles over 20 areas and
N/20 protocols (valid, no warnings), then builds it twice, each build in its own process:

* ``kb``    -- ``kb build -f <repo>/mkdocs.yml -d <site>``: validation, our plugin, our small nav;
* ``plain`` -- ``mkdocs build -f <plain>/mkdocs.yml -d <site>``: the very Markdown our plugin hands
  to MkDocs (articles, protocols, index pages, home, written out as files), plain Material with
  ``navigation.prune``, the search plugin and no ``nav`` key (MkDocs lists every page itself).

Measured per build: wall time around the child process, peak RSS of the child from ``os.wait4``,
pages written (``index.html`` files) and ms per page. The table is printed, saved under ``--out``
and written into the ``## Build`` section of ``docs/benchmarks.md`` (between the markers below;
the text around them is kept).

With the build cache (``.kb-data/cache/build/``, docs/operations.md#build-cache) each tool is built
three times per size: **cold** (no site, no cache), **nothing changed** (the same sources again) and
**one touched** (one article's body edited, in both repositories); the rebuild table puts them side by
side, with CPU seconds, the other processes' load and (for ``kb``) how many pages were rendered.

    python bench/build.py --sizes 500,2000,10000 --out bench/out
    python bench/build.py --profile 2000        # cProfile one `kb build` at N=2000, print hotspots
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shlex
import shutil
import subprocess
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DOCS_FILE = REPO / "docs" / "benchmarks.md"
MAIN_CONFIG = REPO / "mkdocs.yml"
TODAY = "2026-11-23"  # KB_TODAY for every build
REVIEWED = "2026-11-01"  # recent: no overdue-review warnings
BEGIN = "<!-- bench/build.py: results begin (generated, do not edit by hand) -->"
END = "<!-- bench/build.py: results end -->"
RSS_TARGET_MB = 500
RATIO_TARGET = 1.0
CODE = {"source": "working tree"}  # which generator/ and theme/ the builds use (see --code)

# --- synthetic content -----------------------------------------------------------------------------
# area -> (products, problems, owner team)
AREAS: dict[str, tuple[list[str], list[str], str]] = {
    "red": (["el router de la oficina", "el adaptador Ethernet", "el punto de red"],
            ["No hay conexión a Internet", "La red va muy lenta", "El equipo no recibe la configuración de red",
             "Se pierde la conexión cada pocos minutos"], "equipo-redes"),
    "wifi": (["el portátil", "la red inalámbrica de invitados", "el punto de acceso de la planta"],
             ["No aparece la red Wi-Fi", "La Wi-Fi pide la contraseña una y otra vez",
              "La señal Wi-Fi es muy débil", "La Wi-Fi se conecta pero no navega"], "equipo-redes"),
    "vpn": (["el cliente VPN", "la VPN corporativa", "el código de acceso"],
            ["La VPN no conecta desde casa", "La VPN se desconecta sola", "Sin acceso a carpetas por VPN",
             "El código de acceso de la VPN no es válido"], "equipo-redes"),
    "correo": (["Outlook", "el correo web", "la aplicación de correo del móvil"],
               ["No llegan los correos", "Los mensajes se quedan en la bandeja de salida",
                "El buzón está lleno", "No se pueden abrir los adjuntos"], "equipo-colaboracion"),
    "cuentas": (["la cuenta corporativa", "el portal de autoservicio", "el doble factor"],
                ["No puedo iniciar sesión", "La cuenta está bloqueada", "La contraseña ha caducado",
                 "No llega el código de verificación"], "equipo-identidad"),
    "impresoras": (["la impresora de la planta", "la multifunción", "el escáner de red"],
                   ["La impresora no imprime", "Los trabajos se quedan en cola", "El escáner no envía al correo",
                    "La impresión sale en blanco"], "equipo-puesto"),
    "navegador": (["Chrome", "Firefox", "Edge"],
                  ["Las páginas no cargan", "El navegador va muy lento", "Aparece un aviso de certificado",
                   "No se descargan los archivos"], "equipo-puesto"),
    "windows": (["Windows 11", "el menú Inicio", "Windows Update"],
                ["El equipo tarda mucho en arrancar", "Windows Update falla", "La pantalla se queda en negro",
                 "El equipo se reinicia solo"], "equipo-puesto"),
    "macos": (["macOS", "el Finder", "el llavero"],
              ["El Mac no arranca", "El llavero pide la contraseña", "El Finder no responde",
               "La actualización de macOS no termina"], "equipo-puesto"),
    "movil": (["el móvil corporativo", "la aplicación de gestión de dispositivos", "la tableta"],
              ["El móvil no sincroniza el correo", "La aplicación corporativa se cierra",
               "El móvil no se inscribe en la gestión", "La batería dura muy poco"], "equipo-movilidad"),
    "videoconferencia": (["Teams", "Zoom", "la sala de reuniones"],
                         ["No se oye en la reunión", "La cámara no funciona en la videollamada",
                          "No se puede compartir la pantalla", "La reunión se corta"], "equipo-colaboracion"),
    "audio": (["los auriculares", "el micrófono", "los altavoces"],
              ["No sale sonido", "El micrófono no se detecta", "Hay eco en las llamadas",
               "El sonido se entrecorta"], "equipo-puesto"),
    "almacenamiento": (["OneDrive", "la carpeta compartida", "el disco local"],
                       ["OneDrive no sincroniza", "El disco está lleno", "No se puede abrir la carpeta compartida",
                        "Faltan archivos en la carpeta"], "equipo-colaboracion"),
    "copias": (["la copia de seguridad", "el agente de copias", "la papelera de reciclaje"],
               ["La copia de seguridad falla", "Hay que recuperar un archivo borrado",
                "La copia tarda demasiado", "No se puede restaurar una versión anterior"], "equipo-sistemas"),
    "seguridad": (["el antivirus", "el cortafuegos", "el filtro de correo"],
                  ["El antivirus bloquea un programa", "Recibí un correo sospechoso",
                   "El cortafuegos bloquea una aplicación", "Aparecen ventanas emergentes extrañas"],
                  "equipo-seguridad"),
    "ofimatica": (["Word", "Excel", "PowerPoint"],
                  ["El documento no se abre", "Excel se cierra al abrir un libro",
                   "No se guardan los cambios", "Falta la licencia de Office"], "equipo-puesto"),
    "telefonia": (["el teléfono IP", "la centralita", "el softphone"],
                  ["El teléfono no da tono", "Las llamadas se cortan", "El buzón de voz no funciona",
                   "No se pueden transferir llamadas"], "equipo-comunicaciones"),
    "perifericos": (["el monitor externo", "la base de conexión", "el teclado inalámbrico"],
                    ["El monitor externo no muestra imagen", "La base de conexión no carga el portátil",
                     "El teclado no escribe", "El ratón se mueve solo"], "equipo-puesto"),
    "hardware": (["el portátil", "la batería", "el disco SSD"],
                 ["El portátil no enciende", "El ventilador hace mucho ruido", "La batería no carga",
                  "El equipo se calienta demasiado"], "equipo-puesto"),
    "aplicaciones": (["el ERP", "la aplicación de nóminas", "el gestor de expedientes"],
                     ["La aplicación no abre", "La aplicación muestra un error al guardar",
                      "La aplicación va muy lenta", "No aparecen los datos en la aplicación"],
                     "equipo-aplicaciones"),
}
CONTEXTS = ["", " al iniciar el equipo", " después de actualizar", " desde casa", " en la oficina",
            " con el portátil nuevo", " tras cambiar la contraseña", " por la mañana", " en la sala de reuniones"]
GENERIC_TAGS = ["urgente", "frecuente", "teletrabajo", "oficina", "portatil", "sobremesa", "actualizacion",
                "configuracion", "permisos", "rendimiento", "licencias", "primer-nivel", "segundo-nivel",
                "autoservicio", "hardware", "software", "conectividad", "identidad", "datos", "movilidad"]

SYMPTOM_SENTENCES = [
    "La persona indica que {problem_l} desde {when}.",
    "Al abrir {product} aparece un mensaje que dice que no se puede completar la operación.",
    "El problema ocurre {freq} y afecta {scope}.",
    "En algunos casos el equipo se vuelve lento y {product} deja de responder durante varios minutos.",
    "Otros compañeros de la misma oficina {others}.",
    "El icono de estado muestra una advertencia amarilla junto a la hora.",
    "Reiniciar no cambia nada: al volver a entrar el problema sigue ahí.",
]
CAUSE_SENTENCES = [
    "La causa más frecuente es {cause}.",
    "Tras una actualización reciente, la configuración de {product} quedó en un estado incoherente.",
    "A menudo el equipo guarda datos temporales antiguos que ya no coinciden con los del servidor.",
    "También puede deberse a que la sesión caducó y {product} no pidió de nuevo el usuario y la contraseña.",
    "En equipos con poco espacio libre en el disco el problema aparece con más frecuencia.",
]
CAUSES = ["una configuración manual olvidada", "un controlador desactualizado", "un certificado caducado",
          "un perfil de usuario dañado", "una norma de la empresa que no se aplicó",
          "un conflicto con otra aplicación instalada", "una contraseña guardada que ya no es válida"]
STEPS = [
    "Cierre {product} por completo y vuelva a abrirlo.",
    "Reinicie el equipo y compruebe si el problema persiste.",
    "Abra la configuración de {product} y revise la sección de cuentas.",
    "Borre los datos temporales desde el menú de opciones.",
    "Compruebe que la fecha y la hora del equipo son correctas.",
    "Desconecte los cables, espere diez segundos y vuelva a conectarlos.",
    "Instale las actualizaciones pendientes desde el centro de software.",
    "Cierre la sesión, vuelva a entrar con su cuenta corporativa y pruebe de nuevo.",
    "Si el aviso sigue apareciendo, anote el texto exacto del mensaje para el técnico.",
]
PREVENT_SENTENCES = [
    "Mantenga {product} actualizado e instale los parches en cuanto estén disponibles.",
    "Evite cambiar la configuración sin ayuda del equipo de soporte.",
    "Reinicie el equipo al menos una vez por semana para aplicar las actualizaciones.",
    "Guarde sus documentos en la carpeta sincronizada para no perder trabajo.",
    "Si el problema vuelve a aparecer, abra una incidencia indicando cuándo empezó.",
]
FILLER = [
    "Antes de seguir, confirme con la persona qué estaba haciendo justo cuando apareció el problema.",
    "Conviene anotar el nombre del equipo y la versión de {product} en la incidencia.",
    "Si la persona trabaja desde casa, pregunte también por el tipo de conexión que utiliza.",
    "En la mayoría de los casos basta con estos pasos y no hace falta pasar la incidencia a otro equipo.",
    "Cuando el problema afecta a varias personas a la vez, avise al equipo responsable cuanto antes.",
    "Explique cada paso con calma y espere a que la persona confirme antes de pasar al siguiente.",
    "Si la persona no encuentra la opción, pídale que describa lo que ve en la pantalla.",
    "Compruebe también si hay una incidencia general abierta que explique el comportamiento.",
    "Cuando la persona use un equipo prestado, confirme que tiene los permisos necesarios.",
    "Tenga en cuenta que algunos cambios tardan unos minutos en aplicarse en todos los equipos.",
    "Pregunte si el problema aparece también con otra cuenta o en otro equipo cercano.",
    "Si la persona tiene prisa, ofrezca una alternativa temporal mientras se resuelve la causa.",
    "Revise el historial de incidencias de la persona por si el problema ya ocurrió antes.",
    "Anote en la incidencia qué pasos se han probado y cuál ha sido el resultado de cada uno.",
]
WHEN = ["esta mañana", "ayer por la tarde", "la última actualización", "hace una semana", "el lunes"]
FREQ = ["siempre", "de forma intermitente", "solo a primera hora", "varias veces al día"]
SCOPE = ["solo a su equipo", "a todo el departamento", "a los usuarios que teletrabajan", "a una sola cuenta"]
OTHERS = ["no tienen el mismo problema", "ven el mismo aviso", "trabajan con normalidad"]
COMMANDS = ["ipconfig /flushdns", "gpupdate /force", "netsh winsock reset", "sfc /scannow",
            "klist purge", "wsreset.exe"]


@dataclass(frozen=True)
class Planned:
    ident: str
    area: str
    title: str
    problem: str
    product: str
    audience: str


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


_PLAIN_OK = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ¿¡][\wÁÉÍÓÚÜÑáéíóúüñ ,.()¿?¡!/-]*")


def q(text: str) -> str:
    """A YAML scalar: plain when it is unambiguous text, else a JSON (= YAML double-quoted) string."""
    if _PLAIN_OK.fullmatch(text) and text.lower() not in ("true", "false", "null", "yes", "no", "on", "off"):
        return text
    return json.dumps(text, ensure_ascii=False)


def _fill(rng: random.Random, template: str, p: Planned) -> str:
    return _contract(template.format(problem_l=p.problem[0].lower() + p.problem[1:], product=p.product,
                           when=rng.choice(WHEN), freq=rng.choice(FREQ), scope=rng.choice(SCOPE),
                           others=rng.choice(OTHERS), cause=rng.choice(CAUSES)))


def _contract(text: str) -> str:
    """Spanish contractions: "de el router" -> "del router", "a el" -> "al"."""
    return re.sub(r"\b([Dd]e|[Aa]) el\b", lambda m: m.group(1) + "l", text)


def plan_articles(n: int, seed: int) -> list[Planned]:
    rng = random.Random(seed)
    areas = list(AREAS)
    audiences = ["end-user", "technician", "end-user", "technician", "both"]
    out = []
    for i in range(n):
        area = areas[i % len(areas)]
        products, problems, _ = AREAS[area]
        problem, product = rng.choice(problems), rng.choice(products)
        title = f"{problem}{rng.choice(CONTEXTS)}"
        ident = f"{slug(problem)[:44]}-{i + 1:05d}"
        out.append(Planned(ident, area, title, problem, product, audiences[i % len(audiences)]))
    return out


def article_text(p: Planned, index: int, sibling: Planned | None, protocols: list[str], seed: int) -> str:
    rng = random.Random(seed * 1_000_003 + index)
    products, _, owner = AREAS[p.area]
    target = rng.randint(190, 370)  # + the overshoot of the last sentence and the extras: ~200-400
    sections: dict[str, list[str]] = {
        "Síntomas": [_fill(rng, s, p) for s in rng.sample(SYMPTOM_SENTENCES, rng.randint(2, 4))],
        "Causa": [_fill(rng, s, p) for s in rng.sample(CAUSE_SENTENCES, rng.randint(2, 3))],
        "Prevención": [_fill(rng, s, p) for s in rng.sample(PREVENT_SENTENCES, rng.randint(2, 3))],
    }
    steps = [_fill(rng, s, p) for s in rng.sample(STEPS, rng.randint(4, 7))]
    if sibling is not None:
        sections["Prevención"].append(f"Vea también [{sibling.title}]({sibling.ident}.md).")

    def words() -> int:
        return sum(len(s.split()) for v in sections.values() for s in v) + sum(len(s.split()) for s in steps)

    filler = rng.sample(FILLER, len(FILLER))
    while words() < target:
        sentence = filler.pop() if filler else _fill(rng, rng.choice(STEPS), p)
        sections[rng.choice(["Síntomas", "Causa", "Prevención"])].append(_fill(rng, sentence, p))
    solution = "\n".join(f"{k + 1}. {s}" for k, s in enumerate(steps))
    if rng.random() < 0.3:
        solution += f"\n\nSi nada de lo anterior funciona, ejecute en una consola:\n\n```\n{rng.choice(COMMANDS)}\n```"
    if rng.random() < 0.3:
        solution += "\n\n!!! tip \"Consejo\"\n\n    Haga una captura de pantalla del error antes de reiniciar."
    tags = [p.area, *rng.sample(GENERIC_TAGS, rng.randint(1, 2))]
    symptoms = [p.problem, _fill(rng, rng.choice(SYMPTOM_SENTENCES[1:3]), p)]
    fm = [
        "---", f"id: {p.ident}", f"title: {q(p.title)}", "type: solution", f"audience: {p.audience}",
        f"summary: {q(f'{p.problem} con {p.product}: causas habituales y cómo resolverlo.')}",
        "symptoms:", *[f"  - {q(s)}" for s in symptoms],
        f"cause: {q(rng.choice(CAUSES).capitalize() + '.')}",
        "products:", *[f"  - {q(x)}" for x in sorted({p.product, rng.choice(products)})],
        "tags:", *[f"  - {q(t)}" for t in tags],
        f"owner: {owner}", f"reviewed: {REVIEWED}", "review_every_days: 180",
    ]
    if protocols:
        fm += ["protocols:", *[f"  - {x}" for x in protocols]]
    fm += ["lang: es", "---"]
    body = [f"## Síntomas\n\n{' '.join(sections['Síntomas'])}", f"## Causa\n\n{' '.join(sections['Causa'])}",
            f"## Solución\n\n{solution}", f"## Prevención\n\n{' '.join(sections['Prevención'])}"]
    return _contract("\n".join(fm) + "\n" + "\n\n".join(body) + "\n")


def protocol_text(ident: str, area: str, j: int, linked: list[Planned], seed: int) -> str:
    """Six steps with branches: five questions (each can resolve) and an escalation."""
    rng = random.Random(seed * 7_919 + j)
    _, problems, owner = AREAS[area]
    problem = rng.choice(problems)
    audience = ["technician", "both", "end-user"][j % 3]
    ids = [f"paso-{k}" for k in range(1, 7)]
    nexts = {1: [("No", 2), ("No estoy seguro", 3)], 2: [("No", 3)], 3: [("No", 4), ("Aparece un error", 5)],
             4: [("No", 5)], 5: [("No", 6)]}
    lines = [
        f"id: {ident}", f"title: {q(f'{problem} (caso {j + 1})')}",
        f"summary: {q(f'Guía paso a paso cuando {problem[0].lower() + problem[1:]}.')}",
        f"audience: {audience}", "channels: [phone, chat, remote]", f"tags: [{area}, {rng.choice(GENERIC_TAGS)}]",
        f"estimated_minutes: {rng.choice([10, 15, 20, 30])}", f"owner: {owner}", f"reviewed: {REVIEWED}",
        "review_every_days: 180", "prerequisites:", "  - Datos de contacto de la persona confirmados",
        "start: paso-1", "steps:",
    ]
    for k in range(1, 6):
        art = linked[k - 1]
        action = _fill(rng, rng.choice(STEPS), art)
        lines += [
            f"  - id: {ids[k - 1]}", f"    title: {q(f'Comprobar {art.product}')}", "    say:",
            f"      basic: {q(f'Vamos a revisar juntos {art.product}. ' + action)}",
            f"      advanced: {q(f'Revise el estado de {art.product} y los registros recientes. ' + action)}",
            "    do: |", f"      {action}", "",
            f"      Si hace falta, consulte **{art.title}** en la base de conocimiento.",
            f"    articles: [{art.ident}]", f"    ask: {q(f'¿Se resolvió el problema con {art.product}?')}",
            "    options:", "      - label: Sí", f"        resolve: {q(art.problem)}",
            f"        explain: {q(f'El fallo venía de {art.product}; ya está corregido.')}",
            f"        prevent: {q(_fill(rng, rng.choice(PREVENT_SENTENCES), art))}",
        ]
        for label, target in nexts[k]:
            lines += [f"      - label: {q(label)}", f"        next: {ids[target - 1]}"]
    lines += ["  - id: paso-6", "    title: Pasar la incidencia a otro equipo",
              f"    escalate: {q(f'Nivel 2 — {owner}')}"]
    return _contract("\n".join(lines) + "\n")


def generate_repo(root: Path, n: int, seed: int) -> tuple[int, int]:
    """Write mkdocs.yml, kb/<area>/<id>.md and protocols/<id>.yml; returns (articles, protocols)."""
    if root.exists():
        shutil.rmtree(root)
    (root / "protocols").mkdir(parents=True)
    planned = plan_articles(n, seed)
    by_area: dict[str, list[int]] = {}
    for i, p in enumerate(planned):
        by_area.setdefault(p.area, []).append(i)
    # Protocol j of an area links five consecutive articles of that area (different ones per protocol).
    declared: dict[int, list[str]] = {}
    n_protocols = max(1, n // 20)
    areas = list(AREAS)
    used = {a: 0 for a in areas}
    for j in range(n_protocols):
        area = areas[j % len(areas)]
        pool = by_area[area]
        picks = [pool[(used[area] + k) % len(pool)] for k in range(5)]
        used[area] += 5
        ident = f"protocolo-{area}-{j + 1:04d}"
        if j % 2 == 0:  # half the linked articles also declare the protocol in their front matter
            for i in picks:
                declared.setdefault(i, []).append(ident)
        (root / "protocols" / f"{ident}.yml").write_text(
            protocol_text(ident, area, j, [planned[i] for i in picks], seed), encoding="utf-8")
    position = {i: k for members in by_area.values() for k, i in enumerate(members)}
    for i, p in enumerate(planned):
        k = position[i]
        sibling = planned[by_area[p.area][k - 1]] if k > 0 else None  # a "see also" link in the same area
        folder = root / "kb" / p.area
        folder.mkdir(parents=True, exist_ok=True)
        text = article_text(p, i, sibling, sorted(set(declared.get(i, []))), seed)
        (folder / f"{p.ident}.md").write_text(text, encoding="utf-8")
    write_kb_config(root)
    return n, n_protocols


# --- configurations --------------------------------------------------------------------------------
def _main_config() -> dict[str, Any]:
    data = yaml.safe_load(MAIN_CONFIG.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def write_kb_config(root: Path) -> None:
    """The project's mkdocs.yml with the theme folder made absolute."""
    from generator.mkdocs.config import THEME_DIR

    cfg = _main_config()
    cfg["site_name"] = "Benchmark — kb"
    cfg["docs_dir"] = "kb"
    cfg.pop("site_dir", None)
    cfg["theme"]["custom_dir"] = str(THEME_DIR)
    (root / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


def write_plain(repo: Path, plain: Path, features: list[str]) -> int:
    """Write the Markdown our plugin gives MkDocs as plain files, with a plain Material mkdocs.yml."""
    from generator.layout import article_src
    from generator.mkdocs.config import NEEDED_EXTENSIONS, THEME_DIR
    from generator.pipeline.today import today
    from generator.pipeline.validation import validate_tree
    from generator.render.pages import Renderer

    os.environ["KB_TODAY"] = TODAY
    result = validate_tree(repo, today())
    if result.diagnostics:  # expected none: a new rule in generator/ may need a change of wording here
        for d in result.diagnostics[:10]:
            print("  ", d.format(), file=sys.stderr)
        if not result.ok:
            raise SystemExit(f"generated content has {len(result.diagnostics)} problems (expected none)")
        print(f"  note: {len(result.diagnostics)} warnings on the generated content (expected none)", flush=True)
    if plain.exists():
        shutil.rmtree(plain)
    docs = plain / "docs"
    cfg = _main_config()
    renderer = Renderer(result.catalog, [THEME_DIR], str(cfg["theme"].get("language", "es"))[:2])
    pages = [(article_src(a), renderer.article_markdown(a)) for a in result.catalog.articles]
    pages += [(g.src_uri, g.markdown) for g in renderer.generated_pages(home=True, existing=set())]
    for src, text in pages:
        target = docs / src
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    cfg["site_name"] = "Benchmark — plain Material"
    cfg["docs_dir"] = "docs"
    cfg.pop("site_dir", None)
    cfg.pop("nav", None)
    theme = cfg["theme"]
    theme.pop("custom_dir", None)
    theme["features"] = features
    cfg["plugins"] = [p for p in cfg.get("plugins", []) if p != "kb" and not (isinstance(p, dict) and "kb" in p)]
    names = {e if isinstance(e, str) else next(iter(e)) for e in cfg.get("markdown_extensions", [])}
    cfg["markdown_extensions"] = [*cfg.get("markdown_extensions", []),
                                  *[e for e in NEEDED_EXTENSIONS if e not in names]]
    (plain / "mkdocs.yml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return len(pages)


# --- measuring -------------------------------------------------------------------------------------
PHASES = ("cold", "nothing", "touched")
TOUCH = "\nSi el problema continúa, reinicie el equipo y vuelva a probar.\n"


@dataclass
class Run:
    n: int
    tool: str
    repeat: int
    pages: int
    wall_s: float
    cpu_s: float  # user + system time of the build process
    other_load: float  # CPUs busy with other processes during the build, on average
    peak_rss_mb: float
    site_mb: float
    returncode: int
    log: str
    phase: str = "cold"
    rendered: int | None = None  # pages the build rendered (kb: from the cache's stats.json)

    @property
    def ms_per_page(self) -> float:
        return 1000 * self.wall_s / self.pages if self.pages else float("nan")


def executable(name: str) -> str:
    """The console script next to this Python (skips pyenv shims, which add a shell per call)."""
    local = Path(sys.executable).with_name(name)
    found = str(local) if local.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"expected the '{name}' command on PATH, found none")
    return found


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def busy_seconds() -> float:
    """CPU seconds spent busy by the whole machine since boot (all CPUs), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    steal = ticks[7] if len(ticks) > 7 else 0
    return (sum(ticks[:8]) - idle - steal) / _TICK


def wait_for_quiet(limit_s: float, threshold: float = 0.25) -> float:
    """Wait (up to ``limit_s``) until other processes use less than ``threshold`` CPUs; return their load."""
    deadline = time.monotonic() + limit_s
    told = False
    while True:
        b0, t0 = busy_seconds(), time.monotonic()
        time.sleep(1.0)
        load = (busy_seconds() - b0) / (time.monotonic() - t0)
        if load < threshold or time.monotonic() >= deadline:
            return load
        if not told:
            print(f"    waiting for a quieter machine (other processes use {load:.1f} CPUs)...", flush=True)
            told = True
        time.sleep(4.0)


def measure(cmd: list[str], log: Path) -> tuple[float, float, float, float, int]:
    """Run ``cmd``; return wall s, CPU s and peak RSS (MiB) of the child, other CPU load, exit code."""
    # Byte-code written and reused as on a user's machine (a CI or sandbox shell may set
    # PYTHONDONTWRITEBYTECODE: every build would then compile every module again, ≈ 0.5 s).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | {"KB_TODAY": TODAY}
    with log.open("w", encoding="utf-8") as out:
        out.write("$ " + shlex.join(cmd) + "\n")
        out.flush()
        busy0 = busy_seconds()
        t0 = time.perf_counter()
        # cwd: the log folder, never the repository root (`python -m` would import its generator/ first)
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        busy = busy_seconds() - busy0
    proc.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    other = max(0.0, busy - cpu) / wall if wall else 0.0
    return wall, cpu, usage.ru_maxrss / 1024, other, proc.returncode  # ru_maxrss is in KiB on Linux


def site_stats(site: Path) -> tuple[int, float]:
    pages, size = 0, 0
    for path in site.rglob("*"):
        if path.is_file():
            size += path.stat().st_size
            pages += path.name == "index.html"
    return pages, size / 2**20


def touched_article(root: Path) -> tuple[Path, Path]:
    """The article the "one touched" phase edits: in the kb repository and in the plain one."""
    first = sorted((root / "repo" / "kb").glob("*/*.md"))
    first = [p for p in first if p.name != "index.md"]
    rel = first[0].relative_to(root / "repo" / "kb")
    return first[0], root / "plain" / "docs" / rel


def prepare_phase(tool: str, phase: str, root: Path) -> None:
    """Not timed: cold removes the site and the build cache; touched edits one article's body."""
    site = root / f"site-{tool}"
    if phase == "cold":
        if site.exists():
            shutil.rmtree(site)  # not timed: `kb build` would otherwise also time removing the old site
        if tool == "kb":
            shutil.rmtree(root / "repo" / ".kb-data" / "cache" / "build", ignore_errors=True)
    elif phase == "touched":
        path = touched_article(root)[0 if tool == "kb" else 1]
        path.write_text(path.read_text(encoding="utf-8") + TOUCH, encoding="utf-8")


def rendered_pages(tool: str, root: Path) -> int | None:
    try:
        stats = json.loads((root / "repo" / ".kb-data" / "cache" / "build" / "stats.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return len(stats["rendered"]) if tool == "kb" else None


def build_once(tool: str, n: int, r: int, root: Path, out: Path, keep: bool, quiet_s: float,
               phase: str = "cold") -> Run:
    site = root / f"site-{tool}"
    prepare_phase(tool, phase, root)
    if tool == "kb":
        cmd = [executable("kb"), "build", "-f", str(root / "repo" / "mkdocs.yml"), "-d", str(site)]
    else:
        cmd = [executable("mkdocs"), "build", "-f", str(root / "plain" / "mkdocs.yml"), "-d", str(site)]
    log = out / "logs" / f"{tool}-{n}-{r}-{phase}.log"
    if quiet_s > 0:
        wait_for_quiet(quiet_s)
    wall, cpu, rss, other, code = measure(cmd, log)
    pages, size = site_stats(site) if code == 0 and site.is_dir() else (0, 0.0)
    if code != 0:
        print(f"    {tool} failed with exit code {code}; see {log}", flush=True)
    elif not keep and phase == PHASES[-1]:
        shutil.rmtree(site)
    return Run(n, tool, r, pages, wall, cpu, other, rss, size, code, str(log.relative_to(out)), phase,
               rendered_pages(tool, root) if code == 0 else None)


# --- report ----------------------------------------------------------------------------------------
def summarize(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per (N, tool): the fastest cold build of the repeats (least disturbed), highest peak RSS."""
    runs = [r for r in runs if r.phase == "cold"]
    rows: list[dict[str, Any]] = []
    keys = sorted({(r.n, r.tool) for r in runs}, key=lambda k: (k[0], k[1] != "kb"))
    for n, tool in keys:
        mine = [r for r in runs if (r.n, r.tool) == (n, tool) and r.returncode == 0]
        if not mine:
            rows.append({"n": n, "tool": tool, "failed": True})
            continue
        best = min(mine, key=lambda r: r.wall_s)
        rows.append({"n": n, "tool": tool, "pages": best.pages, "wall_s": best.wall_s, "cpu_s": best.cpu_s,
                     "ms_per_page": best.ms_per_page, "peak_rss_mb": max(r.peak_rss_mb for r in mine),
                     "site_mb": best.site_mb, "other_load": best.other_load, "repeats": len(mine),
                     "walls": [round(r.wall_s, 2) for r in mine]})
    for row in rows:
        if row["tool"] == "kb" and not row.get("failed"):
            base = next((x for x in rows if x["n"] == row["n"] and x["tool"] == "plain" and not x.get("failed")),
                        None)
            row["ratio"] = row["wall_s"] / base["wall_s"] if base else None
            row["cpu_ratio"] = row["cpu_s"] / base["cpu_s"] if base else None
    return rows


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| N | tool | pages | wall s | ms/page | peak RSS MB | ratio kb/plain | CPU s | CPU ratio | site MB "
            "| other load |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
    lines = []
    for r in rows:
        tool = "`kb build`" if r["tool"] == "kb" else "plain Material (prune)"
        if r.get("failed"):
            lines.append(f"| {r['n']:,} | {tool} | failed | | | | | | | | |")
            continue
        ratio = f"{r['ratio']:.2f}×" if r.get("ratio") is not None else ""
        cpu_ratio = f"{r['cpu_ratio']:.2f}×" if r.get("cpu_ratio") is not None else ""
        lines.append(f"| {r['n']:,} | {tool} | {r['pages']:,} | {r['wall_s']:.1f} | {r['ms_per_page']:.1f} | "
                     f"{r['peak_rss_mb']:.0f} | {ratio} | {r['cpu_s']:.1f} | {cpu_ratio} | {r['site_mb']:.0f} | "
                     f"{r['other_load']:.2f} |")
    return head + "\n".join(lines) + "\n"


def rebuilds(runs: list[Run]) -> list[dict[str, Any]]:
    """One row per (N, tool): per phase the fastest build of the repeats, its CPU s, other load, pages rendered."""
    rows: list[dict[str, Any]] = []
    for n, tool in sorted({(r.n, r.tool) for r in runs}, key=lambda k: (k[0], k[1] != "kb")):
        row: dict[str, Any] = {"n": n, "tool": tool}
        for phase in PHASES:
            mine = [r for r in runs if (r.n, r.tool, r.phase) == (n, tool, phase) and r.returncode == 0]
            if mine:
                best = min(mine, key=lambda r: r.wall_s)
                row[phase] = {"wall_s": best.wall_s, "cpu_s": best.cpu_s, "other_load": best.other_load,
                              "rendered": best.rendered, "pages": best.pages}
        rows.append(row)
    return rows


REBUILD_TARGETS = {"nothing": 5.0, "touched": 8.0}  # seconds, `kb build` at N = 10,000


def rebuild_table(rows: list[dict[str, Any]]) -> str:
    head = ("| N | tool | cold s | nothing changed s | one touched s | CPU s (cold / nothing / touched) "
            "| other load (cold / nothing / touched) | pages rendered (cold / nothing / touched) |\n"
            "|---:|---|---:|---:|---:|---|---|---|\n")
    lines = []
    for r in rows:
        tool = "`kb build`" if r["tool"] == "kb" else "plain Material (prune)"
        cells = [r.get(p) for p in PHASES]
        wall = [f"{c['wall_s']:.1f}" if c else "failed" for c in cells]
        cpu = " / ".join(f"{c['cpu_s']:.1f}" if c else "–" for c in cells)
        load = " / ".join(f"{c['other_load']:.2f}" if c else "–" for c in cells)
        done = " / ".join(f"{c['rendered']:,}" if c and c["rendered"] is not None
                          else f"{c['pages']:,} (all)" if c and r["tool"] == "plain" else "–" for c in cells)
        lines.append(f"| {r['n']:,} | {tool} | {' | '.join(wall)} | {cpu} | {load} | {done} |")
    return head + "\n".join(lines) + "\n"


def rebuild_reading(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    for r in rows:
        if r["tool"] != "kb":
            continue
        for phase, target in REBUILD_TARGETS.items():
            cell = r.get(phase)
            if cell:
                verdict = "met" if cell["wall_s"] <= target else "not met"
                what = "nothing changed" if phase == "nothing" else "one article touched"
                out.append(f"N = {r['n']:,}, {what}: `kb build` {cell['wall_s']:.1f} s wall, {cell['cpu_s']:.1f} s "
                           f"CPU (target ≤ {target:.0f} s at 10,000: {verdict}"
                           f"{'' if r['n'] == 10000 else ', for reference'}).")
    return out


def reading(rows: list[dict[str, Any]]) -> list[str]:
    """Statements computed from the numbers (no judgement written by hand)."""
    ok = [r for r in rows if not r.get("failed")]
    out = []
    for r in ok:
        if r["tool"] == "kb" and r.get("ratio") is not None:
            wall_ok, cpu_ok = r["ratio"] <= RATIO_TARGET, r["cpu_ratio"] <= RATIO_TARGET
            verdict = ("met" if wall_ok and cpu_ok else "met on wall time only" if wall_ok
                       else "met on CPU time only" if cpu_ok else "not met")
            out.append(f"N = {r['n']:,}: `kb build` takes {r['ratio']:.2f}× the wall time and {r['cpu_ratio']:.2f}× "
                       f"the CPU time of the plain Material build (target ≤ {RATIO_TARGET:.1f}×: {verdict}).")
    for tool in ("kb", "plain"):
        mine = sorted((r for r in ok if r["tool"] == tool), key=lambda r: r["n"])
        if len(mine) >= 2:
            lo, hi = mine[0], mine[-1]
            growth = hi["ms_per_page"] / lo["ms_per_page"]
            shape = "about linear" if growth <= 1.25 else "worse than linear"
            name = "`kb build`" if tool == "kb" else "plain Material"
            out.append(f"{name}: {lo['ms_per_page']:.1f} ms/page at {lo['n']:,}, {hi['ms_per_page']:.1f} ms/page at "
                       f"{hi['n']:,} (×{growth:.2f} per page for ×{hi['n'] / lo['n']:.0f} pages): {shape}.")
    noisy = [r for r in ok if r["other_load"] >= 0.25]
    if noisy:
        which = ", ".join(f"{r['tool']} at {r['n']:,} ({r['other_load']:.2f})" for r in noisy)
        out.append(f"Other processes kept ≥ 0.25 CPUs busy during: {which}; their wall times are less reliable "
                   "than CPU times.")
    kb_rows = sorted((r for r in ok if r["tool"] == "kb"), key=lambda r: r["n"])
    if kb_rows:
        top = kb_rows[-1]
        verdict = "met" if top["peak_rss_mb"] <= RSS_TARGET_MB else "not met"
        out.append(f"Peak RSS of `kb build` at N = {top['n']:,}: {top['peak_rss_mb']:.0f} MB "
                   f"(target ≤ {RSS_TARGET_MB} MB at 10,000: {verdict}).")
    return out


def machine() -> dict[str, str]:
    cpu = "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    except OSError:
        pass
    source = CODE["source"]
    if source == "working tree":
        head = _git("rev-parse", "--short", "HEAD") or "unknown"
        dirty = _git("status", "--porcelain", "--", "generator", "theme")
        source = f"working tree at {head}" + (" with uncommitted changes in generator/ or theme/" if dirty else "")
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu, "nproc": str(os.cpu_count()), "ram": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(), "mkdocs": metadata.version("mkdocs"),
        "material": metadata.version("mkdocs-material"), "markdown": metadata.version("markdown"),
        "code": source,
    }


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def use_revision(rev: str, out: Path) -> None:
    """Build with generator/ and theme/ of a git revision (exported with `git archive`), not the working tree.

    The package is installed editable, so other people's uncommitted edits would otherwise change
    (or break) the code in the middle of a long run. PYTHONPATH wins over the editable finder.
    """
    commit = _git("rev-parse", "--short", rev)
    if not commit:
        raise SystemExit(f"--code: expected a git revision, found {rev!r}")
    src = out / f"src-{commit}"
    if not (src / "generator").is_dir():
        src.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "generator", "theme", "mkdocs.yml"],
                                 capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(src)], input=archive, check=True)
    sys.path.insert(0, str(src))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [os.environ.get("PYTHONPATH")])])
    global MAIN_CONFIG
    MAIN_CONFIG = src / "mkdocs.yml"
    CODE["source"] = f"commit {commit} (`--code {rev}`: generator/ and theme/ exported with git archive)"
    import generator.mkdocs.plugin

    if Path(generator.mkdocs.plugin.__file__).resolve().parents[2] != src.resolve():
        raise SystemExit(f"--code: generator was imported from {generator.mkdocs.plugin.__file__}, not {src}")


def results_block(rows: list[dict[str, Any]], info: dict[str, str], command: str,
                  again: list[dict[str, Any]] | None = None) -> str:
    return "\n".join([
        BEGIN,
        "",
        "Command (from the repository root):",
        "",
        "```sh",
        command,
        "```",
        "",
        f"Machine: {info['cpu']}, {info['nproc']} CPUs, {info['ram']} RAM, {info['os']}; Python {info['python']}, "
        f"MkDocs {info['mkdocs']}, Material for MkDocs {info['material']}, Python-Markdown {info['markdown']}; "
        f"code: {info['code']}; run {info['date']}.",
        "",
        table(rows).rstrip("\n"),
        "",
        *[f"- {s}" for s in reading(rows)],
        "",
        *(["Rebuilds with the build cache (cold: no site and no cache; nothing changed: the same sources "
           "again; one touched: one article's body edited in both repositories):", "",
           rebuild_table(again).rstrip("\n"), "", *[f"- {s}" for s in rebuild_reading(again)], ""] if again else []),
        END,
    ])


DEFAULT_INTRO = """\
`bench/build.py` generates N synthetic solution articles (about 200–400 words, 20 areas, valid
front matter, the four required sections, a "see also" link) and N/20 protocols (6 steps with
branches, say basic/advanced, linked articles), then builds them twice, each build in its own
process:

- **`kb build`**: our validation, plugin, theme overrides and small section nav;
- **plain Material (prune)**: `mkdocs build` of the very Markdown our plugin hands to MkDocs
  (articles, protocols, index pages and home written out as files), Material with
  `features: [navigation.prune]`, the search plugin, the same Markdown extensions and validation
  levels, and no `nav` key (MkDocs lists every page, Material prunes it per page).

Columns: wall time around each child process; ms/page = wall time / pages, where pages are the
`index.html` files written (articles, protocols and the generated index pages, the same set for
both tools); peak RSS is the child's `ru_maxrss` from `os.wait4` (MB = MiB); ratio = `kb build`
wall time / plain wall time at the same N; CPU s = user + system time of the child and CPU ratio
its ratio; site MB = size of the output; other load = CPUs kept busy by *other* processes during
the build (from `/proc/stat`; near 0 means an undisturbed measurement). Before each build the
script waits (up to `--quiet-wait` seconds) for the machine to be quiet; with `--repeat K` the
fastest build is reported. Builds run with `KB_TODAY=2026-11-23`. Targets: ratio ≤ 1.0×, linear
growth, peak RSS ≤ 500 MB at N = 10,000.
"""


def update_docs(path: Path, block: str) -> None:
    """Replace the generated block inside `## Build` (creating the file or section if needed)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        start, end = text.index(BEGIN), text.index(END) + len(END)
        text = text[:start] + block + text[end:]
    else:
        section = f"## Build\n\n{DEFAULT_INTRO}\n{block}\n"
        m = re.search(r"^## Build[ \t]*\n", text, flags=re.M)
        if m:  # a Build section without our block: append the block at its end
            nxt = re.search(r"^## ", text[m.end():], flags=re.M)
            at = m.end() + nxt.start() if nxt else len(text)
            text = text[:at].rstrip("\n") + "\n\n" + block + "\n\n" + text[at:].lstrip("\n")
        else:
            text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


# --- profile ---------------------------------------------------------------------------------------
def profile(n: int, out: Path, seed: int) -> None:
    import pstats

    root = out / f"n{n}"
    print(f"[profile] generating N={n}", flush=True)
    generate_repo(root / "repo", n, seed)
    site = root / "site-kb-profile"
    if site.exists():
        shutil.rmtree(site)
    prof = out / f"kb-{n}.prof"
    cmd = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "generator.cli", "build",
           "-f", str(root / "repo" / "mkdocs.yml"), "-d", str(site)]
    wall, _, rss, _, code = measure(cmd, out / "logs" / f"profile-{n}.log")
    print(f"[profile] kb build under cProfile: {wall:.1f} s, peak RSS {rss:.0f} MB, exit {code}", flush=True)
    report = out / f"profile-{n}.txt"
    with report.open("w", encoding="utf-8") as fh:
        stats = pstats.Stats(str(prof), stream=fh)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(35)
    print(report.read_text(encoding="utf-8"))
    shutil.rmtree(site, ignore_errors=True)


# --- main ------------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="500,2000,10000", help="numbers of articles, comma-separated")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="work folder (git-ignored)")
    ap.add_argument("--repeat", type=int, default=1, help="builds per tool and size (the fastest is reported)")
    ap.add_argument("--quiet-wait", type=float, default=120, metavar="S",
                    help="before each build, wait up to S seconds for other processes to go quiet (0: never)")
    ap.add_argument("--seed", type=int, default=20261123)
    ap.add_argument("--docs", type=Path, default=DOCS_FILE, help="Markdown file whose '## Build' section is updated")
    ap.add_argument("--no-docs", action="store_true", help="do not update the docs file")
    ap.add_argument("--keep-sites", action="store_true", help="keep the built sites under --out")
    ap.add_argument("--plain-features", default="navigation.prune",
                    help="theme features of the plain Material build, comma-separated")
    ap.add_argument("--code", metavar="REV", help="build with generator/ and theme/ of this git revision "
                    "(e.g. HEAD) instead of the working tree")
    ap.add_argument("--report", type=Path, metavar="JSON",
                    help="only write the table and docs again from a results file (bench/out/build-results.json)")
    ap.add_argument("--profile", type=int, metavar="N", help="only profile one `kb build` at N with cProfile")
    ap.add_argument("--phases", default=",".join(PHASES),
                    help="builds per tool and size, in order: cold (no site, no cache), nothing (rebuild, "
                    "nothing changed), touched (one article edited)")
    ap.add_argument("--tools", default="kb,plain", help="tools to build, comma-separated: kb (kb build), plain "
                    "(plain Material); plain rows of an earlier run are not carried over")
    args = ap.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    if not tools or any(t not in ("kb", "plain") for t in tools):
        raise SystemExit(f"--tools: expected some of kb, plain, found {args.tools!r}")
    phases = [p for p in args.phases.split(",") if p]
    if not phases or phases[0] != "cold" or any(p not in PHASES for p in phases):
        raise SystemExit(f"--phases: expected 'cold' first, then some of {PHASES[1:]}, found {args.phases!r}")
    out: Path = args.out.resolve()
    (out / "logs").mkdir(parents=True, exist_ok=True)
    if args.code:
        use_revision(args.code, out)
    if args.profile:
        profile(args.profile, out, args.seed)
        return 0
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        return report(saved["rows"], saved["machine"], saved["command"], out, None if args.no_docs else args.docs,
                      saved.get("rebuilds"))

    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    command = "python bench/build.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    runs: list[Run] = []
    started = time.perf_counter()
    for n in sizes:
        root = out / f"n{n}"
        t0 = time.perf_counter()
        articles, protocols = generate_repo(root / "repo", n, args.seed)
        pages = write_plain(root / "repo", root / "plain", args.plain_features.split(","))
        print(f"[N={n:,}] generated {articles:,} articles + {protocols:,} protocols, {pages:,} Markdown pages "
              f"for the plain build ({time.perf_counter() - t0:.1f} s)", flush=True)
        for r in range(1, args.repeat + 1):
            for tool, phase in [(t, p) for t in tools for p in phases]:
                run = build_once(tool, n, r, root, out, args.keep_sites, args.quiet_wait, phase)
                runs.append(run)
                print(f"  {tool:5} {phase:8} #{r}: {run.wall_s:7.1f} s (CPU {run.cpu_s:6.1f} s)  {run.pages:6,} pages  "
                      f"{run.ms_per_page:6.1f} ms/page  peak RSS {run.peak_rss_mb:5.0f} MB  other load "
                      f"{run.other_load:.2f}  (elapsed {time.perf_counter() - started:.0f} s)", flush=True)
                save(out, command, runs)  # after every build: a run cut short still reports what it measured
    code = report(summarize(runs), machine(), command, out, None if args.no_docs else args.docs, rebuilds(runs))
    return code or (0 if all(r.returncode == 0 for r in runs) else 1)


def save(out: Path, command: str, runs: list[Run]) -> None:
    (out / "build-results.json").write_text(json.dumps({"command": command, "machine": machine(),
                                                        "rows": summarize(runs), "rebuilds": rebuilds(runs),
                                                        "runs": [asdict(r) for r in runs]}, indent=1),
                                            encoding="utf-8")


def report(rows: list[dict[str, Any]], info: dict[str, str], command: str, out: Path, docs: Path | None,
           again: list[dict[str, Any]] | None = None) -> int:
    block = results_block(rows, info, command, again)
    (out / "build-table.md").write_text(block + "\n", encoding="utf-8")
    print()
    print(table(rows))
    for line in reading(rows):
        print("-", line)
    if again:
        print(rebuild_table(again))
        for line in rebuild_reading(again):
            print("-", line)
    if docs is not None:
        update_docs(docs, block)
        print(f"\nupdated {docs}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
