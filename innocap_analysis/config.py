"""Every path the project uses, in one place.

The layout follows Cookiecutter Data Science v2: ``data/raw`` is immutable input,
``data/external`` holds third-party data with provenance, ``data/processed`` holds
derived tables, ``figures/`` holds the published figures and tables.

``PROJECT_ROOT`` is the source checkout. It can be overridden with the environment
variable ``INNOCAP_PROJECT_ROOT`` (for example when the package is installed
elsewhere and pointed at a checkout). Output paths for a run on real partner
exports are separate (``OUTPUT_ROOT``) so that a real run never overwrites the
committed illustrative evidence.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

PACKAGE_DIR: Path = Path(__file__).resolve().parent
PROJECT_ROOT: Path = Path(os.environ.get("INNOCAP_PROJECT_ROOT", PACKAGE_DIR.parent)).resolve()

DATA_DIR: Path = PROJECT_ROOT / "data"
RAW_DIR: Path = DATA_DIR / "raw"
EXTERNAL_DIR: Path = DATA_DIR / "external"
PROCESSED_DIR: Path = DATA_DIR / "processed"
#: Intermediate results one notebook writes for a later one (derived, never committed; see .gitignore).
INTERIM_DIR: Path = DATA_DIR / "interim"
DATA_MANIFEST: Path = DATA_DIR / "manifest.csv"

ILLUSTRATIVE_SURVEY_DIR: Path = RAW_DIR / "illustrative"
#: The project design the application sections use: objectives, work packages, pilots, indicator targets' sources.
APPLICATION_DESIGN_YAML: Path = RAW_DIR / "application" / "design.yaml"

NOTEBOOKS_DIR: Path = PROJECT_ROOT / "notebooks"
FIGURES_DIR: Path = PROJECT_ROOT / "figures"
TABLES_DIR: Path = FIGURES_DIR / "tables"
FIGURES_MANIFEST: Path = FIGURES_DIR / "MANIFEST.csv"

#: Where ``innocap build --survey ...`` writes; never the committed ``figures/``.
OUTPUT_ROOT: Path = PROJECT_ROOT / "output"
#: Where a notebook run outside ``innocap build`` (JupyterLab, nbconvert, papermill) writes by default.
SCRATCH_FIGURES_DIR: Path = OUTPUT_ROOT / "scratch" / "figures"

INSTRUMENTS_DIR: Path = PACKAGE_DIR / "instruments"
DEFAULT_CODEBOOK: Path = INSTRUMENTS_DIR / "innocap_v1.yaml"

# Third-party data, copied from the consortium's shared data folder (see data/manifest.csv).
NUTS_GEOJSON: dict[int, Path] = {
    level: EXTERNAL_DIR / f"nuts2021_level{level}_fi_se_no_ie_is_uk_10m.geojson" for level in range(4)
}
NEWFOUNDLAND_LABRADOR_GEOJSON: Path = EXTERNAL_DIR / "ne_50m_admin1_newfoundland_labrador.geojson"
FAROE_GREENLAND_GEOJSON: Path = EXTERNAL_DIR / "ne_10m_admin0_faroe_greenland.geojson"
NPA_REGIONS_2021_2027_CSV: Path = EXTERNAL_DIR / "npa_regions_2021_2027.csv"
NPA_REGIONS_2014_2020_CSV: Path = EXTERNAL_DIR / "npa_regions_2014_2020_mapped_to_nuts2021.csv"
NUTS3_POPULATION_CSV: Path = EXTERNAL_DIR / "nuts3_population_area_2021_eurostat_via_riate.csv"
NUTS3_TYPOLOGIES_CSV: Path = EXTERNAL_DIR / "nuts3_typologies_2021_eurostat.csv"
GEONAMES_SETTLEMENTS_CSV: Path = EXTERNAL_DIR / "geonames_settlements_500.csv"
TERRITORY_POPULATION_CSV: Path = EXTERNAL_DIR / "territory_population_official.csv"
POPULATION_GRID_CSV: Path = EXTERNAL_DIR / "geostat_2011_population_grid_5km_fi_se_no_ie_is_uk.csv"
HOSPITALS_CSV: Path = EXTERNAL_DIR / "gisco_healthcare_services_fi_se_ie_no_2020.csv"
ICELAND_REGIONS_GEOJSON: Path = EXTERNAL_DIR / "lmi_is50v_iceland_regions_simplified100.geojson"
PARTNER_AREAS_OFFICIAL_CSV: Path = EXTERNAL_DIR / "partner_areas_official.csv"
GEONAMES_MERGED_PLACES_CSV: Path = EXTERNAL_DIR / "geonames_merged_places.csv"
GEONAMES_ADMIN2_CSV: Path = EXTERNAL_DIR / "geonames_admin2.csv"

#: The NUTS 3 region (or territory) of each partner: key -> (label, NUTS 2021 or territory code). Where
#: the partner's own area is smaller than its NUTS 3 region, the label says so; figures and tables at
#: NUTS 3 use these labels, everything about the partner itself uses :data:`PARTNER_AREAS`.
PARTNER_REGIONS: dict[str, tuple[str, str]] = {
    "donegal": ("Border (IE041), which contains County Donegal", "IE041"),
    "vasternorrland": ("Västernorrland (SE321)", "SE321"),
    "south_savo": ("Etelä-Savo (FI1D1)", "FI1D1"),
    "south_iceland": ("Landsbyggð (IS002), which contains Suðurland", "IS002"),
    "newfoundland_labrador": ("Newfoundland and Labrador (CA-NL)", "CA-NL"),
}

#: The partners' own areas, as the partners define them (:func:`innocap_analysis.geography.partner_areas`).
PARTNER_AREAS: dict[str, str] = {
    "donegal": "County Donegal",
    "vasternorrland": "Västernorrland",
    "south_savo": "Etelä-Savo",
    "south_iceland": "Suðurland",
    "newfoundland_labrador": "Newfoundland and Labrador",
}

#: Distance (km, straight line) beyond which a resident counts as far from a service centre.
BURDEN_THRESHOLD_KM: float = 25.0

#: Minimum cell size for anything published: a count of 1 to ``MIN_CELL_SIZE - 1`` respondents, whether a
#: group's size or the count in one answer category, is masked (:mod:`innocap_analysis.disclosure`).
MIN_CELL_SIZE: int = 5

#: A share of 0% or 100% from a group smaller than this is masked: it would tell every member's answer
#: (attribute disclosure; :func:`innocap_analysis.disclosure.extreme_share_mask`).
MIN_GROUP_FOR_EXTREMES: int = 10

#: Narrowest audit interval (respondents) allowed for a masked cell: what an attacker can derive about it from
#: everything published must span at least this many respondents. Default: the threshold.
MIN_AUDIT_WIDTH: int = MIN_CELL_SIZE


def reproducible_environment() -> dict[str, str]:
    """Environment variables that make a build's numbers the same bytes on any x86-64 machine.

    OpenBLAS picks its kernels by CPU: on an AVX-512 machine (SkylakeX kernels) a few BLAS results
    differ in the last bits from an AVX2 machine (Haswell kernels), and an iterative fit (the
    ordinal models) amplifies that to the fifth digit. Pinning the Haswell kernels, which every
    x86-64 CPU with AVX2 runs, makes the committed figures and tables rebuild byte for byte. The
    hash seed is fixed too. On other CPUs only the hash seed is set.
    """
    env = {"PYTHONHASHSEED": "0"}
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        flags = ""
    if " avx2 " in f" {flags.replace(chr(10), ' ')} ":
        env["OPENBLAS_CORETYPE"] = "Haswell"
    return env


def interim_directory() -> Path:
    """Where notebooks leave intermediate results for later notebooks of the same build.

    ``data/interim`` for the illustrative build; ``innocap build`` points a run on real exports
    (and ``make test`` its notebook check) elsewhere with ``INNOCAP_INTERIM_DIR``, so that real
    answers never land in the repository.
    """
    return Path(os.environ.get("INNOCAP_INTERIM_DIR", INTERIM_DIR))


def figures_directory_outside_build() -> Path:
    """Where figures and tables go when no build is running: the scratch folder, unless asked otherwise.

    A notebook run in JupyterLab, nbconvert or papermill must not overwrite the committed
    ``figures/`` (whose checksums ``figures/MANIFEST.csv`` records), so it writes into
    :data:`SCRATCH_FIGURES_DIR` (``output/scratch/figures``, ignored by git). The caller asks for
    another folder with the environment variable ``INNOCAP_FIGURES_DIR``: a path, or ``committed``
    for :data:`FIGURES_DIR` (then ``innocap verify`` names the files whose checksums no longer match).
    """
    wanted = os.environ.get("INNOCAP_FIGURES_DIR", "").strip()
    if not wanted:
        return SCRATCH_FIGURES_DIR
    return FIGURES_DIR if wanted == "committed" else Path(wanted)


#: What ``--run-name`` accepts: one folder name of letters, digits, ``-``, ``_`` and ``.``, not starting with a dot.
RUN_NAME_RULE = "one folder name of letters, digits, '-', '_' and '.', not starting with a dot (e.g. 'real' or 'wave2-2027')"
_RUN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}")


class RunNameError(ValueError):
    """A run name that is not one safe folder name under ``output/`` (the message says what is allowed)."""


def run_directory(run_name: str) -> Path:
    """The folder of a run on real exports: ``output/<run_name>``, checked to stay inside ``output/``.

    The name must be one path segment of letters, digits, ``-``, ``_`` and ``.`` that does not start
    with a dot (:data:`RUN_NAME_RULE`): no ``..``, no ``/``, no absolute path, no empty name. The
    folder, once every symlink is resolved, must be ``output/<run_name>`` itself: a symlinked
    ``output/`` (or run folder) that points elsewhere, for example at the committed ``figures/``,
    is refused, so real partners' results can only land where git ignores them.

    Raises
    ------
    RunNameError
        With the name, the reason and what is allowed.
    """
    if not isinstance(run_name, str) or not _RUN_NAME.fullmatch(run_name):
        raise RunNameError(f"invalid run name {run_name!r}: a run name must be {RUN_NAME_RULE}")
    expected = OUTPUT_ROOT / run_name
    for folder in (OUTPUT_ROOT, expected, expected / "figures"):
        resolved = folder.resolve()
        if resolved != folder:
            raise RunNameError(
                f"run folder {folder} resolves to {resolved}: output/ and the run folders under it must be real "
                f"folders inside {OUTPUT_ROOT}, not symlinks (real results must stay where git ignores them)")
    return expected


def output_dirs(run_name: str | None = None) -> tuple[Path, Path]:
    """Return ``(figures_dir, tables_dir)`` for a build.

    ``run_name=None`` is the committed illustrative build (``figures/``); any other
    name is a separate folder under ``output/`` that git ignores, checked by
    :func:`run_directory` (:class:`RunNameError` for anything else).
    """
    if run_name is None:
        return FIGURES_DIR, TABLES_DIR
    root = run_directory(run_name) / "figures"
    return root, root / "tables"
