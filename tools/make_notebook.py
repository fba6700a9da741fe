"""Write a notebook from a cell list (a development convenience; notebooks/ holds the result).

Usage from Python: ``write_notebook(path, [("md", "..."), ("params", "..."), ("code", "...")])``.
Cell ids are derived from the notebook name and position, so regenerating gives the same file.
"""

from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(path: str | Path, cells: list[tuple[str, str]]) -> Path:
    path = Path(path)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    out = []
    for i, (kind, source) in enumerate(cells):
        source = source.strip("\n")
        cell = nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
        if kind == "params":
            cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"{path.stem[:2]}-{i:02d}"
        out.append(cell)
    nb.cells = out
    nbformat.write(nb, path)
    return path
