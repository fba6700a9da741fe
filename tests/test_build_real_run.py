"""The whole chain on a second, differently seeded export set, as a real run would go.

`innocap build --survey` on exports the generator writes with another seed must produce a
complete report in its own folder and leave the committed figures and notebooks untouched.
"""

import hashlib

import pandas as pd

from innocap_analysis import config
from innocap_analysis.app import build
from innocap_analysis.synthetic import write_illustrative_exports


def _digest_tree(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_survey_run_on_reseeded_exports_is_complete_and_separate(tmp_path):
    exports = write_illustrative_exports(out_dir=tmp_path / "exports", seed=7)
    committed_figures = _digest_tree(config.FIGURES_DIR)
    committed_notebooks = _digest_tree(config.NOTEBOOKS_DIR)
    out = tmp_path / "output" / "seed7" / "figures"

    code = build.run_build(survey_paths=exports, figures_dir=out, progress=False)

    assert code == 0
    assert _digest_tree(config.FIGURES_DIR) == committed_figures
    assert _digest_tree(config.NOTEBOOKS_DIR) == committed_notebooks
    manifest = pd.read_csv(out / "MANIFEST.csv")
    committed = pd.read_csv(config.FIGURES_MANIFEST)
    assert sorted(manifest["file"]) == sorted(committed["file"])  # every figure and table, again
    assert set(manifest.loc[manifest["kind"] != "disclosure", "notebook"]) == {p.name for p in build.discover_notebooks()}
    assert (out / "DISCLOSURE.csv").exists()  # the disclosure audit ran, and passed (code 0)
    assert (out.parent / "notebooks").is_dir()
    counts = pd.read_csv(out / "tables" / "01_response_counts.csv")
    assert not counts.equals(pd.read_csv(config.TABLES_DIR / "01_response_counts.csv"))  # other data went in
    report = (out / "evidence_report.html").read_text(encoding="utf-8")
    assert "real survey exports" in report
    assert all(str(e.resolve()) in (out.parent / "notebooks" / "01_survey_data_quality.ipynb").read_text()
               for e in exports)
