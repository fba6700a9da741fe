"""data/manifest.csv: every file under data/ is listed, and a changed byte fails with the file named."""

import shutil

import pytest

from innocap_analysis import config, provenance


def test_every_data_file_matches_its_checksum():
    problems = provenance.verify_data_manifest()
    assert problems == [], "data/ differs from data/manifest.csv:\n" + "\n".join(map(str, problems))


def test_manifest_rows_carry_source_and_licence():
    for row in provenance.read_data_manifest():
        assert row["source"].strip(), row["path"]
        assert row["licence"].strip(), row["path"]
        assert row["derivation"].strip(), row["path"]
        assert len(row["sha256"]) == 64, row["path"]


@pytest.fixture()
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(config.DATA_DIR, target)
    return target


def test_one_changed_byte_is_reported_with_the_file_name(data_copy):
    victim = data_copy / "external" / "nuts3_typologies_2021_eurostat.csv"
    raw = bytearray(victim.read_bytes())
    raw[100] ^= 0x01
    victim.write_bytes(bytes(raw))
    before = {p.path for p in provenance.verify_data_manifest(config.DATA_DIR)}
    problems = [p for p in provenance.verify_data_manifest(data_copy) if p.path not in before]
    assert [p.path for p in problems] == ["data/external/nuts3_typologies_2021_eurostat.csv"]
    assert "changed" in problems[0].problem


def test_unlisted_and_missing_files_are_reported(data_copy):
    (data_copy / "external" / "stray.csv").write_text("a\n1\n")
    (data_copy / "external" / "npa_regions_2021_2027.csv").unlink()
    problems = {p.path: p.problem for p in provenance.verify_data_manifest(data_copy)}
    assert "not listed" in problems["data/external/stray.csv"]
    assert "missing" in problems["data/external/npa_regions_2021_2027.csv"]


def test_update_refuses_to_invent_provenance(data_copy):
    (data_copy / "raw" / "new.csv").write_text("x\n")
    with pytest.raises(ValueError, match="has no source/licence"):
        provenance.update_data_manifest(data_dir=data_copy)


def test_temporary_inputs_are_recorded_without_their_random_folder(tmp_path):
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="innocap_probe_"))
    try:
        (folder / "wave").mkdir()
        probe = folder / "wave" / "export.csv"
        probe.write_text("a\n1\n")
        provenance.record_input(probe)
        assert "<tempdir>/wave/export.csv" in provenance.inputs_read()
    finally:
        shutil.rmtree(folder)
