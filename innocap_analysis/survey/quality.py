"""Data-quality tables of a loaded survey: what happened per file, who answered, what is missing.

Every table that counts respondents by group goes through :mod:`innocap_analysis.disclosure`
before it is returned (threshold rule and secondary suppression; the two missingness tables are
protected together, because their totals per kind of missing answer are the same numbers).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import config
from ..disclosure import (
    FIXED,
    HIDDEN,
    IMPLICIT,
    SECONDARY,
    THRESHOLD,
    VISIBLE,
    RelationBuilder,
    attach_records,
    disclosure_records,
    protect_cells,
    protect_groups,
    protect_rows,
    records_frame,
    threshold_mask,
)
from .model import Survey

#: Missing-answer kinds, in the order tables show them. ``not_asked`` marks items routed
#: away from a respondent (e.g. supply items for the public sector): not missing data.
MISSING_KINDS: tuple[str, ...] = ("dont_know", "not_applicable", "blank", "invalid")


def validation_summary(survey: Survey, min_n: int = config.MIN_CELL_SIZE) -> pd.DataFrame:
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
        The respondents per file (``rows_read``, ``rows_kept``) get the threshold rule
        (:func:`~innocap_analysis.disclosure.protect_rows`); the other columns count processing
        events (rows rejected, cells set to missing, columns dropped), not respondents with a
        property, and are shown as they are.
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
    return protect_rows(files.reset_index(drop=True), keys=["file"], total=None,
                        other_counts=["rows_read", "rows_kept"], min_n=min_n)


def response_counts(
    survey: Survey,
    rows: str = "region",
    columns: str = "stakeholder",
    min_n: int = config.MIN_CELL_SIZE,
) -> pd.DataFrame:
    """Respondents by two profile fields, protected against disclosure.

    The cells of 1 to ``min_n - 1`` respondents are masked, and secondary suppression
    (:func:`~innocap_analysis.disclosure.protect_groups`) masks further cells so that none can be
    recovered from the totals per row and per column, which other tables publish. The totals shown
    are the true ones.

    Returns
    -------
    pandas.DataFrame
        One row per level of ``rows`` (the index); one column per level of ``columns`` (``<NA>`` where
        masked), ``total`` and ``suppressed`` (a cell of the row is masked).
    """
    table = pd.crosstab(survey.responses[rows], survey.responses[columns])
    table.index, table.columns = table.index.astype(str), table.columns.astype(str)
    order = list(table.columns)
    long = table.stack().rename("n").reset_index()
    long.columns = [rows, columns, "n"]
    protected = protect_groups(long, [rows, columns], min_n=min_n)
    wide = protected.pivot(index=rows, columns=columns, values="n").reindex(index=table.index, columns=order)
    wide = wide.astype("Int64")
    wide.columns.name = None
    wide["total"] = table.sum(axis=1).astype("Int64")
    wide["suppressed"] = wide[order].isna().any(axis=1)
    wide.index.name = rows
    records = disclosure_records(protected)
    records = records[records["column"] == "n"]
    split = records["row"].str.extract(rf"^{rows}=(?P<r>.*), {columns}=(?P<c>.*)$")
    records = records.assign(row=f"{rows}=" + split["r"], column=split["c"])
    return attach_records(wide, records, [*order, "total"], [rows])


#: Answer outcomes of an item for the missingness tables: answered, then each kind of missing answer.
_OUTCOMES: tuple[str, ...] = ("answered", *MISSING_KINDS)


def missingness_tables(
    survey: Survey, by: str = "region", min_n: int = config.MIN_CELL_SIZE
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Missing answers per item and per group, protected together against disclosure.

    Both tables count the same answers: per item (respondents asked) and per group (answers asked
    of the group's respondents, over all items). Each kind's count is published as a share of its
    total. A count of 1 to ``min_n - 1`` is masked (threshold rule), and
    :func:`~innocap_analysis.disclosure.protect_cells` masks the fewest further shares so that none
    can be recovered within a row (the kinds add up to the total, which is published) or across the
    two tables (their sums per kind are the same unpublished number). Items asked of fewer than
    ``min_n`` respondents, and groups of fewer than ``min_n`` respondents (with secondary suppression
    across groups), are masked whole.

    Returns
    -------
    (items, groups)
        As :func:`missingness_by_item` and :func:`missingness_by_group`.
    """
    ids = [item.id for item in survey.codebook.items if item.id in survey.missing_reasons.columns]
    reasons = survey.missing_reasons[ids].copy()
    reasons[by] = survey.responses[by].astype(str).to_numpy()
    long = reasons.melt(id_vars=by, var_name="item", value_name="reason")
    long["reason"] = long["reason"].fillna("answered")
    asked = long[long["reason"] != "not_asked"]
    # any other reason (an item the partner's export does not carry) is counted as asked but has no
    # share column: it is the remainder of each row
    reason = asked["reason"].where(asked["reason"].isin(_OUTCOMES), "other")
    outcomes = [*_OUTCOMES, "other"]
    per_item = pd.crosstab(asked["item"], reason).reindex(index=ids, columns=outcomes, fill_value=0)
    per_group = pd.crosstab(asked[by], reason).reindex(columns=outcomes, fill_value=0)
    n_items, n_groups, k = len(per_item), len(per_group), len(outcomes)
    # cells: item outcomes, item totals, group outcomes, group totals, one hidden grand total per outcome
    item_cell = np.arange(n_items * k).reshape(n_items, k)
    item_total = n_items * k + np.arange(n_items)
    start = n_items * (k + 1)
    group_cell = start + np.arange(n_groups * k).reshape(n_groups, k)
    group_total = start + n_groups * k + np.arange(n_groups)
    grand = start + n_groups * (k + 1) + np.arange(k)
    values = np.concatenate([per_item.to_numpy(float).ravel(), per_item.sum(axis=1).to_numpy(float),
                             per_group.to_numpy(float).ravel(), per_group.sum(axis=1).to_numpy(float),
                             per_item.sum(axis=0).to_numpy(float)])
    roles = np.full(len(values), VISIBLE, dtype=object)
    roles[item_total] = FIXED  # respondents asked: the respondents of the stakeholder types routed to the item
    roles[group_total] = FIXED  # answers asked: respondents times items routed to them
    roles[group_cell[:, 0]] = IMPLICIT  # the group table shows no "answered" share; it is the remainder
    roles[item_cell[:, -1]] = IMPLICIT  # nor does either table show "other"
    roles[group_cell[:, -1]] = IMPLICIT
    roles[grand] = HIDDEN
    builder = RelationBuilder(len(values))
    builder.add_sums(item_total, list(item_cell.T))
    builder.add_sums(group_total, list(group_cell.T))
    builder.add_sums(grand, list(item_cell))
    builder.add_sums(grand, list(group_cell))
    small = threshold_mask(values, min_n) & np.isin(roles, [VISIBLE, IMPLICIT])
    primary = np.where(small, THRESHOLD, "").astype(object)
    protection = protect_cells(values, builder.matrix(), primary, roles=roles, min_width=min_n)

    meta = {item.id: item for item in survey.codebook.items}
    n_asked = per_item.sum(axis=1).to_numpy()
    items = pd.DataFrame({"item": ids, "dimension": [meta[i].dimension for i in ids],
                          "role": [meta[i].role for i in ids], "n_asked": n_asked})
    item_records = []
    for j, kind in enumerate(_OUTCOMES):
        share = per_item[kind].to_numpy(float) / np.where(n_asked > 0, n_asked, np.nan)
        masked = protection.masked[item_cell[:, j]]
        items[f"share_{kind}"] = np.where(masked, np.nan, share)
        for i in np.flatnonzero(masked):
            c = item_cell[i, j]
            item_records.append((f"item={ids[i]}", f"share_{kind}", protection.rule[c], protection.audit_low[c],
                                 protection.audit_high[c]))
    items["suppressed"] = np.isnan(items[[f"share_{kind}" for kind in _OUTCOMES]].to_numpy(float)).any(axis=1)
    items = attach_records(items, records_frame(item_records), ["n_asked"], ["item"])
    items = protect_rows(items, keys=["item"], total=None, other_counts=["n_asked"],
                         derived={f"share_{kind}": ["n_asked"] for kind in _OUTCOMES}, min_n=min_n)

    group_keys = per_group.index.astype(str)
    answers = per_group.sum(axis=1).to_numpy()
    groups = pd.DataFrame({by: group_keys})
    groups["n"] = survey.responses[by].astype(str).value_counts().reindex(groups[by]).to_numpy()
    groups["answers_asked"] = answers
    group_records = []
    for j, kind in enumerate(_OUTCOMES):
        if kind == "answered":
            continue
        masked = protection.masked[group_cell[:, j]]
        groups[f"share_{kind}"] = np.where(masked, np.nan, per_group[kind].to_numpy(float) / answers)
        for i in np.flatnonzero(masked):
            c = group_cell[i, j]
            group_records.append((f"{by}={group_keys[i]}", f"share_{kind}", protection.rule[c],
                                  protection.audit_low[c], protection.audit_high[c]))
    implied = protection.masked[group_cell[:, 0]] & (protection.rule[group_cell[:, 0]] != SECONDARY)
    for i in np.flatnonzero(implied):
        c = group_cell[i, 0]
        group_records.append((f"{by}={group_keys[i]}", "answered (implied: answers_asked minus the shares)",
                              protection.rule[c], protection.audit_low[c], protection.audit_high[c]))
    groups["suppressed"] = np.isnan(groups[[f"share_{k}" for k in MISSING_KINDS]].to_numpy(float)).any(axis=1)
    groups = attach_records(groups, records_frame(group_records), [], [by])
    groups = protect_groups(groups, [by], counts=["n"], min_n=min_n)
    return items, groups


