"""Hardening (issue 16), publishing: one switch of a complete folder; a full disk or a read-only folder is one line.

The real faults run in a child process on a 2 MiB tmpfs mounted in a private mount namespace
(``unshare``); where that is not allowed, a file-size limit (``RLIMIT_FSIZE``) stands in for the
full disk and a read-only permission for the read-only filesystem.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest

from innocap_analysis.app import build
from innocap_analysis.evidence import publish

PROBE = """
import pandas as pd
from innocap_analysis.evidence import save_table
save_table(pd.DataFrame({"a": list(range(ROWS))}), "01_probe", "A probe table.", counts=())
save_table(pd.DataFrame({"b": [1, 2]}), "01_small", "A small table.", counts=())
"""


def _probe_notebooks(folder, rows=2):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("survey_paths = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(PROBE.replace("ROWS", str(rows)))]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "01_probe.ipynb")
    return folder


def manifest_intact(figures) -> bool:
    """Every file MANIFEST.csv lists is there with the checksum it records."""
    rows = list(csv.DictReader(open(figures / "MANIFEST.csv", encoding="utf-8")))
    return bool(rows) and all(
        (figures / r["file"]).is_file() and hashlib.sha256((figures / r["file"]).read_bytes()).hexdigest() == r["sha256"]
        for r in rows)


def _tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# --- the switch ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2-exchange", "two-renames"])
def test_publication_switches_a_complete_folder_in(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda first, second: False)
    target = tmp_path / "figures"
    (target / "tables").mkdir(parents=True)
    (target / "old.png").write_bytes(b"old")
    (target / "tables" / "kept.csv").write_text("a\n1\n")
    target.chmod(0o755)
    before = os.stat(target)
    new = publish.begin_publication(target)
    assert new.parent == target.parent and new.name.startswith(".figures.innocap-new-")
    assert _tree(new) == _tree(target)  # a copy: outputs of notebooks not rerun are carried over
    (new / "old.png").unlink()
    (new / "fresh.png").write_bytes(b"new")
    assert _tree(target) == {"old.png": b"old", "tables/kept.csv": b"a\n1\n"}  # untouched until the switch
    publish.complete_publication(new, target)
    assert _tree(target) == {"fresh.png": b"new", "tables/kept.csv": b"a\n1\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures"]  # no leftovers beside it
    assert os.stat(target).st_ino != before.st_ino and os.stat(target).st_mode == before.st_mode


def test_publication_into_a_new_folder_and_abandoned_leftovers(tmp_path):
    target = tmp_path / "output" / "real" / "figures"
    leftover = tmp_path / "output" / "real" / ".figures.innocap-new-999999999-abcd"  # a killed build's
    leftover.mkdir(parents=True)
    new = publish.begin_publication(target)
    assert not leftover.exists() and list(new.iterdir()) == []
    (new / "x.csv").write_text("a\n")
    publish.complete_publication(new, target)
    assert _tree(target) == {"x.csv": b"a\n"}
    mine = publish.begin_publication(target)  # a live build's folder is never taken for a leftover
    publish.remove_abandoned(target)
    assert mine.is_dir()
    publish.abandon_publication(mine)
    assert sorted(p.name for p in target.parent.iterdir()) == ["figures"]


def test_publish_error_is_one_line_naming_the_output(tmp_path):
    target = tmp_path / "figures"
    new = publish.begin_publication(target)
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(new / "tables" / "x.csv"))
    message = str(publish.PublishError(exc, target))
    assert message == (f"cannot publish {target / 'tables' / 'x.csv'}: No space left on device (ENOSPC); "
                       f"nothing was published, the previous outputs in {target} are unchanged")
    assert "\n" not in message
    publish.abandon_publication(new)


def test_an_io_error_while_publishing_is_one_line_and_keeps_the_previous_outputs(tmp_path, monkeypatch, capsys):
    notebooks, figures = _probe_notebooks(tmp_path / "nb"), tmp_path / "figures"
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False) == 0
    previous = _tree(figures)
    capsys.readouterr()

    def full_disk(src, dest):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dest))

    _probe_notebooks(notebooks, rows=50)
    notebook_before = (notebooks / "01_probe.ipynb").read_bytes()
    monkeypatch.setattr(build.shutil, "move", full_disk)
    code = build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1 and err[0].startswith(f"error: cannot publish {figures}")
    assert "No space left on device (ENOSPC)" in err[0] and "previous outputs" in err[0]
    assert _tree(figures) == previous and manifest_intact(figures)
    assert (notebooks / "01_probe.ipynb").read_bytes() == notebook_before  # the executed copy was not written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figures", "nb"]
    assert not [p for p in notebooks.iterdir() if p.name.startswith(".")]  # no staged notebook left behind


# --- real faults --------------------------------------------------------------------------------------------

_FAULTS = textwrap.dedent('''
    """Child: build into DIR, then provoke each fault; print what happened as JSON."""
    import contextlib, csv, hashlib, io, json, os, resource, shutil, signal, subprocess, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[3])
    from test_hardening_publish import _probe_notebooks, manifest_intact
    from innocap_analysis.app import build

    root, mode = Path(sys.argv[1]), sys.argv[2]
    figures, notebooks = root / "out" / "figures", Path(sys.argv[4])

    def run(rows):
        _probe_notebooks(notebooks, rows)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False)
        return code, err.getvalue().strip().splitlines()

    def snapshot():
        return {p.relative_to(figures).as_posix(): p.read_bytes() for p in sorted(figures.rglob("*")) if p.is_file()}

    result = {}
    code, err = run(2)
    result["first"] = [code, err]
    before = snapshot()
    if mode == "tmpfs":
        free = shutil.disk_usage(root).free
        with open(root / "filler", "wb") as handle:  # leave 8 KiB: less than the new table needs
            handle.write(b"\\0" * (free - 8192))
        code, err = run(20000)
        result["full"] = [code, err, manifest_intact(figures), snapshot() == before,
                          sorted(p.name for p in (root / "out").iterdir())]
        (root / "filler").unlink()
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        code, err = run(3)
        result["read_only"] = [code, err, manifest_intact(figures), snapshot() == before]
    else:  # no private mounts allowed: a file-size limit for the full disk, permissions for read-only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from innocap_analysis.evidence import publish
        begin = publish.begin_publication

        def limited(target):  # the limit on the copy of the previous outputs, not on the notebook's kernel
            resource.setrlimit(resource.RLIMIT_FSIZE, (256, resource.RLIM_INFINITY))
            try:
                return begin(target)
            finally:
                resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

        publish.begin_publication = limited
        code, err = run(20000)
        publish.begin_publication = begin
        result["full"] = [code, err, manifest_intact(figures), snapshot() == before,
                          sorted(p.name for p in (root / "out").iterdir())]
        if os.geteuid() != 0:
            (root / "out").chmod(0o555)
            code, err = run(3)
            (root / "out").chmod(0o755)
            result["read_only"] = [code, err, manifest_intact(figures), snapshot() == before]
    print(json.dumps(result))
''')


def _run_faults(tmp_path):
    script = tmp_path / "faults.py"
    script.write_text(_FAULTS, encoding="utf-8")
    root = tmp_path / "fs"
    root.mkdir()
    tests_dir = os.path.dirname(__file__)
    args = [sys.executable, str(script), str(root), "tmpfs", tests_dir, str(tmp_path / "nb")]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-rm", "true"], capture_output=True).returncode == 0:
        command = [unshare, "-rm", "sh", "-c", 'mount -t tmpfs -o size=2m tmpfs "$1" && shift && exec "$@"',
                   "sh", str(root), *args]
    else:
        args[3] = "limit"
        command = args
    out = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return args[3], json.loads(out.stdout.strip().splitlines()[-1])


def test_full_disk_and_read_only_folder_are_one_line_with_the_previous_outputs_intact(tmp_path):
    mode, result = _run_faults(tmp_path)
    assert result["first"] == [0, []], result
    code, err, intact, unchanged, beside = result["full"]
    assert code == 1 and len(err) == 1, err
    expected = "No space left on device (ENOSPC)" if mode == "tmpfs" else "File too large (EFBIG)"
    assert expected in err[0] and err[0].startswith("error: cannot publish "), err
    assert intact and unchanged and beside == ["figures"], result["full"]
    if "read_only" not in result:
        pytest.skip("read-only case needs a private mount (unshare) or a non-root user")
    code, err, intact, unchanged = result["read_only"]
    assert code == 1 and len(err) == 1, err
    expected = "Read-only file system (EROFS)" if mode == "tmpfs" else "Permission denied (EACCES)"
    assert expected in err[0] and "the previous outputs" in err[0], err
    assert intact and unchanged
