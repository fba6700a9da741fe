"""Illustrative (synthetic) INNOCAP survey data, written as the partners' raw exports.

The data is **synthetic**: no real respondent is in it. It exists so that the whole
pipeline (loaders, validation, scoring, figures) can be run and reviewed before the
partners' real exports arrive. Everything downstream reads the written files through
:func:`innocap_analysis.survey.load_survey`; nothing takes a shortcut from the generator.

Generative model (per respondent *i* in region *r* with stakeholder type *s*):

* latent capability per dimension ``theta_id = mu_r + nu_s + delta_ds + e_id`` with
  ``e_i ~ N(0, Sigma)``, ``Sigma`` equicorrelated (rho = 0.5, unit variance), drawn in the
  one-factor form ``e_id = sqrt(rho) z_i0 + sqrt(1 - rho) z_id`` (elementwise, so the same
  seed gives the same data on every CPU; :func:`equicorrelated_normal`);
* each rating item is an ordinal probit (graded thresholds; Samejima 1969, and the
  cumulative-link formulation of McCullagh 1980): ``y* = lambda * theta + eps``,
  ``eps ~ N(0, 0.7^2)``, code = 1 + number of thresholds below ``y*``; reverse-keyed
  items use ``-theta`` so they are answered consistently with the rest;
* importance (need) decreases with capability, supply is answered by SMEs and
  universities only, awareness of regional SMEs'/universities' solutions is low
  (the known bottleneck), willingness to adopt rises with capability;
* 7% of cells are missing (60% "don't know", 40% blank), independently;
* barriers are Bernoulli draws whose probabilities depend on stakeholder type.

The exports then get the imperfections real exports have (stray whitespace,
``"4.0"`` float codes, one duplicated submission, one out-of-range code, PII columns,
a tool's metadata column), each recorded in :attr:`SyntheticSurvey.injected`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .. import config, provenance
from ..survey.codebook import Codebook, load_codebook
from ..survey.illustrative import (  # noqa: F401 (illustrative_export_paths: public name kept here)
    ILLUSTRATIVE_EXPORTS,
    MANIFEST_NAME,
    illustrative_export_paths,
)
from .exports import write_tool_export, write_xlsx_rows
from .truth import SyntheticSurvey

#: The documented seed of the committed illustrative dataset.
DEFAULT_SEED: int = 20260401

#: Partner region -> (country, export language, file name, layout); the listing lives with the data side.
EXPORTS: dict[str, tuple[str, str, str, str]] = ILLUSTRATIVE_EXPORTS

# Effects on the latent capability scale (standard-deviation units); illustrative only.
REGION_EFFECT = {"donegal": -0.15, "vasternorrland": 0.35, "south_savo": 0.2, "south_iceland": -0.3,
                 "newfoundland_labrador": 0.0}
STAKEHOLDER_EFFECT = {"public_sector": -0.2, "sme": 0.1, "hei_research": 0.45}
# Dimension-by-stakeholder deviations: SMEs know little about public procurement, universities about delivery.
DIMENSION_STAKEHOLDER_EFFECT = {
    ("procurement", "sme"): -0.5, ("procurement", "hei_research"): -0.3,
    ("delivery_models", "hei_research"): -0.3, ("digital_solutions", "sme"): 0.3,
}
STAKEHOLDER_SHARE = {"public_sector": 0.4, "sme": 0.4, "hei_research": 0.2}
BARRIER_PROBABILITY = {
    "public_sector": {"cost": 0.6, "skills": 0.45, "awareness": 0.5, "procurement_rules": 0.45,
                      "connectivity": 0.25, "time": 0.4, "risk": 0.35},
    "sme": {"cost": 0.5, "skills": 0.3, "awareness": 0.3, "procurement_rules": 0.5,
            "connectivity": 0.3, "time": 0.5, "risk": 0.15},
    "hei_research": {"cost": 0.45, "skills": 0.2, "awareness": 0.25, "procurement_rules": 0.35,
                     "connectivity": 0.15, "time": 0.55, "risk": 0.1},
}
SIZE_SHARE = {"public_sector": [0.1, 0.3, 0.35, 0.25], "sme": [0.45, 0.35, 0.2, 0.0],
              "hei_research": [0.0, 0.15, 0.35, 0.5]}
THRESHOLDS = np.array([-1.4, -0.5, 0.35, 1.25])
MISSING_RATE, DONT_KNOW_SHARE = 0.07, 0.6
DIMENSION_CORRELATION = 0.5
#: Deliberate imperfections: data-row positions (0-based) in the Swedish and Irish exports.
OUT_OF_RANGE_ROW, OUT_OF_RANGE_ITEM, OUT_OF_RANGE_VALUE = 7, "PR3", "6"
DUPLICATE_ROW = 11


def _ordinal(latent: np.ndarray, shift: float = 0.0) -> np.ndarray:
    return 1 + (latent[:, None] > (THRESHOLDS + shift)[None, :]).sum(axis=1)


def equicorrelated_normal(rng: np.random.Generator, n: int, k: int, rho: float) -> np.ndarray:
    """``n`` draws of ``k`` standard normals with pairwise correlation ``rho`` (0 <= rho < 1).

    One-factor construction ``x_j = sqrt(rho) * z_0 + sqrt(1 - rho) * z_j`` with independent
    standard normals ``z_0 .. z_k``: each ``x_j`` has unit variance and ``cov(x_i, x_j) = rho``
    (the equicorrelation matrix). Unlike ``Generator.multivariate_normal``, whose SVD factor of a
    matrix with repeated eigenvalues depends on the CPU and BLAS build, this uses elementwise
    arithmetic only, so a seed gives the same numbers on every machine.
    """
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"rho must be in [0, 1), not {rho}")
    z = rng.standard_normal((n, k + 1))
    return np.sqrt(rho) * z[:, :1] + np.sqrt(1.0 - rho) * z[:, 1:]


def simulate_responses(codebook: Codebook | None = None, seed: int = DEFAULT_SEED) -> SyntheticSurvey:
    """Simulate the INNOCAP survey for the five partner regions (model in the module docstring).

    Parameters
    ----------
    codebook
        Instrument (default INNOCAP v1); the item roles and reverse keys come from it.
    seed
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same data.

    Returns
    -------
    SyntheticSurvey
    """
    cb = codebook or load_codebook()
    rng = np.random.default_rng(seed)
    regions = list(EXPORTS)
    sizes = rng.integers(40, 71, size=len(regions))
    region = np.repeat(regions, sizes)
    n = len(region)
    stakeholders = list(STAKEHOLDER_SHARE)
    stakeholder = rng.choice(stakeholders, size=n, p=list(STAKEHOLDER_SHARE.values()))
    size_keys = list(cb.profile["size_band"].levels)
    size_band = np.empty(n, dtype=object)
    for s in stakeholders:
        mask = stakeholder == s
        size_band[mask] = rng.choice(size_keys, size=int(mask.sum()), p=SIZE_SHARE[s])
    role = rng.choice(list(cb.profile["role"].levels), size=n, p=[0.25, 0.35, 0.3, 0.1])
    country = np.array([EXPORTS[r][0] for r in region], dtype=object)

    dimensions = list(cb.dimensions)
    k = len(dimensions)
    noise = equicorrelated_normal(rng, n, k, DIMENSION_CORRELATION)
    base = np.array([REGION_EFFECT[r] for r in region]) + np.array([STAKEHOLDER_EFFECT[s] for s in stakeholder])
    theta = {
        d: base + np.array([DIMENSION_STAKEHOLDER_EFFECT.get((d, s), 0.0) for s in stakeholder]) + noise[:, j]
        for j, d in enumerate(dimensions)
    }
    theta_mean = np.mean([theta[d] for d in dimensions], axis=0)

    codes: dict[str, np.ndarray] = {}
    for item in cb.items:
        eps = rng.normal(0.0, 0.7, size=n)
        shift = rng.normal(0.0, 0.25)  # item difficulty
        if item.role == "capability":
            latent = (-1.0 if item.reverse else 1.0) * theta[item.dimension] + eps
        elif item.role == "importance":
            latent = 0.8 - 0.45 * theta[item.dimension] + eps
        elif item.role == "supply":
            latent = 0.3 + 0.8 * theta[item.dimension] + eps
        elif item.role == "awareness":
            latent = -0.7 + 0.3 * theta_mean + 0.4 * (stakeholder == "hei_research") + eps
        else:  # adoption
            latent = 0.2 + 0.5 * theta_mean + eps
        codes[item.id] = _ordinal(latent, shift)

    reasons: dict[str, np.ndarray] = {}
    for item in cb.items:
        reason = np.full(n, None, dtype=object)
        missing = rng.random(n) < MISSING_RATE
        dont_know = rng.random(n) < DONT_KNOW_SHARE
        reason[missing & dont_know] = "dont_know"
        reason[missing & ~dont_know] = "blank"
        if item.answered_by:
            reason[~np.isin(stakeholder, list(item.answered_by))] = "not_asked"
        reasons[item.id] = reason

    responses = pd.DataFrame({
        cb.respondent_id: pd.array(
            [f"{EXPORTS[r][0]}-{i:03d}" for r, i in zip(region, _running_number(region), strict=True)],
            dtype="string"),
        "region": pd.Categorical(region, categories=list(cb.profile["region"].levels)),
        "country": pd.Categorical(country, categories=list(cb.profile["country"].levels)),
        "stakeholder": pd.Categorical(stakeholder, categories=list(cb.profile["stakeholder"].levels)),
        "size_band": pd.Categorical(size_band, categories=size_keys),
        "role": pd.Categorical(role, categories=list(cb.profile["role"].levels)),
    })
    for item in cb.items:
        responses[item.id] = pd.arrays.IntegerArray(codes[item.id].astype(np.int64), ~pd.isna(reasons[item.id]))
    for question in cb.multi_select.values():
        for option in question.options:
            p = pd.Series(stakeholder).map({s: BARRIER_PROBABILITY[s].get(option, 0.2) for s in stakeholders})
            responses[question.column(option)] = pd.array(rng.random(n) < p.to_numpy(), dtype="boolean")
    missing_reasons = pd.DataFrame({item.id: pd.array(reasons[item.id], dtype="string") for item in cb.items})
    pii = _synthetic_pii(responses[cb.respondent_id], region, stakeholder, rng)
    return SyntheticSurvey(responses, missing_reasons, pii, seed)


def _running_number(labels: np.ndarray) -> np.ndarray:
    return pd.Series(labels).groupby(labels).cumcount().to_numpy() + 1


_ORG_STEMS = {"public_sector": ["Municipality", "Health and Social Services", "County Council", "Regional Council"],
              "sme": ["Digital Oy", "Tech Ltd", "Solutions AB", "Software ehf.", "Data Services Inc."],
              "hei_research": ["University", "Research Institute", "Technological University"]}
_COMMENTS = {
    "fi": ["Tarvitsemme lisää koulutusta.", "Hankintasäännöt ovat liian jäykkiä.", "Hyvä kysely."],
    "sv": ["Vi behöver mer utbildning.", "Upphandlingsreglerna är för stela."],
    "en": ["We need more training.", "Procurement rules are too rigid.", "Broadband is the main issue."],
    "is": ["Við þurfum meiri þjálfun.", "Nettengingar eru aðalvandinn."],
}


def _synthetic_pii(ids: pd.Series, region: np.ndarray, stakeholder: np.ndarray,
                   rng: np.random.Generator) -> pd.DataFrame:
    # Clearly fictitious: numbered organisations (several respondents share one), example.org addresses.
    org_number = rng.integers(1, 16, size=len(ids))
    organisation = [f"{rng.choice(_ORG_STEMS[s])} {r.replace('_', ' ').title()} {k:02d}"
                    for s, r, k in zip(stakeholder, region, org_number, strict=True)]
    language = np.array([EXPORTS[r][1] for r in region])
    comment = np.array([rng.choice(_COMMENTS[lang]) if rng.random() < 0.2 else "" for lang in language], dtype=object)
    return pd.DataFrame({
        "respondent_id": ids.to_numpy(dtype=object),
        "name": [f"Test Person {i}" for i in ids],
        "email": [f"{i.lower()}@example.org" for i in ids],
        "organisation": organisation,
        "free_text": comment,
    })


# --- writing the partner exports ---------------------------------------------------------------------------


def _answer_text(codes: pd.Series, reasons: pd.Series, cb: Codebook, scale: str, lang: str | None) -> np.ndarray:
    """Export cells: the label in ``lang`` (None: the numeric code), don't-know label, or blank."""
    sc = cb.scales[scale]
    values = np.full(len(codes), "", dtype=object)
    answered = codes.notna().to_numpy()
    code_values = codes.fillna(0).to_numpy(dtype=np.int64)
    if lang is None:
        values[answered] = code_values[answered].astype(str)
    else:
        labels = np.array([""] + [sc.levels[c][lang] for c in range(sc.min_code, sc.max_code + 1)], dtype=object)
        values[answered] = labels[code_values[answered] - sc.min_code + 1]
    dont_know = (reasons == "dont_know").fillna(False).to_numpy(dtype=bool)
    values[dont_know] = sc.missing["dont_know"][lang or "en"][0]
    return values


