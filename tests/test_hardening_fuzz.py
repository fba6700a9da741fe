"""Fuzzing the survey readers (issue 16): a mutated export either loads or raises SurveyValidationError.

Derandomised and bounded: 500 mutated copies of every export format the package reads (170 CSV,
165 XLSX, 165 SPSS ``.sav``), made by a fixed-seed generator from the shipped illustrative exports
(``data/raw/illustrative``: three CSV, two XLSX) and from a ``.sav`` that the package's Qualtrics
SPSS writer makes (none is shipped). Mutations: bit flips, byte overwrites, truncation, deleted and
repeated slices, inserted separators, quotes, NUL, byte order marks and formulas, extreme 32-bit
integers in the binary headers, bytes of the SPSS dictionary (where ReadStat segfaults on some
values; those crashes must be contained), and inside the XLSX zip, XML-level changes (far cell references,
wrong cell types, shared-string indexes out of range, broken tags). Each case is loaded with
``errors="raise"``: anything but a :class:`SurveyValidationError` fails the test. Then the CLI
(``innocap validate``) reads the cases whose reader crashed or failed, and must exit 0 or 1, never
by a signal. On a shared 2-core machine the cases take 45-60 s and the CLI check about 10 s.
"""

from __future__ import annotations

import collections
import io
import random
import re
import subprocess
import sys
import time
import warnings
import zipfile
from pathlib import Path

import pytest

from innocap_analysis import config
from innocap_analysis.survey import SurveyValidationError, load_codebook, load_manifest, load_survey
from innocap_analysis.synthetic.exports import write_tool_export
from innocap_analysis.synthetic.survey import illustrative_truth

CASES = {"csv": 170, "xlsx": 165, "sav": 165}
SEED = 16
INTERESTING = [b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'"', b",", b";", b"\t", b"\r", b"\n", b"\r\n",
               b'=HYPERLINK("http://evil.example/","x")', b"A" * 5000, "\u00e4\u00f0\u00fe".encode(), b"\x80\x81"]
EXTREMES = [0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0xFFFF]


def _mutate_bytes(data: bytes, rng: random.Random, binary: bool) -> bytes:
    data = bytearray(data)
    kind = rng.choice(["flip", "set", "truncate", "delete", "repeat", "insert"] + (["int32"] * 2 if binary else []))
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == "set":
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
    elif kind == "truncate":
        data = data[:rng.randrange(len(data))]
    elif kind == "delete":
        i = rng.randrange(len(data))
        del data[i:i + rng.randint(1, 200)]
    elif kind == "repeat":
        i = rng.randrange(len(data))
        data[i:i] = data[i:i + rng.randint(1, 2000)] * rng.randint(1, 20)
    elif kind == "insert":
        for _ in range(rng.randint(1, 5)):
            i = rng.randrange(len(data) + 1)
            data[i:i] = rng.choice(INTERESTING)
    else:  # an extreme 32-bit integer where a count or a length may be
        i = rng.randrange(0, max(1, len(data) - 4), 4)
        data[i:i + 4] = rng.choice(EXTREMES).to_bytes(4, "little")
    return bytes(data)


def _mutate_sav(data: bytes, rng: random.Random) -> bytes:
    """Bytes anywhere, or (one case in three) one to three bytes of the dictionary: the header and the
    variable records before the ``999`` record, where ReadStat trusts types, widths and counts."""
    end = data.find((999).to_bytes(4, "little"), 176)
    if rng.random() < 2 / 3 or end < 0:
        return _mutate_bytes(data, rng, binary=True)
    data = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        data[rng.randrange(64, end)] = rng.choice([0, 1, 8, 33, 47, 64, 127, 128, 255, rng.randrange(256)])
    return bytes(data)


_XML_CHANGES = [
    (rb'r="[A-Z]+[0-9]+"', [b'r="XFD1048576"', b'r="A999999"', b'r="ZZZZ1"', b'r="A0"', b'r=""']),
    (rb't="[a-z]+"', [b't="e"', b't="n"', b't="b"', b't="d"', b't="inlineStr"', b't="str"', b't="zz"']),
    (rb"<v>[^<]*</v>", [b"<v>99999999</v>", b"<v>-1</v>", b"<v>nan</v>", b"<v>1e400</v>", b"<v></v>",
                        b"<v>" + b"9" * 400 + b"</v>"]),
    (rb"</[a-zA-Z:]+>", [b"", b"</x>", b"<"]),
    (rb'ref="[A-Z0-9:]+"', [b'ref="A1:XFD1048576"', b'ref="Z"']),
]


