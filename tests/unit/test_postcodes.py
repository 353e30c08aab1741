from slotbooking.retailers.postcodes import longest_prefix, normalise_postcode


def test_postcodes_are_normalised_for_case_and_spaces():
    assert normalise_postcode("n1 2ab") == "N1 2AB"
    assert normalise_postcode("N12AB") == "N1 2AB"
    assert normalise_postcode("  sw1a   1aa ") == "SW1A 1AA"
    assert normalise_postcode("75011") == "75011"


def test_longest_prefix_wins():
    assert longest_prefix(["N", "N1", "N10"], "N10 2AB") == "N10"
    assert longest_prefix(["N", "N1"], "N1 2AB") == "N1"


def test_a_district_prefix_does_not_swallow_a_longer_district():
    assert longest_prefix(["N1"], "N10 2AB") is None
    assert longest_prefix(["N1", "N"], "N10 2AB") == "N"
    assert longest_prefix(["SW1"], "SW1A 1AA") == "SW1"


def test_numeric_prefixes_are_plain_prefixes():
    assert longest_prefix(["750", "75"], "75011") == "750"
    assert longest_prefix(["69"], "75011") is None