def _profile_text(values: pd.Series, cb: Codebook, name: str, lang: str) -> np.ndarray:
    levels = cb.profile[name].levels
    return np.array([levels[v][lang] for v in values.astype(str)], dtype=object)


def _export_frame(truth: SyntheticSurvey, cb: Codebook, region: str, header_lang: str | None,
                  answer_lang: str | None) -> pd.DataFrame:
    """One partner's export: headers in ``header_lang`` (None: ids), answers in ``answer_lang`` (None: codes)."""
    mask = (truth.responses["region"] == region).to_numpy()
    resp = truth.responses[mask].reset_index(drop=True)
    reasons = truth.missing_reasons[mask].reset_index(drop=True)
    lang = header_lang or "en"

    def header(texts: dict[str, str], fallback: str) -> str:
        return texts[header_lang] if header_lang else fallback

    columns: dict[str, object] = {
        (cb.respondent_id_labels[header_lang][0] if header_lang else cb.respondent_id): resp[cb.respondent_id]
    }
    for name in ("region", "country", "stakeholder", "size_band", "role"):
        columns[header(cb.profile[name].text, name)] = _profile_text(resp[name], cb, name, answer_lang or lang)
    for item in cb.items:
        columns[header(item.text, item.id)] = _answer_text(resp[item.id], reasons[item.id], cb, item.scale,
                                                           answer_lang)
    for question in cb.multi_select.values():
        for option, labels in question.options.items():
            title = f"{question.text[header_lang]} - {labels[header_lang]}" if header_lang else question.column(option)
            columns[title] = np.where(resp[question.column(option)].to_numpy(dtype=bool), "1", "")
    return pd.DataFrame(columns)


