"""Read stage: when content files last changed, from git (used by the translation check).

A *significant* change of a file is its newest commit that changed more than whitespace and
review bookkeeping (``reviewed``, ``review_every_days``, ``owner``) and whose subject does not
say ``[minor]``; uncommitted edits of the same kind count as a change made now. Without git,
or outside a repository, :func:`open_history` returns ``None`` and the check is skipped.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

# Lines that only record a review, not a change of what the page says.
_BOOKKEEPING = re.compile(r"^(reviewed|review_every_days|owner)[ \t]*:.*$", re.MULTILINE)
_SPACE = re.compile(r"\s+")
MINOR_MARK = "[minor]"


def normalized(text: str) -> str:
    """The text as the significance test sees it: no bookkeeping lines, whitespace collapsed."""
    return _SPACE.sub(" ", _BOOKKEEPING.sub("", text)).strip()


@dataclass(frozen=True)
class Change:
    """A change of a file: a commit, or ``commit == ""`` for uncommitted edits in the working tree."""

    commit: str
    when: datetime
    subject: str = ""

    @property
    def uncommitted(self) -> bool:
        return not self.commit

    def describe(self) -> str:
        if self.uncommitted:
            return "uncommitted changes"
        return f"{self.when.date().isoformat()} in {self.commit[:7]} \u201c{self.subject[:60]}\u201d"


class GitHistory:
    """Answers "when did this file last change?" for paths relative to the repository's top."""

    def __init__(self, git: str, top: Path, root: Path) -> None:
        self.git, self.top, self.root = git, top, root
        self._prefix = root.relative_to(top).as_posix()
        self._shown: dict[tuple[str, str], str | None] = {}
        self._logs: dict[str, list[Change]] = {}  # a source with several translations is read once

    def _run(self, *args: str, input: str | None = None) -> str:
        return subprocess.run([self.git, "-C", str(self.top), *args], input=input, capture_output=True,
                              text=True, check=True, encoding="utf-8", errors="replace").stdout

    def _repo_path(self, path: str) -> str:
        return path if self._prefix in ("", ".") else f"{self._prefix}/{path}"

    def _log(self, path: str) -> list[Change]:
        if path not in self._logs:
            out = self._run("log", "--no-renames", "--format=%H%x1f%ct%x1f%s", "--", self._repo_path(path))
            changes = []
            for line in out.splitlines():
                commit, when, subject = line.split("\x1f", 2)
                changes.append(Change(commit, datetime.fromtimestamp(int(when), UTC), subject))
            self._logs[path] = changes
        return self._logs[path]

    def _show(self, commit: str, path: str) -> str | None:
        if (commit, path) not in self._shown:
            try:
                self._shown[commit, path] = self._run("show", f"{commit}:{self._repo_path(path)}")
            except subprocess.CalledProcessError:
                self._shown[commit, path] = None  # the file did not exist at that commit
        return self._shown[commit, path]

    def _working_text(self, path: str) -> str | None:
        try:
            return (self.root / path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def last_change(self, path: str) -> Change | None:
        """The newest change of any kind (an uncommitted edit counts as now)."""
        log = self._log(path)
        head = self._show("HEAD", path) if log else None
        if head is None or head != self._working_text(path):
            return Change("", datetime.now(UTC))
        return log[0]

    def last_significant_change(self, path: str) -> Change | None:
        """The newest change that altered what the page says (see the module's docstring)."""
        log = self._log(path)
        newer = self._working_text(path)
        head = self._show("HEAD", path) if log else None
        if newer is not None and (head is None or normalized(newer) != normalized(head)):
            return Change("", datetime.now(UTC))
        newer = head
        for i, change in enumerate(log):
            older = self._show(log[i + 1].commit, path) if i + 1 < len(log) else None
            text = newer if i == 0 else self._show(change.commit, path)
            if MINOR_MARK not in change.subject.lower() and (
                    older is None or text is None or normalized(text) != normalized(older)):
                return change
        return None

    def contains(self, newer: Change, older: Change) -> bool:
        """True when ``older``'s commit is already part of ``newer``'s history (or is the same commit)."""
        if newer.uncommitted:
            return True
        if older.uncommitted:
            return False
        result = subprocess.run([self.git, "-C", str(self.top), "merge-base", "--is-ancestor", older.commit,
                                 newer.commit], capture_output=True)
        return result.returncode == 0


def open_history(root: Path) -> GitHistory | None:
    """The git history of the repository holding ``root``; None without git or a repository."""
    git = shutil.which("git")
    if git is None:
        return None
    try:
        top = subprocess.run([git, "-C", str(root), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True).stdout.strip()
        subprocess.run([git, "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"], capture_output=True,
                       check=True)
    except (subprocess.CalledProcessError, OSError):
        return None
    return GitHistory(git, Path(top).resolve(), root.resolve())
