"""save_figure and save_table: byte-identical across runs, no volatile metadata, captions carried."""

import hashlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis.evidence.publish import (
    save_figure,  # noqa: E402
    save_table,  # noqa: E402
)
from innocap_analysis.plots.style import style_context  # noqa: E402


def _figure():
    with style_context():
        fig, ax = plt.subplots(figsize=(4, 3))
        rng = np.random.default_rng(1)
        ax.scatter(rng.normal(size=50), rng.normal(size=50), label="points")
        ax.imshow(rng.random((5, 5)), extent=(0, 1, 0, 1))  # an image forces clip paths and ids in SVG
        ax.set_title("Ålesund, Þorlákshöfn, Mikkeli")
        ax.legend()
    return fig


def _digests(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_save_figure_is_byte_identical_across_runs(tmp_path):
    first = save_figure(_figure(), "probe", directory=tmp_path / "a", close=True)
    second = save_figure(_figure(), "probe", directory=tmp_path / "b", close=True)
    assert sorted(p.suffix for p in first) == [".png", ".svg"]
    assert _digests(first) == _digests(second)


def test_saved_files_carry_no_dates_or_versions(tmp_path):
    paths = save_figure(_figure(), "probe", directory=tmp_path, close=True)
    svg = next(p for p in paths if p.suffix == ".svg").read_text()
    assert "<dc:date>" not in svg
    assert matplotlib.__version__ not in svg
    png = next(p for p in paths if p.suffix == ".png").read_bytes()
    assert b"Software" not in png and matplotlib.__version__.encode() not in png


def test_save_figure_rejects_paths_as_names(tmp_path):
    with pytest.raises(ValueError):
        save_figure(_figure(), "../escape", directory=tmp_path, close=True)


def test_save_table_writes_csv_markdown_latex_with_caption(tmp_path):
    table = pd.DataFrame({"region": ["Donegal", "Västernorrland"], "n": [12, pd.NA], "share": [0.5, 0.25]})
    paths = save_table(table, "t_probe", "Respondents per region (illustrative data)", counts=["n"],
                       directory=tmp_path)
    assert sorted(p.suffix for p in paths) == [".csv", ".md", ".tex"]
    assert pd.read_csv(tmp_path / "t_probe.csv")["share"].tolist() == [0.5, 0.25]
    md = (tmp_path / "t_probe.md").read_text(encoding="utf-8")
    assert md.startswith("**Respondents per region (illustrative data)**")
    assert "| Västernorrland |  | 0.25 |" in md
    assert "\\caption{Respondents per region (illustrative data)}" in (tmp_path / "t_probe.tex").read_text()
    again = save_table(table, "t_probe", "Respondents per region (illustrative data)", counts=["n"],
                       directory=tmp_path / "b")
    assert _digests(paths) == _digests(again)


def test_save_table_requires_a_caption(tmp_path):
    with pytest.raises(ValueError, match="caption"):
        save_table(pd.DataFrame({"a": [1]}), "t", "", counts=(), directory=tmp_path)