def _mutate_xlsx(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.4:
        return _mutate_bytes(data, rng, binary=True)
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    names = sorted(members)
    weights = [6 if "worksheets/sheet" in n else 4 if "sharedStrings" in n else 1 for n in names]
    name = rng.choices(names, weights)[0]
    xml = members[name]
    if rng.random() < 0.6:
        pattern, replacements = rng.choice(_XML_CHANGES)
        matches = list(re.finditer(pattern, xml))
        for match in rng.sample(matches, min(len(matches), rng.randint(1, 3))):
            xml = xml[:match.start()] + rng.choice(replacements) + xml[match.end():] if len(xml) >= match.end() \
                else xml
    else:
        xml = _mutate_bytes(xml, rng, binary=False)
    members[name] = xml
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in names:
            target.writestr(zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0)), members[member])
    return out.getvalue()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    """(path, tool, profile) of each seed export, by format."""
    manifest = load_manifest(config.ILLUSTRATIVE_SURVEY_DIR / "survey.yaml")
    found = collections.defaultdict(list)
    for spec in manifest.files:
        found[spec.path.suffix.lstrip(".")].append((spec.path, spec.tool, dict(spec.profile)))
    sav = write_tool_export("qualtrics_sav", illustrative_truth(), "vasternorrland", tmp_path_factory.mktemp("sav"))
    found["sav"].append((sav.path, sav.layout, {"region": sav.region, "country": sav.manifest["country"]}))
    assert set(found) == set(CASES) and all(found.values())
    return found


@pytest.fixture(scope="module")
def fuzzed(seeds, tmp_path_factory):
    """Run every case; return the outcomes, the failures and the paths of the files no reader could read."""
    folder = tmp_path_factory.mktemp("fuzz")
    codebook = load_codebook()
    outcomes, failures, unreadable = collections.Counter(), [], collections.defaultdict(list)
    caught_warnings = 0
    started = time.perf_counter()
    for number, fmt in enumerate(CASES):
        rng = random.Random(SEED * 1000 + number)
        for case in range(CASES[fmt]):
            seed_path, tool, profile = seeds[fmt][case % len(seeds[fmt])]
            data = seed_path.read_bytes()
            data = (_mutate_xlsx(data, rng) if fmt == "xlsx" else _mutate_sav(data, rng) if fmt == "sav"
                    else _mutate_bytes(data, rng, binary=False))
            path = folder / f"{fmt}{case:03d}_{seed_path.name}"
            path.write_bytes(data)
            try:
                with warnings.catch_warnings(record=True) as caught:  # a reader's warnings about a broken file
                    warnings.simplefilter("always")
                    load_survey(path, codebook=codebook, errors="raise", tool=tool, file_profile={path.name: profile})
                outcomes[(fmt, "loaded")] += 1
            except SurveyValidationError as exc:
                caught_warnings += len(caught)
                reasons = " ".join(issue.reason for issue in exc.issues if issue.action == "file skipped")
                kind = ("reader crashed" if "reader crashed" in reasons else
                        "reader limit" if "limit" in reasons else
                        "unreadable" if "unreadable" in reasons or "empty" in reasons else "problems listed")
                outcomes[(fmt, kind)] += 1
                if kind != "problems listed":
                    unreadable[(fmt, kind)].append(path)
            except Exception as exc:  # noqa: BLE001 - exactly what the test looks for
                failures.append(f"{path.name}: {type(exc).__name__}: {exc}")
    seconds = time.perf_counter() - started
    print(f"\nfuzz: {sum(outcomes.values()) + len(failures)} cases in {seconds:.1f} s; "
          + ", ".join(f"{fmt} {kind}: {n}" for (fmt, kind), n in sorted(outcomes.items()))
          + f"; {caught_warnings} reader warnings")
    return outcomes, failures, unreadable, seconds


def test_every_mutated_export_loads_or_raises_survey_validation_error(fuzzed):
    outcomes, failures, _, seconds = fuzzed
    assert failures == []
    total = sum(outcomes.values())
    assert total == sum(CASES.values()) >= 500
    for fmt, n in CASES.items():
        assert sum(v for (f, _), v in outcomes.items() if f == fmt) == n
        # the mutations reach past the first check: some files still load far enough to list row problems
        assert outcomes[(fmt, "problems listed")] + outcomes[(fmt, "loaded")] > 0, outcomes
    assert seconds < 240  # bounded (45-60 s on a shared 2-core machine)


def test_the_cli_never_dies_from_a_signal_on_the_files_no_reader_could_read(fuzzed, tmp_path):
    _, _, unreadable, _ = fuzzed
    paths = [p for group in sorted(unreadable) for p in unreadable[group][:8]]
    assert paths
    out = subprocess.run([sys.executable, "-m", "innocap_analysis.app.cli", "validate", *map(str, paths)],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode in (0, 1), (out.returncode, out.stderr[-2000:])
    assert "Traceback" not in out.stderr
    for path in paths:
        assert f"{Path(path).name}: " in out.stdout