def _deterministic_xlsx(frame: pd.DataFrame, path: Path, numeric_columns: list[str] = ()) -> None:
    """Write an XLSX whose bytes depend only on the data (fixed document and zip timestamps)."""
    numeric = set(numeric_columns)
    rows: list[list[object]] = [list(frame.columns)]
    for row in frame.itertuples(index=False):
        rows.append([
            None if value == "" else (float(value) if name in numeric and str(value).isdigit() else value)
            for name, value in zip(frame.columns, row, strict=True)
        ])
    write_xlsx_rows(rows, path)


def write_illustrative_exports(out_dir: str | Path | None = None, seed: int | None = None) -> list[Path]:
    """Write the five illustrative partner exports (synthetic data) and their survey manifest.

    Three exports use real tool layouts (:mod:`innocap_analysis.synthetic.exports`) and carry
    one region each, so region and country come from the manifest ``survey.yaml``:

    =====================  ====  =====================  ==============================================
    region                 lang  layout                 imperfections
    =====================  ====  =====================  ==============================================
    south_savo             fi    Webropol CSV ``;``     respondent numbers, response time, 0/1 column
                                                        per barrier, "En osaa sanoa", e-mail, comments
    vasternorrland         sv    plain XLSX             Swedish headers and labels, one out-of-range
                                                        code (6)
    donegal                en    plain CSV ``,``        item ids as headers, stray whitespace, one
                                                        duplicated submission, e-mail column
    newfoundland_labrador  en    Qualtrics CSV          three header rows, numeric values, metadata
                                                        (IP address, location, recipient e-mail)
    south_iceland          is    Microsoft Forms XLSX   ID/Start time/Completion time/Email/Name,
                                                        Likert statements as headers, ``a;b;`` barriers
    =====================  ====  =====================  ==============================================

    Parameters
    ----------
    out_dir
        Folder (default :data:`config.ILLUSTRATIVE_SURVEY_DIR`). When it is the default,
        ``data/manifest.csv`` is refreshed for the written files.
    seed
        Default :data:`DEFAULT_SEED`. The same seed gives byte-identical files.

    Returns
    -------
    list of Path, one per partner, in the order of :data:`EXPORTS` (the manifest is
    :func:`~innocap_analysis.survey.illustrative.illustrative_manifest_path` of the folder).
    """
    seed = DEFAULT_SEED if seed is None else int(seed)
    out = Path(out_dir) if out_dir is not None else config.ILLUSTRATIVE_SURVEY_DIR
    out.mkdir(parents=True, exist_ok=True)
    cb = load_codebook()
    truth = simulate_responses(cb, seed)
    pii = truth.pii.set_index("respondent_id")
    paths: list[Path] = []
    entries: list[dict[str, object]] = []

    def tool_export(region: str, writer: str, offset: int) -> None:
        country, lang, name, _ = EXPORTS[region]
        export = write_tool_export(writer, truth, region, out, cb, seed=seed + offset, name=name, language=lang)
        paths.append(export.path)
        entries.append(export.manifest)

    def plain_entry(region: str) -> None:
        country, lang, name, _ = EXPORTS[region]
        entries.append({"path": name, "tool": "plain", "region": region, "country": country, "language": lang})

    tool_export("south_savo", "webropol", 11)

    # Västernorrland: Swedish XLSX with one out-of-range code.
    frame = _export_frame(truth, cb, "vasternorrland", "sv", "sv")
    bad_row, bad_item = OUT_OF_RANGE_ROW, cb.item(OUT_OF_RANGE_ITEM)
    frame.loc[bad_row, bad_item.text["sv"]] = OUT_OF_RANGE_VALUE
    path = out / EXPORTS["vasternorrland"][2]
    _deterministic_xlsx(frame, path)
    paths.append(path)
    plain_entry("vasternorrland")

    # Donegal: English CSV, ids as headers, stray whitespace, a duplicated submission, email.
    frame = _export_frame(truth, cb, "donegal", None, "en")
    item_cols = cb.item_ids
    spaced = np.random.default_rng(seed + 1).random(frame[item_cols].shape) < 0.1
    frame[item_cols] = np.where(spaced & (frame[item_cols] != ""), " " + frame[item_cols] + " ", frame[item_cols])
    frame["Email"] = pii.loc[frame[cb.respondent_id], "email"].to_numpy()
    frame = pd.concat([frame, frame.iloc[[DUPLICATE_ROW]]], ignore_index=True)
    path = out / EXPORTS["donegal"][2]
    path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
    paths.append(path)
    plain_entry("donegal")

    tool_export("newfoundland_labrador", "qualtrics_numeric", 12)
    tool_export("south_iceland", "msforms", 13)

    sizes = truth.responses["region"].astype(str).value_counts()
    for entry in entries:
        # Organisations invited: synthetic, about 40% responding (for response rates).
        entry["invited"] = int(np.ceil(sizes[str(entry["region"])] / 0.4))
    manifest = out / MANIFEST_NAME
    manifest.write_text(_manifest_text(entries, seed), encoding="utf-8")
    if out.resolve() == config.ILLUSTRATIVE_SURVEY_DIR.resolve():
        _register([*paths, manifest], seed)
    return paths


