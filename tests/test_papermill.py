"""Papermill drives every notebook: the parameters cells parse, injection warns about nothing, and
(slow) every notebook executes on the named kernel with a region selection and no warning at all.

The slow test runs in .ci/run: ``.venv/bin/python -m pytest -p no:cacheprovider -m slow tests/test_papermill.py``.
"""

from __future__ import annotations

import logging
import os
import warnings

import nbformat
import papermill
import pytest
from papermill.iorw import load_notebook_node

from innocap_analysis import config
from innocap_analysis.app.build import discover_notebooks, read_notebook_source
from innocap_analysis.app.kernel import KERNEL_NAME, ensure_kernel, kernel_config

NOTEBOOKS = discover_notebooks()
PARAMETERS = {"survey_paths", "codebook_path", "region_selection", "min_cell_size", "seed", "illustrative"}
#: Three of the five partner regions: enough groups for every comparison, and visibly a selection.
SELECTION = ["donegal", "south_savo", "vasternorrland"]


def _source_notebook(path, tmp_path):
    """The notebook as the build executes it (cells from the paired script), written where papermill reads it."""
    target = tmp_path / path.name
    nbformat.write(read_notebook_source(path), target)
    return target


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_parses_without_warnings(path, tmp_path, caplog):
    source = _source_notebook(path, tmp_path)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        inferred = papermill.inspect_notebook(str(source))
        # prepare_only: papermill parameterises and checks the names as for a run, without executing
        injected = papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), prepare_only=True,
                                              kernel_name=KERNEL_NAME,
                                              parameters={"region_selection": SELECTION, "min_cell_size": 7, "seed": 1})
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert set(inferred) == PARAMETERS
    cell = next(c for c in injected.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'region_selection = ["donegal", "south_savo", "vasternorrland"]' in cell.source


def test_an_unknown_parameter_is_warned_about(tmp_path, caplog):
    """The check above can fail: papermill does warn about a parameter the notebook does not declare."""
    source = _source_notebook(NOTEBOOKS[0], tmp_path)
    with caplog.at_level(logging.WARNING, logger="papermill"):
        papermill.execute_notebook(str(source), str(tmp_path / "out.ipynb"), prepare_only=True,
                                   kernel_name=KERNEL_NAME, parameters={"no_such_parameter": 1})
    assert any("Passed unknown parameter: no_such_parameter" in r.getMessage() for r in caplog.records)
    bad = load_notebook_node(str(source))
    cell = next(c for c in bad.cells if "parameters" in c.metadata.tags)
    cell.source += "\nwidth = 3  # columns; 0 = automatic"
    nbformat.write(bad, tmp_path / "bad.ipynb")
    with caplog.at_level(logging.WARNING, logger="papermill"):
        papermill.inspect_notebook(str(tmp_path / "bad.ipynb"))
    assert any("Unable to parse line" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_papermill_executes_every_notebook_without_warnings(tmp_path, caplog, capfd, monkeypatch):
    ensure_kernel()
    out = tmp_path / "out"
    monkeypatch.setenv("INNOCAP_FIGURES_DIR", str(tmp_path / "figures"))
    monkeypatch.setenv("INNOCAP_INTERIM_DIR", str(tmp_path / "interim"))
    for key, value in config.reproducible_environment().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("INNOCAP_STAGING_DIR", raising=False)
    out.mkdir()
    with caplog.at_level(logging.WARNING, logger="papermill"), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in NOTEBOOKS:
            papermill.execute_notebook(
                str(_source_notebook(path, tmp_path)), str(out / path.name),
                parameters={"region_selection": SELECTION}, kernel_name=KERNEL_NAME, cwd=str(config.NOTEBOOKS_DIR),
                progress_bar=False, config=kernel_config(tmp_path),
            )
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert [str(w.message) for w in caught if "papermill" in (w.filename or "")] == []
    kernel_stderr = capfd.readouterr().err
    assert "TCP without encryption" not in kernel_stderr and "Warning" not in kernel_stderr, kernel_stderr[-2000:]
    for path in NOTEBOOKS:
        executed = nbformat.read(out / path.name, as_version=4)
        stderr = [o.get("text", "") for c in executed.cells for o in c.get("outputs", [])
                  if o.get("output_type") == "stream" and o.get("name") == "stderr"]
        assert [t for t in stderr if "warn" in t.lower()] == [], f"{path.name} printed warnings: {stderr}"
    # the selection reached the survey notebooks: their response counts name the three regions only
    counts = (tmp_path / "figures" / "tables" / "01_response_counts.csv").read_text(encoding="utf-8")
    assert "donegal" in counts and "south_iceland" not in counts and "newfoundland_labrador" not in counts
    assert os.listdir(tmp_path / "figures")
