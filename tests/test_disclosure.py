"""Disclosure control: threshold and attribute rules, secondary suppression, audit, and the build's audit.

Every expected interval is worked out by hand or by brute-force enumeration of the integer tables
that agree with the published cells (an independent reference: no linear programming).
"""

from __future__ import annotations

import csv
import itertools
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from innocap_analysis import config, disclosure  # noqa: E402
from innocap_analysis.app import build  # noqa: E402
from innocap_analysis.disclosure import (  # noqa: E402
    DisclosureError,
    RelationBuilder,
    audit_intervals,
    binned_distribution,
    disclosure_records,
    extreme_share_mask,
    margin_relations,
    protect_cells,
    protect_groups,
    protect_rows,
    share_band,
    threshold_mask,
)
from innocap_analysis.evidence import disclosure_methods_paragraph, save_figure, save_table  # noqa: E402

# A 3 x 3 table of respondents (rows A-C, columns x-z) whose margins are published elsewhere.
TABLE = pd.DataFrame({
    "row": np.repeat(["A", "B", "C"], 3),
    "col": ["x", "y", "z"] * 3,
    "n": [2, 10, 8, 7, 9, 6, 12, 5, 11],
})


def _brute_force_interval(values, relations, masked, cell, top):
    """min and max of ``cell`` over every integer table (masked cells 0..top) that fits the published ones."""
    relations = relations.toarray()
    hidden = np.flatnonzero(masked)
    grids = np.array(list(itertools.product(range(top + 1), repeat=len(hidden))), dtype=float)
    x = np.tile(values, (len(grids), 1))
    x[:, hidden] = grids
    fits = np.all(np.abs(x @ relations.T) < 1e-9, axis=1)
    return x[fits, cell].min(), x[fits, cell].max()


# ---------------------------------------------------------------------------------- rules


def test_threshold_rule_masks_one_to_four_and_keeps_zero():
    assert threshold_mask([0, 1, 4, 5, np.nan, 12]).tolist() == [False, True, True, False, False, False]
    assert threshold_mask([3], min_n=3).tolist() == [False]
    with pytest.raises(ValueError, match="min_n"):
        threshold_mask([1], min_n=0)


def test_attribute_rule_masks_zero_and_full_shares_of_small_groups():
    counts, bases = [0, 6, 3, 12, 0, 0], [6, 6, 6, 12, 12, 0]
    assert extreme_share_mask(counts, bases).tolist() == [True, True, False, False, False, False]
    assert extreme_share_mask([12], [12], min_group=20).tolist() == [True]
    # a band instead of a mask: 0 of 7 shown as 0-4 of 7, which holds five possible counts
    assert share_band(0, 7) == "0-57%" and share_band(7, 7) == "43-100%" and share_band(3, 7) == "14-71%"


def test_group_of_six_all_yes_masks_the_100_percent_share():
    table = pd.DataFrame({"region": ["small", "large"], "n": [6, 30], "n_yes": [6, 30], "share": [1.0, 1.0]})
    out = protect_rows(table, keys=["region"], total="n", parts=["n_yes"], complement="n_no", extremes=["n_yes"],
                       derived={"share": ["n_yes", "n"]})
    small, large = out.iloc[0], out.iloc[1]
    assert np.isnan(small["share"]) and pd.isna(small["n_yes"]) and small["n"] == 6 and small["suppressed"]
    assert large["share"] == 1.0 and large["n_yes"] == 30 and not large["suppressed"]  # 30 >= 10: published
    records = disclosure_records(out).set_index("column")
    assert records.loc["n_yes", "rule"] == "extreme share"
    assert (records.loc["n_yes", "audit_low"], records.loc["n_yes", "audit_high"]) == (0, 6)
    assert records.loc["share", "rule"] == "derived"


# ------------------------------------------------------------------- secondary suppression


