"""Where the committed illustrative (synthetic) partner exports are: the data-side listing.

The survey layer finds the illustrative exports through their survey manifest
``data/raw/illustrative/survey.yaml`` (folder from :mod:`config`), without importing the
generator that writes them (:mod:`innocap_analysis.synthetic`, a higher layer). The
generator writes the files and the manifest from :data:`ILLUSTRATIVE_EXPORTS`.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .. import config

#: File name of the survey manifest of the illustrative exports.
MANIFEST_NAME = "survey.yaml"

#: Partner region -> (country, export language, file name, tool layout) of each illustrative export, in load order.
ILLUSTRATIVE_EXPORTS: dict[str, tuple[str, str, str, str]] = {
    "south_savo": ("FI", "fi", "south_savo_webropol_fi.csv", "webropol"),
    "vasternorrland": ("SE", "sv", "vasternorrland_sv.xlsx", "plain"),
    "donegal": ("IE", "en", "donegal_en.csv", "plain"),
    "newfoundland_labrador": ("CA", "en", "newfoundland_labrador_qualtrics_en.csv", "qualtrics"),
    "south_iceland": ("IS", "is", "south_iceland_msforms_is.xlsx", "msforms"),
}


def illustrative_manifest_path(out_dir: str | Path | None = None) -> Path:
    """The survey manifest of the illustrative exports (default folder :data:`config.ILLUSTRATIVE_SURVEY_DIR`)."""
    folder = Path(out_dir) if out_dir is not None else config.ILLUSTRATIVE_SURVEY_DIR
    return folder / MANIFEST_NAME


def illustrative_export_paths(out_dir: str | Path | None = None) -> list[Path]:
    """Paths of the illustrative partner exports, in the order of their manifest.

    Read from the manifest's ``files`` (the data card ``README.md`` and the manifest itself
    are not exports); ``out_dir`` defaults to :data:`innocap_analysis.config.ILLUSTRATIVE_SURVEY_DIR`.
    """
    manifest = illustrative_manifest_path(out_dir)
    raw = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    return [manifest.parent / str(entry["path"]) for entry in raw["files"]]