def _manifest_text(entries: list[dict[str, object]], seed: int) -> str:
    header = (
        "# Survey manifest of the illustrative (SYNTHETIC) partner exports: the files of a run and the\n"
        "# facts about each file (docs/survey_manifest.md). Written by `innocap data illustrative`"
        + ("" if seed == DEFAULT_SEED else f" --seed {seed}") + ";\n"
        "# `load_illustrative_survey()` and the default build read the exports through it.\n"
        "# `invited` is synthetic (about 40% of invited organisations responding).\n"
    )
    body = yaml.safe_dump({"title": "INNOCAP stakeholder survey, illustrative synthetic exports",
                           "defaults": {"wave": None}, "files": entries},
                          sort_keys=False, allow_unicode=True, width=120)
    return header + body.replace("  wave: null\n", "  wave: null  # baseline-only: no wave column, no wave fixed\n")


def _register(paths: list[Path], seed: int) -> None:
    command = "innocap data illustrative" + ("" if seed == DEFAULT_SEED else f" --seed {seed}")
    entries = {
        path.resolve().relative_to(config.DATA_DIR.resolve()).as_posix(): {
            "source": f"synthetic: innocap_analysis.synthetic.write_illustrative_exports, seed {seed}",
            "licence": "CC0-1.0 (synthetic data of the project; no real respondents)",
            "derivation": f"`{command}` (innocap_analysis/synthetic.py, codebook innocap_v1.yaml)",
        }
        for path in paths
    }
    provenance.update_data_manifest(entries)


