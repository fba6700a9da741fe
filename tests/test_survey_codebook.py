"""The INNOCAP v1 codebook content and the codebook parser's error reporting."""

from __future__ import annotations

import copy

import pytest
import yaml

from innocap_analysis import config
from innocap_analysis.survey import CodebookError, load_codebook
from innocap_analysis.survey.codebook import parse_codebook


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def test_default_codebook_header(cb):
    assert cb.instrument == "innocap"
    assert cb.version == "1.0"
    assert cb.languages == ["en", "fi", "sv", "is"]
    assert cb.respondent_id == "respondent_id"
    assert {"email", "name", "phone", "organisation", "free_text"} <= set(cb.pii)


def test_profile_levels_match_config_regions(cb):
    assert list(cb.profile["region"].levels) == list(config.PARTNER_REGIONS)
    assert list(cb.profile["country"].levels) == ["IE", "SE", "FI", "IS", "CA"]
    assert list(cb.profile["stakeholder"].levels) == ["public_sector", "sme", "hei_research"]
    assert cb.profile["stakeholder"].required and cb.profile["region"].required
    assert set(cb.profile["wave"].levels) == {"baseline", "follow_up"}
    assert not cb.profile["wave"].required and not cb.profile["participant"].required
    assert set(cb.profile["participant"].levels) == {"yes", "no"}


@pytest.mark.parametrize("dimension", ["digital_solutions", "procurement", "delivery_models", "skills"])
def test_each_dimension_has_capability_importance_supply(cb, dimension):
    capability = cb.items_for(dimension=dimension, role="capability")
    assert 5 <= len(capability) <= 8
    assert any(item.reverse for item in capability) and not all(item.reverse for item in capability)
    assert len(cb.items_for(dimension=dimension, role="importance")) == 1
    supply = cb.items_for(dimension=dimension, role="supply")
    assert len(supply) == 1
    assert set(supply[0].answered_by) == {"sme", "hei_research"}


def test_awareness_adoption_and_barriers(cb):
    assert [i.id for i in cb.items_for(role="awareness")] == ["AW1", "AW2"]
    assert [i.id for i in cb.items_for(role="adoption")] == ["AD1", "AD2"]
    assert "SMEs" in cb.item("AW1").text["en"] and "universities" in cb.item("AW2").text["en"]
    assert "awareness" in cb.multi_select["BAR"].options
    assert "BAR_awareness" in cb.multi_select_columns


def test_every_text_translated_and_labels_distinct(cb):
    for item in cb.items:
        assert set(item.text) == set(cb.languages), item.id
    for scale in cb.scales.values():
        assert scale.codes == [1, 2, 3, 4, 5] and scale.min_code == 1 and scale.max_code == 5
        for lang in cb.languages:
            labels = [scale.levels[c][lang] for c in scale.codes]
            assert len(set(labels)) == 5, (scale.name, lang)
    # Anchors checked by hand against standard translations of the Likert agreement scale.
    agree = cb.scales["agree5"]
    assert agree.levels[1] == {"en": "Strongly disagree", "fi": "Täysin eri mieltä",
                               "sv": "Instämmer inte alls", "is": "Mjög ósammála"}
    assert agree.levels[5]["fi"] == "Täysin samaa mieltä" and agree.levels[5]["is"] == "Mjög sammála"


def test_item_ids_unique_and_items_for(cb):
    assert len(cb.item_ids) == len(set(cb.item_ids)) == 36
    assert [i.id for i in cb.items_for(dimension="skills", role="capability")] == [f"SK{k}" for k in range(1, 7)]
    assert len(cb.items_for(role="capability")) == 24


def _raw():
    return yaml.safe_load(config.DEFAULT_CODEBOOK.read_text(encoding="utf-8"))


def test_parse_codebook_lists_every_problem():
    raw = copy.deepcopy(_raw())
    raw["items"][0]["scale"] = "agree7"
    del raw["items"][1]["text"]["is"]
    raw["items"][2]["id"] = raw["items"][3]["id"]
    raw["languages"] = ["fi", "sv", "is"]
    with pytest.raises(CodebookError) as info:
        parse_codebook(raw, "test.yaml")
    problems = info.value.problems
    assert "languages must include 'en'" in problems
    assert "item DS1: unknown scale 'agree7'" in problems
    assert "item DS2: no label for language(s) is" in problems
    assert "item DS4: duplicate id" in problems


def test_load_codebook_bad_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("instrument: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid YAML"):
        load_codebook(path)


def test_codebook_structure_is_checked_by_its_json_schema():
    import copy

    import yaml

    from innocap_analysis import config
    from innocap_analysis.survey.codebook import CODEBOOK_SCHEMA, schema_problems

    raw = yaml.safe_load(config.DEFAULT_CODEBOOK.read_text(encoding="utf-8"))
    assert schema_problems(raw) == []
    bad = copy.deepcopy(raw)
    bad["items"][0]["reverse"] = "yes"
    bad["items"][1]["codes"] = {"typeform": "x"}
    bad["scales"]["agree5"]["levels"]["x"] = {"en": "X"}
    del bad["version"]
    problems = schema_problems(bad)
    first, second = bad["items"][0]["id"], bad["items"][1]["id"]
    assert "missing top-level key 'version'" in problems
    assert f"item {first}: reverse must be true or false, not 'yes'" in problems
    assert any(p.startswith(f"item {second} codes: unknown tool 'typeform'") for p in problems)
    assert "scale agree5 levels: level code 'x' is not an integer" in problems
    assert CODEBOOK_SCHEMA["$defs"]["codes"]["propertyNames"]["enum"][0] == "qualtrics"
    with pytest.raises(CodebookError, match="reverse must be true or false"):
        parse_codebook(bad)
