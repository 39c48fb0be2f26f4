"""Build the site with an engine: MkDocs in this process, or ProperDocs in a subprocess.

The content is validated first (in a forked process, while MkDocs loads its configuration), so
problems print in our format; the validated catalog is handed to the kb plugin instance
explicitly (:func:`hand_off`), so the plugin does not read it twice. The site is written into a
temporary folder and swapped in (generator/mkdocs/swap.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.diagnostics import ContentError, Diagnostic
from generator.mkdocs.swap import publish, temporary_site
from generator.mkdocs.uptodate import Shortcut
from generator.model.validate import ValidationResult
from generator.pipeline.cachefiles import trees_read_once
from generator.pipeline.options import cache_folder
from generator.pipeline.validation import start_validation, validation_cache

ENGINES = ("mkdocs", "properdocs")


def setup_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_kb", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._kb = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def build_site(config_file: Path, site_dir: Path | None = None, *, strict: bool = False,
               engine: str = "mkdocs", data_dir: Path | None = None, cache: bool = True) -> Path:
    """Build the site of ``config_file`` and return its folder. Raises ContentError on failure.

    ``engine`` "mkdocs" builds in this process; "properdocs" runs ProperDocs (the maintained MkDocs
    1.x fork, which loads our plugin from the same entry point) in a subprocess, because it
    redirects every ``mkdocs.*`` import of its own process to itself. ``cache`` False: a clean build
    that reads nothing from the build cache (generator/mkdocs/cache.py) and stores a new one."""
    from generator.pipeline.today import today

    root = config_file.resolve().parent
    # Lint findings are warnings: only a strict build, which fails on warnings, needs them. The content
    # is validated in a second process while this one loads MkDocs and its configuration.
    # Unchanged files' results come from the validation cache in the private data folder.
    # A clean build (``cache`` False) uses neither this cache nor the build cache.
    checked = validation_cache(root, config_file) if data_dir is None else cache_folder(data_dir.resolve(), "validate")
    validated = start_validation(root, today(), lint=strict, cache=checked if cache else None,
                                 config_file=config_file.resolve())
    setup_logging()
    try:
        config = load(config_file, strict=strict)
    except ContentError:
        validated()
        raise
    target = Path(site_dir).resolve() if site_dir else Path(config.site_dir).resolve()
    use_data_dir(config, data_dir)
    with trees_read_once():  # the content folders' digests: read once for the shortcut and the search cache
        return _build(config, config_file, target, validated, strict=strict, engine=engine, data_dir=data_dir,
                      cache=cache)


def _build(config: Any, config_file: Path, target: Path, validated: Callable[[], ValidationResult], *,
           strict: bool, engine: str, data_dir: Path | None, cache: bool) -> Path:
    # Meanwhile the content is validated: the inputs' digest, if the site may be up to date already.
    shortcut = Shortcut.of(config, config_file, target, strict=strict) if cache and engine == "mkdocs" else None
    result = validated()
    if not result.ok or (strict and result.diagnostics):
        raise ContentError([d.as_error() if strict else d for d in result.diagnostics], result.files)
    if engine == "properdocs":
        build_with_properdocs(config_file, target, strict=strict, data_dir=data_dir, cache=cache)
        return target
    if shortcut is not None and not result.diagnostics and shortcut.holds():
        return target
    hand_off(config, result)
    if not cache:
        kb_plugin(config, config_file.name).config.build_cache = False
    if shortcut is None:
        build_into(config, target, config_file.name)
        return target
    with shortcut.recording():
        build_into(config, target, config_file.name)
    return target


def load(config_file: Path, *, strict: bool = False) -> Any:
    """MkDocs' configuration of ``config_file``; a broken one is a ContentError."""
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    try:
        return load_config(config_file=str(config_file), strict=strict)
    except (ConfigurationError, Abort) as exc:
        raise ContentError([Diagnostic(config_file.name, 1, 1, "mkdocs.yml", str(exc))]) from None


def kb_plugin(config: Any, config_name: str = "mkdocs.yml") -> Any:
    """The kb plugin instance of a loaded configuration; its absence is a ContentError."""
    plugin = config.plugins.get("kb")
    if plugin is None:
        raise ContentError([Diagnostic(config_name, 1, 1, "plugins",
                                       "expected the kb plugin in mkdocs.yml, found it missing")])
    return plugin


def hand_off(config: Any, result: ValidationResult) -> None:
    """Give the kb plugin of ``config`` the validated content, so its ``on_config`` does not read it again."""
    plugin = config.plugins.get("kb")
    if plugin is not None:
        plugin.validated = result


def use_data_dir(config: Any, data_dir: Path | None) -> None:
    """Point the kb plugin's private data folder (the server search index) at ``data_dir``, if given."""
    plugin = config.plugins.get("kb")
    if data_dir is not None and plugin is not None:
        plugin.config.data_dir = str(data_dir.resolve())


def build_with_properdocs(config_file: Path, target: Path, *, strict: bool = False,
                          data_dir: Path | None = None, cache: bool = True) -> None:
    """``properdocs build`` into a temporary folder next to ``target``, then the same atomic swap.
    Its output goes to our stderr as it comes; a failure is a ContentError naming the engine."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("properdocs") is None:
        raise ContentError([Diagnostic(config_file.name, 1, 1, "engine", "expected ProperDocs to be installed "
                                       "(pip install properdocs), found no properdocs package")])
    tmp = temporary_site(target)
    argv = [sys.executable, "-m", "properdocs", "build", "--config-file", str(config_file), "--site-dir", str(tmp)]
    env = {**os.environ, **({"KB_DATA_DIR": str(data_dir.resolve())} if data_dir is not None else {}),
           **({} if cache else {"KB_BUILD_CACHE": "0"})}
    proc = subprocess.run([*argv, *(["--strict"] if strict else [])], cwd=config_file.resolve().parent,
                          check=False, env=env)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ContentError([Diagnostic(config_file.name, 1, 1, "build", "expected a clean ProperDocs build, "
                                       f"found exit code {proc.returncode} (its messages are above)")])
    publish(tmp, target)


def build_into(config: Any, target: Path, config_name: str = "mkdocs.yml") -> None:
    """Run MkDocs' build of ``config`` into a temporary folder next to ``target``, then swap it in.
    Raises ContentError when MkDocs fails; ``target`` is then left as it was."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    tmp = temporary_site(target)
    config.site_dir = str(tmp)
    try:
        build(config)
    except (Abort, PluginError, ConfigurationError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ContentError([Diagnostic(config_name, 1, 1, "build", f"expected a clean build, found: {exc}")]
                           ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    publish(tmp, target)
