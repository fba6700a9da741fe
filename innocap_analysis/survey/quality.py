"""Data-quality tables of a loaded survey: what happened per file, who answered, what is missing.

Every table that counts respondents by group goes through
:func:`~innocap_analysis.survey.privacy.suppress_small_cells` before it is returned.
"""

from __future__ import annotations

import pandas as pd

from .. import config
from ..disclosure import suppress_small_cells
from .model import Survey

#: Missing-answer kinds, in the order tables show them. ``not_asked`` marks items routed
#: away from a respondent (e.g. supply items for the public sector): not missing data.
MISSING_KINDS: tuple[str, ...] = ("dont_know", "not_applicable", "blank", "invalid")


def validation_summary(survey: Survey) -> pd.DataFrame:
    """One row per partner file: rows read, kept and rejected, cells set to NA, columns dropped.

    Returns
    -------
    pandas.DataFrame
        Columns ``file, format, encoding, rows_read, rows_kept, rows_rejected, blank_rows,
        cells_set_na, pii_columns_dropped`` (codebook PII and the tools' personal-data columns),
        ``metadata_columns_dropped`` (the tools' metadata: timestamps, durations, status, ...),
        ``unmatched_columns``. Every input row is either in
        ``rows_kept`` or listed in the rejection log (checked here per file, not assumed);
        wholly empty rows are not respondents and are counted apart in ``blank_rows``.
    """
    report = survey.report
    files = report.files[["file", "format", "encoding", "rows_read", "rows_kept"]].copy()
    rejected = report.rejected
    dropped_rows = (rejected[rejected["action"] == "row dropped"][["file", "row"]]
                    .drop_duplicates().groupby("file").size())
    skipped = pd.to_numeric(rejected["action"].str.extract(r"file skipped \((\d+) rows\)", expand=False))
    skipped_rows = skipped.groupby(rejected["file"]).max()
    listed = files["file"].map(dropped_rows).fillna(0) + files["file"].map(skipped_rows).fillna(0)
    cells_na = rejected[rejected["action"].str.startswith("cell", na=False)].groupby("file").size()
    dropped = report.dropped_columns
    is_pii = dropped["reason"].str.startswith(("PII", "personal data"), na=False)
    is_metadata = dropped["reason"].str.startswith("metadata", na=False)
    files["rows_rejected"] = (files["rows_read"] - files["rows_kept"]).astype("int64")
    files["blank_rows"] = report.files["blank_rows"].to_numpy() if "blank_rows" in report.files else 0
    files["cells_set_na"] = files["file"].map(cells_na).fillna(0).astype("int64")
    files["pii_columns_dropped"] = files["file"].map(dropped[is_pii].groupby("file").size()).fillna(0).astype("int64")
    files["metadata_columns_dropped"] = (files["file"].map(dropped[is_metadata].groupby("file").size())
                                         .fillna(0).astype("int64"))
    files["unmatched_columns"] = (files["file"].map(dropped[~is_pii & ~is_metadata].groupby("file").size())
                                  .fillna(0).astype("int64"))
    unaccounted = files["rows_rejected"] != listed.astype("int64")
    if unaccounted.any():
        raise AssertionError(
            f"rows neither kept nor listed as rejected in {files.loc[unaccounted, 'file'].tolist()}"
        )
    return files.reset_index(drop=True)


