"""The package's layering (issue 10): imports point down only, no cycles, no imports inside functions."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import warnings
from pathlib import Path

import grimp
import pytest

from innocap_analysis import config

PACKAGE = config.PACKAGE_DIR
#: The one import allowed inside a function: the optional dask-geopandas path.
ALLOWED_FUNCTION_IMPORTS = {("geography/nearest.py", "._dask")}


def test_import_linter_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=config.PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_no_import_cycles():
    # Imports under TYPE_CHECKING only name types for annotations; they never run, so they are no cycle.
    graph = grimp.build_graph("innocap_analysis", cache_dir=None, exclude_type_checking_imports=True)
    # A package's __init__ re-exporting its own modules is not a cycle; drop those edges.
    for importer in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(importer):
            if imported.startswith(importer + "."):
                graph.remove_import(importer=importer, imported=imported)
    cycles = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(imported, importer)
    )
    assert cycles == []


def _function_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import):
                    found += [(inner.lineno, alias.name) for alias in inner.names]
                elif isinstance(inner, ast.ImportFrom):
                    found.append((inner.lineno, "." * inner.level + (inner.module or "")))
    return found


def test_no_imports_inside_functions():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        offenders += [f"{rel}:{line} imports {name}" for line, name in _function_imports(path)
                      if (rel, name) not in ALLOWED_FUNCTION_IMPORTS]
    assert offenders == []


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("innocap_analysis.scoring", "score_dimensions", "innocap_analysis.survey.scoring"),
        ("innocap_analysis.reliability", "reliability_table", "innocap_analysis.indicators.measurement"),
        ("innocap_analysis.compare", "kruskal_wallis", "innocap_analysis.stats.compare"),
        ("innocap_analysis.power", "power_sentence", "innocap_analysis.evidence.sentences"),
        ("innocap_analysis.tables", "save_table", "innocap_analysis.evidence.publish"),
        ("innocap_analysis.plots", "save_figure", "innocap_analysis.evidence.publish"),
        ("innocap_analysis.composite", "capability_index", "innocap_analysis.indicators.capability"),
        ("innocap_analysis.synthetic_panel", "illustrative_waves", "innocap_analysis.evaluation.simulation"),
        ("innocap_analysis.geography.distance", "nearest_service", "innocap_analysis.geography.nearest"),
        ("innocap_analysis.geography.indicators", "save_indicator_layers", "innocap_analysis.evidence.publish"),
    ],
)
def test_old_import_paths_work_for_one_release_with_a_warning(old, name, new):
    module = __import__(old, fromlist=[name])
    with pytest.warns(DeprecationWarning, match=f"{old}.{name} has moved to {new}"):
        obj = getattr(module, name)
    target = __import__(new, fromlist=["_"])
    assert obj is vars(target)[name if hasattr(target, name) else "save_layers"]


def test_unknown_names_still_raise_attribute_error():
    import innocap_analysis.scoring as old

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            old.no_such_function  # noqa: B018


def test_plots_style_is_the_style_module():
    from innocap_analysis.plots import style

    assert style.__name__ == "innocap_analysis.plots.style"


def test_api_reference_lists_every_public_module():
    """docs/api.rst documents every module of the package (private and deprecated 0.1 paths excepted)."""
    import pkgutil

    import innocap_analysis

    listed = set(re.findall(r"automodule:: (\S+)", (config.PROJECT_ROOT / "docs" / "api.rst").read_text()))
    deprecated = {"build", "cli", "compare", "demand_supply", "power", "profiles", "reliability", "report",
                  "scoring", "synthesis", "synthetic_panel", "tables"}
    modules = {m.name for m in pkgutil.walk_packages(innocap_analysis.__path__, "innocap_analysis.")
               if not any(p.startswith("_") for p in m.name.split(".")[1:]) and m.name.split(".")[1] not in deprecated}
    assert modules - listed == set(), f"add to docs/api.rst: {sorted(modules - listed)}"


def test_package_ships_license_typing_marker_and_templates():
    import tomllib

    project = tomllib.loads((config.PROJECT_ROOT / "pyproject.toml").read_text())
    assert project["project"]["license-files"] == ["LICENSE"]
    assert (config.PROJECT_ROOT / "LICENSE").read_text().startswith("MIT License")
    data = project["tool"]["setuptools"]["package-data"]["innocap_analysis"]
    assert "py.typed" in data and "app/templates/*" in data and "instruments/*.json" in data
    assert (PACKAGE / "py.typed").exists() and (PACKAGE / "app" / "templates" / "report.html.j2").exists()