def test_primary_suppression_alone_is_recoverable_from_the_margins():
    cells, _ = disclosure._cube(TABLE, ["row", "col"], [], "n")
    relations = margin_relations(cells, ["row", "col"])
    values = cells["value"].to_numpy()
    a_x = int(np.flatnonzero((cells["row"] == "A") & (cells["col"] == "x"))[0])
    only_primary = np.zeros(len(values), dtype=bool)
    only_primary[a_x] = True
    low, high = audit_intervals(values, relations, only_primary)
    assert (low[a_x], high[a_x]) == (2, 2)  # 20 - 10 - 8: the masked 2 is published after all
    assert _brute_force_interval(values, relations, only_primary, a_x, 30) == (2, 2)


def test_secondary_suppression_widens_the_audit_interval_beyond_the_threshold():
    out = protect_groups(TABLE, ["row", "col"])
    records = disclosure_records(out)
    counts = records[records["column"] == "n"].set_index("row")
    primary = counts.loc["row=A, col=x"]
    assert primary["rule"] == "threshold"
    assert primary["audit_high"] - primary["audit_low"] >= config.MIN_CELL_SIZE
    # the fewest extra cells: in a two-way table with published margins one masked cell needs a
    # rectangle, so exactly three more
    assert (counts["rule"] == "secondary").sum() == 3
    assert out["n"].isna().sum() == 4 and out.loc[out["n"].isna(), "suppressed"].all()
    # the LP audit agrees with brute-force enumeration of every integer table that fits
    cells, _ = disclosure._cube(TABLE, ["row", "col"], [], "n")
    relations = margin_relations(cells, ["row", "col"])
    key = cells["row"] + "/" + cells["col"]
    masked = key.isin([f"{r.split('=')[1].split(',')[0]}/{r.split('col=')[1]}" for r in counts.index]).to_numpy()
    values = cells["value"].to_numpy()
    low, high = audit_intervals(values, relations, masked)
    for cell in np.flatnonzero(masked):
        assert (low[cell], high[cell]) == _brute_force_interval(values, relations, masked, cell, 30)
    a_x = int(np.flatnonzero(key == "A/x")[0])
    assert (primary["audit_low"], primary["audit_high"]) == (low[a_x], high[a_x])


def test_margins_masked_in_their_own_table_are_unknown():
    # 6 + 2 in one region, 5 + 0 in the other: the SME total (2) is masked in the one-way table, and the
    # public total with it, so only the row totals bind
    table = pd.DataFrame({"region": ["a", "a", "b", "b"], "type": ["public", "sme"] * 2, "n": [6, 2, 5, 0]})
    out = protect_groups(table, ["region", "type"])
    assert out["n"].isna().tolist() == [True, True, False, False]
    records = disclosure_records(out).set_index("row")
    assert records.loc["region=a, type=sme", ["audit_low", "audit_high"]].tolist() == [0, 8]


