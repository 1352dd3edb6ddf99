"""A real editor driving `okrctl lsp` as docs/editors.md sets it up: Emacs with eglot (Debian's
`emacs-nox`, `elpa-eglot`, `elpa-yaml-mode`, which `.ci/run` installs), in batch mode, with the
very snippet the page shows. It opens a team file whose `aligns_to` is misspelt, reads the
finding from Flymake, retypes the ref wrong and then right without saving, and sees the finding
follow each edit (the fix also drops a `source:`, so that the server's next answer shows)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT
from gitrepo import GitRepo
from test_lsp import COMPANY, CONFIG, TEAM

pytestmark = [pytest.mark.slow]

DRIVER = r"""
(package-activate-all)                  ; as an interactive Emacs starts: modes' autoloads
(load (expand-file-name "init.el" (file-name-directory load-file-name)))
(defun okr-findings ()
  (mapcar (lambda (d)
            (let ((beg (flymake-diagnostic-beg d)))
              (format "%d:%d: %s" (line-number-at-pos beg)
                      (save-excursion (goto-char beg) (1+ (current-column)))
                      (flymake-diagnostic-text d))))
          (flymake-diagnostics)))
(defun okr-wait (done)
  (let ((tries 0))
    (while (and (< tries 300) (not (funcall done (okr-findings))))
      (accept-process-output nil 0.05)
      (setq tries (1+ tries)))
    (okr-findings)))
(defun okr-misspelt-p (found) (seq-some (lambda (f) (string-match-p "unknown-ref" f)) found))
(find-file (car command-line-args-left))
(setq command-line-args-left nil)
(run-hooks 'post-command-hook)          ; where eglot-ensure starts the server
(princ (format "mode: %s\n" major-mode))
(dolist (f (okr-wait #'okr-misspelt-p)) (princ (format "found: %s\n" f)))
(defun okr-edit (from to)               ; typed, not saved; sent at once (batch Emacs is
  (goto-char (point-min))               ; never idle, and eglot sends a change when idle)
  (search-forward from)
  (replace-match to t t)
  (eglot--signal-textDocument/didChange))
(okr-edit "acme/grwo" "acme/grox")
(princ (format "modified: %s\n" (buffer-modified-p)))
(dolist (f (okr-wait (lambda (found) (seq-some (lambda (f) (string-match-p "grox" f)) found))))
  (princ (format "retyped: %s\n" f)))
(okr-edit "acme/grox" "acme/grow")
(okr-edit "        source: funnel\n" "")
(dolist (f (okr-wait (lambda (found) (and found (not (okr-misspelt-p found))))))
  (princ (format "fixed: %s\n" f)))
(princ "done\n")
(set-buffer-modified-p nil)
(kill-emacs 0)
"""


def elisp_of_the_docs() -> str:
    page = (PROJECT_ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```elisp\n(.*?)```", page, flags=re.DOTALL)
    return block


def emacs_with_eglot() -> str | None:
    """Why Emacs cannot drive the server here, or None when it can."""
    if shutil.which("emacs") is None:
        return "Emacs is not installed (.ci/run installs emacs-nox, elpa-eglot, elpa-yaml-mode)"
    probe = subprocess.run(
        ["emacs", "--batch", "--eval", "(progn (require 'eglot) (require 'yaml-mode))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return f"Emacs has no eglot or yaml-mode: {probe.stderr.strip()[-200:]}"
    return None


def test_emacs_with_eglot_shows_a_finding_and_clears_it_as_the_buffer_is_fixed(tmp_path):
    missing = emacs_with_eglot()
    if missing:
        pytest.skip(missing)
    repo = GitRepo(tmp_path / "okrs")
    repo.commit(
        {"okrctl.yaml": CONFIG, "goals/company.yaml": COMPANY, "goals/teams/signups.yaml": TEAM},
        "2026-10-01",
    )
    editor = tmp_path / "emacs"
    editor.mkdir()
    (editor / "init.el").write_text(elisp_of_the_docs(), encoding="utf-8")
    (editor / "driver.el").write_text(DRIVER, encoding="utf-8")
    team = repo.root / "goals" / "teams" / "signups.yaml"
    before = team.read_bytes()
    bin_folder = str(Path(sys.executable).parent)  # where the installed `okrctl` is
    env = {**os.environ, "PATH": bin_folder + os.pathsep + os.environ.get("PATH", "")}
    ran = subprocess.run(
        ["emacs", "--batch", "-l", str(editor / "driver.el"), str(team)],
        capture_output=True,
        text=True,
        env=env,
        cwd=repo.root,
        timeout=120,
    )
    lines = ran.stdout.splitlines()
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert lines[0] == "mode: yaml-mode"
    assert (
        "found: 8:17: okrctl [unknown-ref]: `acme/grwo` names no objective, key result or KPI "
        "(did you mean `acme/grow`?)"
    ) in lines, ran.stdout
    assert "modified: t" in lines
    retyped = [line for line in lines if line.startswith("retyped:")]
    assert retyped == [
        "retyped: 8:17: okrctl [unknown-ref]: `acme/grox` names no objective, key result or KPI "
        "(did you mean `acme/grow`?)"
    ]
    fixed = [line for line in lines if line.startswith("fixed:")]
    assert len(fixed) == 1 and "[no-source]" in fixed[0], ran.stdout  # what the fix left
    assert lines[-1] == "done", ran.stderr[-2000:]
    assert team.read_bytes() == before  # fixed in the buffer only: nothing written
