"""The one Address: read from the API's address object or a stored row, placed at its zone when it must."""

from types import SimpleNamespace

import pytest

from slotbooking.common.fields import POSTCODE_SHAPE
from slotbooking.slots.pricers import Address

ZONE = SimpleNamespace(lat=51.54, lon=-0.10)


def test_an_address_object_with_every_field_or_the_postcode_alone():
    assert Address.from_dict(
        {"postcode": "N1 2AB", "lat": 51.5, "lon": -0.1, "line1": "1 Upper St"}
    ) == Address("N1 2AB", 51.5, -0.1, "1 Upper St")
    assert Address.from_dict({"postcode": "N1 2AB"}) == Address("N1 2AB")


def test_a_stored_row_gives_back_the_address_it_was_made_for():
    row = SimpleNamespace(postcode="N1 2AB", lat=51.5, lon=-0.1, line1="1 Upper St", id="hold_1")
    assert Address.of(row) == Address("N1 2AB", 51.5, -0.1, "1 Upper St")


def test_an_address_with_coordinates_keeps_them():
    placed = Address("N1 2AB", 51.5, -0.1, "1 Upper St")
    assert placed.or_zone_centroid(ZONE) is placed


@pytest.mark.parametrize("lat, lon", [(None, None), (51.5, None), (None, -0.1)])
def test_an_address_without_both_coordinates_is_placed_at_its_zone_centroid(lat, lon):
    assert Address("N1 2AB", lat, lon, "1 Upper St").or_zone_centroid(ZONE) == Address(
        "N1 2AB", 51.54, -0.10, "1 Upper St"
    )


@pytest.mark.parametrize("postcode", ["N1 2AB", "sw1a1aa", "75001", "D02-X285", "A" * 16])
def test_postcodes_of_any_country_have_the_postcode_shape(postcode):
    assert POSTCODE_SHAPE.match(postcode)


@pytest.mark.parametrize("postcode", ["", " N1", "-N1", "N1<script>", "A" * 17, "N1\n2AB", "N1_2AB"])
def test_anything_else_has_not(postcode):
    assert not POSTCODE_SHAPE.match(postcode)