def illustrative_truth(seed: int | None = None) -> SyntheticSurvey:
    """The generator's truth behind :func:`write_illustrative_exports`, with its injected imperfections.

    For tests and the data card: ``injected["duplicate"]`` and ``injected["out_of_range"]``
    give file, respondent id and spreadsheet row of each deliberate problem;
    ``injected["pii_columns"]`` the personal-data columns per file.
    """
    cb = load_codebook()
    truth = simulate_responses(cb, DEFAULT_SEED if seed is None else int(seed))
    se = truth.responses[truth.responses["region"] == "vasternorrland"].reset_index(drop=True)
    ie = truth.responses[truth.responses["region"] == "donegal"].reset_index(drop=True)
    truth.injected = {
        "out_of_range": {"file": EXPORTS["vasternorrland"][2], "respondent_id": se.loc[OUT_OF_RANGE_ROW, cb.respondent_id],
                         "item": OUT_OF_RANGE_ITEM, "value": OUT_OF_RANGE_VALUE, "row": OUT_OF_RANGE_ROW + 2},
        "duplicate": {"file": EXPORTS["donegal"][2], "respondent_id": ie.loc[DUPLICATE_ROW, cb.respondent_id],
                      "row": len(ie) + 2, "first_row": DUPLICATE_ROW + 2},
        "pii_columns": {EXPORTS["south_savo"][2]: ["Sähköposti", "Vapaa sana"], EXPORTS["donegal"][2]: ["Email"],
                        EXPORTS["newfoundland_labrador"][2]: ["IPAddress", "RecipientEmail", "LocationLatitude",
                                                              "LocationLongitude", "Q19"],
                        EXPORTS["south_iceland"][2]: ["Email", "Name", "Athugasemdir"]},
    }
    return truth