def test_secondary_suppression_across_two_tables_published_from_the_same_counts():
    # Two tables count the same 40 answers: by item (rows i1, i2) and by group (rows g1, g2), each as
    # "invalid" + "valid" = total. The grand totals per kind are not published (hidden), but they are
    # the same number in both tables, which links them.
    item = {"i1": (1, 19), "i2": (0, 20)}
    group = {"g1": (1, 24), "g2": (0, 15)}
    values, roles, labels = [], [], []
    for table in (item, group):
        for key, (invalid, valid) in table.items():
            values += [invalid, valid, invalid + valid]
            roles += ["visible", "visible", "fixed"]
            labels += [f"{key}/invalid", f"{key}/valid", f"{key}/total"]
    values += [1, 39]  # hidden grand totals: invalid, valid
    roles += ["hidden", "hidden"]
    idx = {name: i for i, name in enumerate(labels)}
    builder = RelationBuilder(len(values))
    for key in [*item, *group]:
        builder.add_sums(np.array([idx[f"{key}/total"]]), [np.array([idx[f"{key}/invalid"]]), np.array([idx[f"{key}/valid"]])])
    for j, kind in enumerate(("invalid", "valid")):
        for table in (item, group):
            builder.add_sums(np.array([len(labels) + j]), [np.array([idx[f"{k}/{kind}"]]) for k in table])
    relations = builder.matrix()
    values = np.asarray(values, dtype=float)
    primary = np.where(threshold_mask(values) & (np.asarray(roles) != "hidden"), "threshold", "").astype(object)
    # masking the two 1s alone: each is the other table's published 0s away from the hidden total, but the
    # totals fix them: i1 invalid = 20 - 19
    alone = primary != ""
    low, high = audit_intervals(values, relations, alone | (np.asarray(roles) == "hidden"))
    assert high[idx["i1/invalid"]] - low[idx["i1/invalid"]] == 0
    protection = protect_cells(values, relations, primary, roles=roles)
    for cell in ("i1/invalid", "g1/invalid"):
        assert protection.width[idx[cell]] >= config.MIN_CELL_SIZE
    assert protection.masked[idx["i1/valid"]] and protection.masked[idx["g1/valid"]]


def test_unprotectable_cell_raises():
    # 2 + 3 = 5 with the total published and nothing else to mask: each is at most 5 wide... but the
    # 3 and the 2 are both primary; with min_width 6 no pattern can reach it
    values = np.array([2.0, 3.0, 5.0])
    relations = RelationBuilder(3)
    relations.add_sums(np.array([2]), [np.array([0]), np.array([1])])
    with pytest.raises(DisclosureError, match="cannot be protected|no suppression pattern"):
        protect_cells(values, relations.matrix(), ["threshold", "threshold", ""], roles=["visible", "visible", "fixed"],
                      min_width=6)


def test_secondary_suppression_is_fast_on_a_large_table():
    rng = np.random.default_rng(0)
    n = rng.poisson(12, size=(30, 10))
    small = rng.random(n.shape) < 0.08
    n[small] = rng.integers(1, 5, size=small.sum())
    table = pd.DataFrame({"r": np.repeat([f"r{i}" for i in range(30)], 10), "c": [f"c{j}" for j in range(10)] * 30,
                          "n": n.ravel()})
    out = protect_groups(table, ["r", "c"])
    records = disclosure_records(out)
    primary = records[records["rule"] == "threshold"]
    assert len(primary) == threshold_mask(n.ravel()).sum()  # the planted ones and any small Poisson draw
    assert ((primary["audit_high"] - primary["audit_low"]) >= 5).all()
    assert not threshold_mask(out["n"]).any()


# -------------------------------------------------------------------------- distributions


def test_binned_distribution_codes_the_tails_and_masks_small_bins():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 0.4, 60), [2.9, -3.1]])  # two extreme individuals
    bins = binned_distribution(values, np.arange(-3.25, 3.26, 0.5))
    shown = bins["count"].dropna()
    assert not threshold_mask(shown).any()
    assert bins.iloc[0]["low"] == -np.inf and bins.iloc[-1]["high"] == np.inf
    assert bins.iloc[0]["count"] >= 5 and bins.iloc[-1]["count"] >= 5  # no extreme individual on its own
    assert bins["count"].sum() + (len(values) - shown.sum()) == len(values)
    masked = bins[bins["masked"]]
    assert masked.empty or (bins["masked"].sum() >= 2)  # one masked bin alone would be the total minus the rest
    assert binned_distribution(values[:4], [-1, 0, 1]).empty  # a group of 4 is not drawn at all


# ---------------------------------------------------------------------------- publishing