def response_counts(
    survey: Survey,
    rows: str = "region",
    columns: str = "stakeholder",
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Respondents by two profile fields, with cells below ``min_n`` suppressed.

    Totals are computed from the suppressed cells (so a masked cell cannot be recovered
    by subtraction) and are marked as lower bounds where a cell in the row is masked.

    Returns
    -------
    pandas.DataFrame
        One row per level of ``rows``; one column per level of ``columns`` plus
        ``total_published``; masked cells are ``<NA>``.
    """
    table = pd.crosstab(survey.responses[rows], survey.responses[columns])
    table.columns = table.columns.astype(str)
    table.index = table.index.astype(str)
    table.columns.name = None
    masked = suppress_small_cells(table.astype("Int64"), min_n=min_n, count_column=None)
    masked["total_published"] = masked.sum(axis=1, skipna=True).astype("Int64")
    masked["any_suppressed"] = masked.drop(columns="total_published").isna().any(axis=1)
    masked.index.name = rows
    return masked


def missingness_by_item(survey: Survey, min_n: int = config.MIN_CELL_SIZE) -> pd.DataFrame:
    """Per item: respondents asked, and the share of each kind of missing answer.

    Respondents to whom the item was not routed (``not_asked``) are excluded from the
    denominator.

    Returns
    -------
    pandas.DataFrame
        Columns ``item, dimension, role, n_asked, answered`` and one share per
        :data:`MISSING_KINDS`; items asked of fewer than ``min_n`` respondents are masked.
    """
    reasons = survey.missing_reasons
    items = survey.codebook.items
    ids = [item.id for item in items if item.id in reasons.columns]
    long = reasons[ids].melt(var_name="item", value_name="reason")
    long["reason"] = long["reason"].fillna("answered")
    asked = long[long["reason"] != "not_asked"]
    counts = pd.crosstab(asked["item"], asked["reason"]).reindex(ids, fill_value=0)
    n_asked = counts.sum(axis=1)
    out = pd.DataFrame({"item": ids, "n": n_asked.to_numpy()})
    meta = {item.id: item for item in items}
    out.insert(1, "dimension", [meta[i].dimension for i in ids])
    out.insert(2, "role", [meta[i].role for i in ids])
    for kind in ("answered", *MISSING_KINDS):
        share = counts[kind] / n_asked if kind in counts else 0.0 * n_asked
        out[f"share_{kind}"] = pd.Series(share).to_numpy()
    return suppress_small_cells(out, min_n=min_n).rename(columns={"n": "n_asked"})


def missingness_by_group(
    survey: Survey, by: str = "region", min_n: int = config.MIN_CELL_SIZE
) -> pd.DataFrame:
    """Share of don't-know and blank answers per group, over all items asked of it.

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>, n`` (respondents), ``answers_asked`` and one share per
        :data:`MISSING_KINDS`; groups smaller than ``min_n`` respondents are masked.
    """
    ids = [item.id for item in survey.codebook.items if item.id in survey.missing_reasons.columns]
    reasons = survey.missing_reasons[ids].copy()
    reasons[by] = survey.responses[by].astype(str).to_numpy()
    long = reasons.melt(id_vars=by, var_name="item", value_name="reason")
    long["reason"] = long["reason"].fillna("answered")
    asked = long[long["reason"] != "not_asked"]
    counts = pd.crosstab(asked[by], asked["reason"])
    total = counts.sum(axis=1)
    out = pd.DataFrame({by: counts.index.astype(str)})
    out["n"] = survey.responses[by].astype(str).value_counts().reindex(out[by]).to_numpy()
    out["answers_asked"] = total.to_numpy()
    for kind in MISSING_KINDS:
        out[f"share_{kind}"] = (counts[kind] / total).to_numpy() if kind in counts else 0.0
    return suppress_small_cells(out, min_n=min_n)


#: The response rate reported: AAPOR Standard Definitions (2023), Response Rate 1.
RESPONSE_RATE_RULE = (
    "Response rate: AAPOR RR1, complete responses over organisations invited (the manifest's `invited`). "
    "Every invited organisation is counted as eligible (nothing is known of ineligible or unreachable ones, "
    "so the rate is a lower bound), rows the loader rejected (duplicates, unreadable rows) are not responses, "
    "and a region whose files do not all give `invited` has no rate. Responses are counted as organisations "
    "where the exports carry a pseudonymised organisation key; otherwise each respondent is taken to be one "
    "organisation."
)


def response_rates(survey: Survey, by: str = "region", *, min_n: int = config.MIN_CELL_SIZE) -> pd.DataFrame:
    """Response rate (AAPOR RR1) per group from the survey manifest's ``invited`` counts.

    RR1 = I / ((I + P) + (R + NC + O) + (UH + UO)) (AAPOR 2023, Standard Definitions, 10th ed.):
    complete responses over all cases of known or unknown eligibility. The manifest gives only the
    number of organisations invited, which is the whole denominator here (every invited organisation
    eligible: :data:`RESPONSE_RATE_RULE`). The numerator is the responding organisations when the
    survey has ``organisation_key`` (exports with an organisation column, loaded with a
    pseudonymisation key), else the kept respondents, one per organisation.

    Parameters
    ----------
    survey
        A loaded survey; ``survey.report.files`` holds each file's ``invited`` (``<NA>`` when the
        manifest does not give it, or when the files were passed without a manifest).
    by
        Profile column the rates are given for (``region``: each partner exports its own region).
        A file holding several levels of ``by`` cannot split its ``invited`` count, so those levels
        get no rate.
    min_n
        Groups with fewer responses are masked (counts and rate).

    Returns
    -------
    pandas.DataFrame
        ``<by>, files, invited, responses`` (respondents kept), ``responding_organisations``
        (``<NA>`` without an organisation key), ``completes`` (the RR1 numerator), ``unit``
        (``organisations`` or ``respondents``), ``rr1`` (0-1, ``<NA>`` when not available),
        ``rate_available``, ``note`` (why a rate is not available) and ``suppressed``.
    """
    responses = survey.responses
    if by not in responses.columns:
        raise KeyError(f"response_rates: no profile column {by!r} in the survey")
    files = survey.report.files
    invited = (files.set_index("file")["invited"] if "invited" in files
               else pd.Series(pd.NA, index=files["file"], dtype="Int64")).astype("Int64")
    frame = pd.DataFrame({"file": responses["source_file"].astype(str).to_numpy(),
                          by: responses[by].astype(str).to_numpy()})
    has_org = "organisation_key" in responses.columns
    frame["organisation"] = (responses["organisation_key"].astype("string").to_numpy() if has_org
                             else pd.array([pd.NA] * len(frame), dtype="string"))
    levels_per_file = frame.groupby("file")[by].nunique()
    rows = []
    for level, part in frame.groupby(by, sort=False):
        names = sorted(part["file"].unique())
        counts = invited.reindex(names)
        shared = [f for f in names if levels_per_file[f] > 1]
        no_invited = [f for f in names if pd.isna(counts[f])]
        organisations = int(part["organisation"].nunique()) if has_org else pd.NA
        completes = organisations if has_org else len(part)
        note = ""
        if shared:
            note = f"not available: {', '.join(shared)} hold(s) several {by} levels; invited cannot be split"
        elif no_invited:
            note = f"not available: the manifest gives no invited count for {', '.join(no_invited)}"
        total = pd.NA if note else int(counts.sum())
        rows.append({by: level, "files": "; ".join(names), "invited": total, "responses": len(part),
                     "responding_organisations": organisations, "completes": completes,
                     "unit": "organisations" if has_org else "respondents",
                     "rr1": pd.NA if note else completes / total, "rate_available": not note, "note": note})
    table = pd.DataFrame(rows).astype({"invited": "Int64", "responses": "int64", "responding_organisations": "Int64",
                                       "completes": "int64", "rr1": "Float64", "rate_available": bool,
                                       "note": "string"})
    if isinstance(responses[by].dtype, pd.CategoricalDtype):
        order = {str(c): i for i, c in enumerate(responses[by].cat.categories)}
        table = table.sort_values(by, key=lambda s: s.map(order), kind="stable").reset_index(drop=True)
    return suppress_small_cells(table, min_n=min_n, count_column="responses",
                                value_columns=["invited", "responding_organisations", "completes", "rr1"])
