"""Every notebook is paired with a jupytext percent script holding the same cells (issue 10)."""

from __future__ import annotations

import jupytext
import nbformat
import pytest

from innocap_analysis import config
from innocap_analysis.app.build import discover_notebooks, paired_script, read_notebook_source

NOTEBOOKS = discover_notebooks()


def test_every_numbered_notebook_has_its_script():
    assert NOTEBOOKS, "no numbered notebooks found"
    assert [p.stem for p in NOTEBOOKS if not paired_script(p).exists()] == []
    assert sorted(p.stem for p in config.NOTEBOOKS_DIR.glob("[0-9][0-9]_*.py")) == [p.stem for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_stored_notebook_holds_the_cells_of_its_script(path):
    stored = nbformat.read(path, as_version=4)
    script = jupytext.read(paired_script(path))
    assert [(c.cell_type, c.source) for c in stored.cells] == [(c.cell_type, c.source) for c in script.cells], (
        f"{path.name} and {paired_script(path).name} differ: edit the script (or pair them with "
        f"`jupytext --sync {path}`) and rebuild with `innocap build`"
    )
    assert [c.metadata.get("tags", []) for c in stored.cells] == [c.metadata.get("tags", []) for c in script.cells]


def test_build_source_has_fixed_cell_ids():
    nb = read_notebook_source(NOTEBOOKS[0])
    assert [c["id"] for c in nb.cells] == [f"{NOTEBOOKS[0].stem[:2]}-{i:02d}" for i in range(len(nb.cells))]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebooks_name_the_project_kernel(path):
    expected = {"name": "innocap", "display_name": "innocap (project .venv)", "language": "python"}
    assert jupytext.read(paired_script(path)).metadata["kernelspec"] == expected
    assert read_notebook_source(path).metadata["kernelspec"] == expected
    assert nbformat.read(path, as_version=4).metadata["kernelspec"] == expected