def test_save_table_requires_a_declaration_and_refuses_small_counts(tmp_path):
    table = pd.DataFrame({"region": ["a", "b"], "n": [12, 3], "share": [0.5, 0.25]})
    with pytest.raises(TypeError, match="counts="):
        save_table(table, "t", "A caption.", directory=tmp_path)
    with pytest.raises(DisclosureError, match=r"t: respondent counts below 5 .*row 2, column 'n': 3"):
        save_table(table, "t", "A caption.", counts=["n"], directory=tmp_path)
    shares = pd.DataFrame({"n": [40, 40], "share": [0.5, 0.95]})  # 95% of 40: 2 say no
    with pytest.raises(DisclosureError, match="complement of the share reveals 2"):
        save_table(shares, "s", "A caption.", counts=["n"], shares={"share": "n"}, directory=tmp_path)
    protected = protect_groups(table, ["region"])
    with pytest.raises(DisclosureError, match=r"\['n'\] hold respondent counts .* not declared"):
        save_table(protected, "p", "A caption.", counts=(), directory=tmp_path)
    assert not list(tmp_path.iterdir())  # nothing written


def test_save_figure_refuses_a_small_count_label(tmp_path):
    fig, ax = plt.subplots()
    ax.set_yticks([0, 1], ["Donegal (n = 27)", "Suðurland (n = 3)"])
    with pytest.raises(DisclosureError, match="n = 3"):
        save_figure(fig, "f", directory=tmp_path)
    fig, ax = plt.subplots()
    ax.set_yticks([0, 1], ["Donegal (n = 27)", "Suðurland (n < 5)"])
    assert save_figure(fig, "f", directory=tmp_path)


def test_methods_paragraph_states_the_rules_and_the_counts():
    cells = pd.DataFrame({"table": ["a", "a", "b", "b"], "rule": ["threshold", "secondary", "extreme share", "derived"]})
    text = disclosure_methods_paragraph(cells)
    assert "1 to 4 respondents" in text and "fewer than 10" in text and "HiGHS" in text and "Hundepool" in text
    assert "3 cells in 2 tables were masked (1 by the threshold rule, 1 by the extreme share rule, 1 by " \
           "secondary suppression)" in text


# --------------------------------------------------------------------------- the build's audit


def _publish(figures: Path, stem: str, frame: pd.DataFrame, counts: str) -> list[dict[str, str]]:
    (figures / "tables").mkdir(parents=True, exist_ok=True)
    frame.to_csv(figures / "tables" / f"{stem}.csv", index=False)
    return [{"file": f"tables/{stem}.csv", "kind": "table", "notebook": "01_x.ipynb", "respondent_counts": counts,
             "respondent_shares": "", "git_commit": ""}]


def test_build_audit_fails_on_a_planted_count_of_three(tmp_path):
    manifest = _publish(tmp_path, "01_counts", pd.DataFrame({"region": ["a", "b"], "n": [12, 3]}), "n")
    findings = build.disclosure_audit(tmp_path, manifest, [], {"01_x.ipynb"})
    assert [(f.table, f.row, f.column, f.value) for f in findings] == [("01_counts.csv", "row 2", "n", "3")]
    assert (tmp_path / "DISCLOSURE.csv").exists() and any(r["file"] == "DISCLOSURE.csv" for r in manifest)
    # undeclared columns are not guessed at: the same 3 in a table that declares no counts passes
    manifest = _publish(tmp_path, "01_counts", pd.DataFrame({"region": ["a", "b"], "n": [12, 3]}), "")
    assert build.disclosure_audit(tmp_path, manifest, [], {"01_x.ipynb"}) == []


def test_build_audit_fails_on_a_narrow_audit_interval(tmp_path):
    manifest = _publish(tmp_path, "01_counts", pd.DataFrame({"region": ["a", "b"], "n": [12, None]}), "n")
    cells = [{"table": "01_counts", "notebook": "01_x.ipynb", "row": "region=b", "column": "n", "rule": "threshold",
              "audit_low": 1.0, "audit_high": 4.0}]
    findings = build.disclosure_audit(tmp_path, manifest, cells, {"01_x.ipynb"})
    assert len(findings) == 1 and "narrower than 5" in findings[0].problem
    assert build.disclosure_audit(tmp_path, manifest, cells, {"01_x.ipynb"}, min_width=3) == []
    written = pd.read_csv(tmp_path / "DISCLOSURE.csv")
    assert list(written.columns) == list(disclosure.DISCLOSURE_COLUMNS) and len(written) == 1


