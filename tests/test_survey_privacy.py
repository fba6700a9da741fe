"""Keyed pseudonyms and small-cell suppression, checked against hand-worked cases."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

from innocap_analysis import config
from innocap_analysis.survey import pseudonymise, suppress_small_cells


def test_pseudonymise_is_hmac_sha256_and_keeps_na():
    values = pd.Series(["A1", None, "A1", "B2"], index=[10, 11, 12, 13], name="respondent_id")
    out = pseudonymise(values, "key")
    reference = hmac.new(b"key", b"A1", hashlib.sha256).hexdigest()[:16]
    assert out[10] == out[12] == reference
    assert out[11] is pd.NA
    assert out[13] != reference and len(out[13]) == 16
    assert list(out.index) == [10, 11, 12, 13] and out.name == "respondent_id"
    assert pseudonymise(values, "other")[10] != reference


def test_pseudonymise_normalises_names_and_rejects_empty_key():
    names = pd.Series(["Acme  Ltd", "acme ltd", "ACME LTD "])
    assert pseudonymise(names, b"k", normalise=True).nunique() == 1
    assert pseudonymise(names, b"k").nunique() == 3
    with pytest.raises(ValueError, match="must not be empty"):
        pseudonymise(names, "")


def test_suppress_group_table():
    table = pd.DataFrame({"region": ["a", "b", "c"], "n": [12, 4, 5], "mean": [3.1, 2.5, 4.0],
                          "share": [0.5, 0.25, 0.2]})
    out = suppress_small_cells(table, min_n=5)
    assert out["suppressed"].tolist() == [False, True, False]
    assert out["n"].tolist() == [12, pd.NA, 5]
    assert out["mean"].tolist() == [3.1, pd.NA, 4.0]
    assert out["share"].tolist() == [0.5, pd.NA, 0.2]
    assert out["region"].tolist() == ["a", "b", "c"]
    assert table["n"].tolist() == [12, 4, 5]  # input untouched
    kept_count = suppress_small_cells(table, min_n=5, mask_count=False)
    assert kept_count["n"].tolist() == [12, 4, 5]


def test_suppress_default_threshold_is_config():
    table = pd.DataFrame({"n": [config.MIN_CELL_SIZE - 1, config.MIN_CELL_SIZE], "x": [1.0, 2.0]})
    assert suppress_small_cells(table)["x"].tolist() == [pd.NA, 2.0]


def test_suppress_frequency_table():
    crosstab = pd.DataFrame({"yes": [0, 3, 9], "no": [7, 5, 1]}, index=["a", "b", "c"])
    out = suppress_small_cells(crosstab, min_n=5, count_column=None)
    assert out["yes"].tolist() == [0, pd.NA, 9]  # zero is not disclosive of a person
    assert out["no"].tolist() == [7, 5, pd.NA]


def test_suppress_errors():
    with pytest.raises(KeyError, match="no count column 'n'"):
        suppress_small_cells(pd.DataFrame({"x": [1]}))
    with pytest.raises(ValueError, match="min_n"):
        suppress_small_cells(pd.DataFrame({"n": [1]}), min_n=0)
