"""Write stage: run the MkDocs build into a temporary folder, then swap it in.

A failed or killed build leaves the previous site untouched: the new site is written
to ``.site-tmp-<pid>-<random>`` next to the target and swapped in only when complete.
On Linux the swap is one atomic ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from generator.diagnostics import ContentError, Diagnostic
from generator.model.validate import ValidationResult, validate_tree

log = logging.getLogger("kb.build")

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two existing paths (Linux renameat2); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(res == 0)


def swap_in(new: Path, target: Path) -> None:
    """Make ``new`` the content of ``target``; the old content is removed afterwards."""
    if target.exists():
        if _exchange(new, target):
            shutil.rmtree(new, ignore_errors=True)
            return
        old = target.with_name(f".site-old-{os.getpid()}")
        os.replace(target, old)
        os.replace(new, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(new, target)


def _clean_stale(parent: Path) -> None:
    """Remove temporary folders left by builds that were killed."""
    for stale in parent.glob(".site-tmp-*"):
        try:
            pid = int(stale.name.split("-")[2])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def setup_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_kb", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._kb = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


ENGINES = ("mkdocs", "properdocs")


def build_site(config_file: Path, site_dir: Path | None = None, *, strict: bool = False,
               engine: str = "mkdocs", data_dir: Path | None = None) -> Path:
    """Build the site of ``config_file`` and return its folder. Raises ContentError on failure.

    ``engine`` "mkdocs" builds in this process; "properdocs" runs ProperDocs (the maintained MkDocs
    1.x fork, which loads our plugin from the same entry point) in a subprocess, because it
    redirects every ``mkdocs.*`` import of its own process to itself."""
    from generator.model.review import today

    root = config_file.resolve().parent
    # Lint findings are warnings: only a strict build, which fails on warnings, needs them. The content
    # is validated in a second process while this one loads MkDocs and its configuration.
    validated = start_validation(root, today(), lint=strict)

    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    from generator.mkdocs_plugin import PRELOADED

    setup_logging()
    try:
        config = load_config(config_file=str(config_file), strict=strict)
    except (ConfigurationError, Abort) as exc:
        validated()
        raise ContentError([Diagnostic(config_file.name, 1, 1, "mkdocs.yml", str(exc))]) from None
    result = validated()
    if not result.ok or (strict and result.diagnostics):
        raise ContentError([d.as_error() if strict else d for d in result.diagnostics], result.files)
    target = Path(site_dir).resolve() if site_dir else Path(config.site_dir).resolve()
    use_data_dir(config, data_dir)
    if engine == "properdocs":
        build_with_properdocs(config_file, target, strict=strict, data_dir=data_dir)
        return target
    PRELOADED[root] = result
    build_into(config, target, config_file.name)
    return target


def use_data_dir(config: Any, data_dir: Path | None) -> None:
    """Point the kb plugin's private data folder (the server search index) at ``data_dir``, if given."""
    plugin = config.plugins.get("kb")
    if data_dir is not None and plugin is not None:
        plugin.config.data_dir = str(data_dir.resolve())


def build_with_properdocs(config_file: Path, target: Path, *, strict: bool = False,
                          data_dir: Path | None = None) -> None:
    """``properdocs build`` into a temporary folder next to ``target``, then the same atomic swap.
    Its output goes to our stderr as it comes; a failure is a ContentError naming the engine."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("properdocs") is None:
        raise ContentError([Diagnostic(config_file.name, 1, 1, "engine", "expected ProperDocs to be installed "
                                       "(pip install properdocs), found no properdocs package")])
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".site-tmp-{os.getpid()}-", dir=target.parent))
    argv = [sys.executable, "-m", "properdocs", "build", "--config-file", str(config_file), "--site-dir", str(tmp)]
    env = {**os.environ, **({"KB_DATA_DIR": str(data_dir.resolve())} if data_dir is not None else {})}
    proc = subprocess.run([*argv, *(["--strict"] if strict else [])], cwd=config_file.resolve().parent,
                          check=False, env=env)
    if proc.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ContentError([Diagnostic(config_file.name, 1, 1, "build", "expected a clean ProperDocs build, "
                                       f"found exit code {proc.returncode} (its messages are above)")])
    tmp.chmod(0o777 & ~_umask())
    swap_in(tmp, target)


def build_into(config: Any, target: Path, config_name: str = "mkdocs.yml") -> None:
    """Run MkDocs' build of ``config`` into a temporary folder next to ``target``, then swap it in.
    Raises ContentError when MkDocs fails; ``target`` is then left as it was."""
    from mkdocs.commands.build import build
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(target.parent)
    tmp = Path(tempfile.mkdtemp(prefix=f".site-tmp-{os.getpid()}-", dir=target.parent))
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
    # mkdtemp makes the folder private (0700); a site must be readable by the web server.
    tmp.chmod(0o777 & ~_umask())
    swap_in(tmp, target)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


# --- validation for builds, in a forked process -------------------------------------------------
def validate_for_build(root: Path, today: date | None = None, *, lint: bool = True) -> ValidationResult:
    """:func:`validate_tree` in a forked process, for builds: the catalog comes back without the
    positions (only messages need them, and the messages come back too).

    Reading keeps every key's position and the raw YAML of every file (about 170 MB at 10,000
    pages); freed, that memory stays with the process that read it, and a build's later stages
    (MkDocs, the forked search) would carry it. Where fork is not available, in-process."""
    return start_validation(root, today, lint=lint)()


def start_validation(root: Path, today: date | None = None, *,
                     lint: bool = True) -> Callable[[], ValidationResult]:
    """Start :func:`validate_for_build`; the returned function waits for its result (meanwhile the
    caller can load MkDocs)."""
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        def here() -> ValidationResult:
            result = validate_tree(root, today, lint=lint)
            return ValidationResult(dataclasses.replace(result.catalog, positions={}), result.diagnostics,
                                    result.files)
        return here
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_validate_child, args=(root, today, lint, send), daemon=True)
    proc.start()
    send.close()

    def wait() -> ValidationResult:
        try:
            message = receive.recv()
        except EOFError:
            message = ("error", f"the validation process ended (exit code {proc.exitcode})")
        finally:
            receive.close()
            proc.join()
        if message[0] != "ok":
            raise RuntimeError(message[1])
        catalog, diagnostics, files = message[1]
        return ValidationResult(catalog, diagnostics, files)

    return wait


def _validate_child(root: Path, today: date | None, lint: bool, conn: Any) -> None:
    try:
        result = validate_tree(root, today, lint=lint)
        conn.send(("ok", (dataclasses.replace(result.catalog, positions={}), result.diagnostics, result.files)))
    except BaseException as exc:  # an unexpected failure: the parent raises it with its message
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()