def test_disclosure_csv_neutralises_formula_labels(tmp_path):
    manifest = _publish(tmp_path, "01_counts", pd.DataFrame({"region": ["a", "b"], "n": [12, None]}), "n")
    label = '=HYPERLINK("http://evil.example/","cost")'  # a barrier option label used as a column name
    cells = [{"table": "01_counts", "notebook": "01_x.ipynb", "row": "region=b", "column": label, "rule": "threshold",
              "audit_low": 0.0, "audit_high": 11.0}]
    build.disclosure_audit(tmp_path, manifest, cells, {"01_x.ipynb"})
    written = pd.read_csv(tmp_path / "DISCLOSURE.csv", dtype=str)
    assert written["column"].tolist() == ["'" + label] and written["row"].tolist() == ["region=b"]
    # kept rows of notebooks not run are read back and written again without a second quote
    build.disclosure_audit(tmp_path, manifest, [], {"02_y.ipynb"})
    assert pd.read_csv(tmp_path / "DISCLOSURE.csv", dtype=str)["column"].tolist() == ["'" + label]


GOOD_TABLE = """
import pandas as pd
from innocap_analysis.evidence import output_directory, save_table
save_table(pd.DataFrame({"region": ["a", "b"], "n": [12, 7]}), "01_planted", "Respondents.", counts=["n"])
"""
PLANTED = GOOD_TABLE + """
# a later step (a bug, a hand edit) turns the 7 into a 3 after the check at publication
path = output_directory(kind="table") / "01_planted.csv"
path.write_text(path.read_text().replace(",7", ",3"))
"""


