"""Sphinx configuration of the API reference (``make docs``; warnings are errors)."""

from innocap_analysis import __version__

project = "innocap_analysis"
author = "INNOCAP consortium research software engineers"
copyright = "2026, INNOCAP consortium"  # noqa: A001 - Sphinx's name
release = version = __version__

extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode", "numpydoc"]
source_suffix = {".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "api/generated"]
html_theme = "alabaster"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc documents the types; signatures keep their annotations short
autodoc_default_options = {
    "members": True,
    "undoc-members": False,
    "show-inheritance": False,
    # type aliases and a re-exported scipy class: autodoc cannot format their signatures
    "exclude-members": "cKDTree, ToolCodes, Target",
}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()
suppress_warnings = ["autodoc.import_object"]

