"""The setup document is checked field by field, with paths in the messages."""

import copy

import pytest

from slotbooking.common.errors import ValidationFailed
from slotbooking.demo.cli import demo_document
from slotbooking.setup.document import parse_document, validate_document


def problems(document) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        validate_document(document)
    return caught.value.details


def test_the_demo_document_is_valid_and_gets_defaults():
    document = demo_document()
    del document["booking_rules"]
    valid = validate_document(document)
    assert valid["booking_rules"]["hold_minutes"] == 15
    assert valid["pricing"]["mode"] == "flat"


def test_unknown_depot_is_named_by_its_path():
    document = demo_document()
    document["zones"][2]["depot"] = "D9"
    assert problems(document) == {"zones[2].depot": ['unknown depot "D9"']}


def test_field_errors_name_nested_paths():
    document = demo_document()
    document["fleet"][1]["vehicle"] = "rocket"
    document["slot_templates"][0]["end"] = "25:00"
    document["retailer"]["timezone"] = "Mars/Olympus"
    found = problems(document)
    assert "fleet[1].vehicle" in found
    assert "slot_templates[0].end" in found
    assert found["retailer.timezone"] == ['unknown time zone "Mars/Olympus"']


def test_a_prefix_may_belong_to_one_zone_only():
    document = demo_document()
    document["zones"][1]["postcode_prefixes"].append("n1")
    assert "zones[1].postcode_prefixes[2]" in problems(document)


def test_windows_must_end_after_they_start_and_fees_stay_in_bounds():
    document = demo_document()
    document["slot_templates"][0]["end"] = document["slot_templates"][0]["start"]
    document["pricing"]["min_fee"] = 1000
    found = problems(document)
    assert "slot_templates[0].end" in found
    assert "pricing.base_fee" in found


@pytest.mark.parametrize(
    "junk",
    [None, [], "text", {"retailer": "x"}, {"retailer": {"slug": "ok", "name": "n\x00"}}],
)
def test_junk_documents_are_refused_not_crashed(junk):
    assert problems(junk)


def test_unknown_fields_are_refused():
    document = copy.deepcopy(demo_document())
    document["depots"][0]["colour"] = "red"
    assert "depots[0].colour" in problems(document)


def test_yaml_and_json_are_both_read():
    assert parse_document('{"a": 1}', "setup.json") == {"a": 1}
    assert parse_document("a: 1\n", "setup.yaml") == {"a": 1}
    with pytest.raises(ValidationFailed):
        parse_document("{not json", "setup.json")