def _probe_notebook(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("survey_paths = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_build_fails_when_a_published_count_is_planted(tmp_path, capsys):
    notebooks, figures = tmp_path / "notebooks", tmp_path / "figures"
    notebooks.mkdir()
    _probe_notebook(notebooks / "01_planted.ipynb", GOOD_TABLE)
    assert build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False) == 0
    rows = list(csv.DictReader(open(figures / "MANIFEST.csv", encoding="utf-8")))
    assert "DISCLOSURE.csv" in {r["file"] for r in rows}
    assert {r["respondent_counts"] for r in rows if r["file"].startswith("tables/")} == {"n"}
    before = {p: p.read_bytes() for p in sorted(figures.rglob("*")) if p.is_file()}
    capsys.readouterr()

    _probe_notebook(notebooks / "01_planted.ipynb", PLANTED)
    code = build.run_build(notebooks_dir=notebooks, figures_dir=figures, progress=False)
    err = capsys.readouterr().err
    assert code == 1
    assert "disclosure audit" in err and "01_planted.csv, row 2, column 'n': 3" in err and "Traceback" not in err
    assert "Nothing was published" in err
    # the previous, audited outputs are untouched
    assert {p: p.read_bytes() for p in sorted(figures.rglob("*")) if p.is_file()} == before


# ------------------------------------------------------------------ the published evidence base


def _report_tables(html: str) -> dict[str, pd.DataFrame]:
    tables = {}
    for caption, head, body in re.findall(
        r"<table><caption>(.*?)</caption><thead><tr>(.*?)</tr></thead><tbody>(.*?)</tbody></table>", html, re.S
    ):
        columns = re.findall(r"<th>(.*?)</th>", head)
        rows = [re.findall(r"<td>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body)]
        tables[caption.split(".", 1)[0]] = pd.DataFrame(rows, columns=columns)
    return tables


def test_no_published_respondent_count_below_the_threshold():
    """Every declared count in every CSV, Markdown, LaTeX and HTML table of figures/ is 0 or at least 5."""
    manifest = pd.read_csv(config.FIGURES_MANIFEST, dtype=str, keep_default_na=False)
    assert "respondent_counts" in manifest.columns, "figures/ predates the disclosure audit: rebuild (make evidence)"
    assert "DISCLOSURE.csv" in set(manifest["file"])
    tables = manifest[(manifest["kind"] == "table") & manifest["file"].str.endswith(".csv")]
    survey = tables[~tables["notebook"].isin(["00_programme_area.ipynb", "04_service_distance.ipynb"])]
    assert (survey["respondent_counts"] != "").sum() >= 20  # the survey tables declare their counts
    declarations = {
        Path(row.file).stem: ([c for c in row.respondent_counts.split(";") if c],
                              dict(p.split("=", 1) for p in row.respondent_shares.split(";") if p))
        for row in tables.itertuples()
    }
    masked = pd.read_csv(config.FIGURES_DIR / "DISCLOSURE.csv")
    findings = disclosure.audit_publication(config.FIGURES_DIR, declarations, masked)
    assert findings == [], "\n".join(map(str, findings[:10]))
    html = _report_tables((config.FIGURES_DIR / "evidence_report.html").read_text(encoding="utf-8"))
    for stem, (counts, _) in declarations.items():
        if counts and stem in html:
            found = disclosure.small_counts(html[stem].replace("", np.nan), [c for c in counts if c in html[stem]],
                                            name=f"{stem} (HTML)")
            assert found == [], "\n".join(map(str, found[:10]))


def test_likert_chart_draws_masked_categories_as_one_hatched_segment():
    from innocap_analysis.plots.survey_charts import likert_diverging

    # 40 answers: 2 strongly disagree (masked), 10, 8, 17, 3 strongly agree (masked); the chart shows the
    # published shares and one hatched segment as wide as the two masked together (5 of 40 = 12.5%)
    table = pd.DataFrame({"item": ["Q1"], "1": [2], "2": [10], "3": [8], "4": [17], "5": [3], "dont_know": [6]})
    table["n"] = 40
    protected = protect_rows(table, keys=["item"], total="n", parts=["1", "2", "3", "4", "5"],
                             other_counts=["dont_know"])
    assert protected[["1", "5"]].isna().all().all() and protected["2"].iloc[0] == 10
    long = protected.melt(id_vars=["item", "n"], value_vars=["1", "2", "3", "4", "5", "dont_know"],
                          var_name="category", value_name="count").rename(columns={"item": "label"})
    fig = likert_diverging(long, {1: "SD", 2: "D", 3: "N", 4: "A", 5: "SA"})
    ax = fig.axes[0]
    hatched = [p for p in ax.patches if p.get_gid() == "masked-cell"]
    assert len(hatched) == 1 and hatched[0].get_width() == pytest.approx(100 * 5 / 40)
    bars = {p.get_width() for p in ax.patches if p.get_gid() != "masked-cell" and p.get_width() > 0}
    assert {round(w, 6) for w in bars} == {round(100 * c / 40, 6) for c in (10, 8, 17)}
    plt.close(fig)


def test_records_follow_the_rows_of_a_subset():
    table = pd.DataFrame({"item": ["A", "A", "B", "B"], "region": ["x", "y"] * 2, "n": [20, 20, 20, 20],
                          "n_yes": [2, 18, 10, 10]})
    protected = protect_rows(table, keys=["item", "region"], total="n", parts=["n_yes"], complement="n_no")
    assert set(disclosure_records(protected)["row"]) == {"item=A, region=x", "item=A, region=y"}
    only_b = protected[protected["item"] == "B"]
    assert disclosure_records(only_b).empty
    only_a = next(block for item, block in protected.groupby("item") if item == "A")
    assert len(disclosure_records(only_a)) == len(disclosure_records(protected))