def missingness_by_item(survey: Survey, min_n: int = config.MIN_CELL_SIZE, by: str = "region") -> pd.DataFrame:
    """Per item: respondents asked, and the share of each kind of missing answer.

    Respondents to whom the item was not routed (``not_asked``) are excluded from the
    denominator. Protected together with :func:`missingness_by_group` (see :func:`missingness_tables`).

    Returns
    -------
    pandas.DataFrame
        Columns ``item, dimension, role, n_asked, share_answered`` and one share per
        :data:`MISSING_KINDS` (0-1 of ``n_asked``), ``suppressed``.
    """
    return missingness_tables(survey, by, min_n)[0]


def missingness_by_group(
    survey: Survey, by: str = "region", min_n: int = config.MIN_CELL_SIZE
) -> pd.DataFrame:
    """Share of don't-know and blank answers per group, over all items asked of it.

    Protected together with :func:`missingness_by_item` (see :func:`missingness_tables`).

    Returns
    -------
    pandas.DataFrame
        Columns ``<by>, n`` (respondents), ``answers_asked`` and one share per
        :data:`MISSING_KINDS` (0-1 of ``answers_asked``), ``suppressed``.
    """
    return missingness_tables(survey, by, min_n)[1]


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
        Groups with fewer responses are masked (counts and rate), with secondary suppression across
        the groups; a count of 1 to ``min_n - 1`` responding organisations is masked with its rate.

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
    table = protect_groups(table, [by], counts=["responses"],
                           values=["invited", "responding_organisations", "completes", "rr1"], min_n=min_n)
    # organisations that responded are counted like respondents; the rate gives its numerator back
    return protect_rows(table, keys=[by], total=None, other_counts=["responding_organisations", "completes"],
                        derived={"rr1": ["completes"]}, min_n=min_n)
