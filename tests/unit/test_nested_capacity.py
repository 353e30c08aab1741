"""The nested capacity rule as a pure function: a wide booking takes a place from the windows under it."""

from hypothesis import given, settings
from hypothesis import strategies as st

from slotbooking.bookings.nesting import Window, lies_within, nesting_ids, places_left, places_left_of


def hours(start: int, end: int, capacity: int, **own: int) -> list[Window]:
    """Hour windows start..end, named h<start hour>, with what each holds."""
    return [Window(f"h{h}", h, h + 1, capacity, own.get(f"h{h}", 0)) for h in range(start, end)]


def test_a_window_lies_within_another_only_when_entirely_inside_and_not_itself():
    wide = Window("w", 8, 12, 12)
    assert lies_within(Window("a", 8, 9, 4), wide)
    assert lies_within(Window("b", 11, 12, 4), wide)
    assert not lies_within(wide, wide)
    assert not lies_within(Window("c", 11, 13, 4), wide)  # partly overlapping
    assert not lies_within(wide, Window("a", 8, 9, 4))


def test_without_nesting_each_window_keeps_its_own_cap():
    windows = [Window("a", 8, 9, 4, own=1), Window("b", 9, 10, 2, own=2)]
    assert places_left(windows) == {"a": 3, "b": 0}
    assert nesting_ids(windows) == set()


def test_a_four_hour_booking_takes_a_place_from_the_hours_under_it():
    empty = [Window("w", 8, 12, 12), *hours(8, 12, 4)]
    assert places_left(empty) == {"w": 12, "h8": 4, "h9": 4, "h10": 4, "h11": 4}
    # 14 wide bookings would pass the hours' 16 places, but the wide window's own cap is 12
    wide_full = [Window("w", 8, 12, 12, own=12), *hours(8, 12, 4)]
    assert places_left(wide_full) == {"w": 0, "h8": 4, "h9": 4, "h10": 4, "h11": 4}
    # 16 places under the hours: 12 wide and 3 in hour 8 leave 1 joint place for every hour
    joint = [Window("w", 8, 12, 12, own=12), *hours(8, 12, 4, h8=3)]
    assert places_left(joint) == {"w": 0, "h8": 1, "h9": 1, "h10": 1, "h11": 1}


def test_the_last_joint_place_is_the_same_place_for_wide_and_narrow():
    windows = [Window("w", 8, 12, 12, own=5), *hours(8, 12, 4, h8=4, h9=4, h10=2)]
    left = places_left(windows)
    assert left == {"w": 1, "h8": 0, "h9": 0, "h10": 1, "h11": 1}
    # taking it in the wide window leaves none anywhere
    after = [Window("w", 8, 12, 12, own=6), *hours(8, 12, 4, h8=4, h9=4, h10=2)]
    assert places_left(after) == {"w": 0, "h8": 0, "h9": 0, "h10": 0, "h11": 0}


def test_three_levels_count_capacity_over_leaves_and_bookings_over_every_window_inside():
    windows = [
        Window("w", 8, 12, 20, own=2),
        Window("m8", 8, 10, 10, own=3),
        Window("m10", 10, 12, 10),
        *hours(8, 12, 3, h8=1),
    ]
    left = places_left(windows)
    # under w: 12 leaf places, 2 + 3 + 1 taken (the 2-hour windows' own caps add none)
    assert left["w"] == 6
    # under m8: hours 8 and 9 give 6 places, m8's 3 and hour 8's 1 are taken
    assert left["m8"] == 2
    assert left["h8"] == 2 and left["h9"] == 2  # bounded by m8's joint slack
    assert left["m10"] == 6 and left["h10"] == 3 and left["h11"] == 3
    # fill w's joint slack: every window under it is closed
    full = [Window("w", 8, 12, 20, own=8), *windows[1:]]
    assert set(places_left(full).values()) == {0}


def test_a_narrow_window_is_bounded_by_every_window_it_lies_within():
    windows = [
        Window("w", 8, 12, 20),
        Window("m", 8, 10, 10, own=5),  # 6 leaf places under m, 5 taken
        *hours(8, 12, 3),
    ]
    assert places_left(windows)["h8"] == 1
    assert places_left(windows)["h10"] == 3  # outside m: only w's joint slack (12 - 5) and its own


def test_partly_overlapping_windows_stay_independent():
    windows = [Window("a", 1, 2, 3, own=3), Window("b", 1.5, 3, 3)]
    assert places_left(windows) == {"a": 0, "b": 3}
    assert nesting_ids(windows) == set()


def test_a_wide_window_with_nothing_inside_keeps_its_own_cap_and_places_never_go_below_zero():
    assert places_left([Window("w", 8, 12, 12, own=5), *hours(13, 14, 4)]) == {"w": 7, "h13": 4}
    # capacities lowered below what is held: no window shows fewer than 0 places
    over = [Window("w", 8, 12, 2, own=4), *hours(8, 10, 1, h8=1)]
    assert places_left(over) == {"w": 0, "h8": 0, "h9": 0}


def test_uncovered_time_in_a_wide_window_adds_no_places():
    windows = [Window("w", 8, 12, 12, own=7), *hours(8, 10, 4)]  # hours 10-12 have no window
    assert places_left(windows) == {"w": 1, "h8": 1, "h9": 1}


def test_nesting_ids_name_the_windows_that_contain_or_lie_within_another():
    windows = [Window("w", 8, 12, 12), *hours(8, 10, 4), Window("e", 18, 19, 4), Window("p", 11, 13, 4)]
    assert nesting_ids(windows) == {"w", "h8", "h9"}


@st.composite
def zone_days(draw) -> list[Window]:
    """A zone-day's windows on a half-hour grid: nested, disjoint and partly overlapping ones mixed."""
    count = draw(st.integers(1, 9))
    windows = []
    for index in range(count):
        start = draw(st.integers(0, 10))
        length = draw(st.integers(1, 8))
        capacity = draw(st.integers(0, 6))
        own = draw(st.integers(0, capacity + 2))
        windows.append(Window(f"w{index}", start, start + length, capacity, own))
    return windows


@settings(max_examples=400, deadline=None)
@given(zone_days(), st.data())
def test_one_windows_places_are_what_the_whole_zone_days_rule_gives_it(windows, data):
    window = data.draw(st.sampled_from(windows))
    assert places_left_of(windows, window.id) == places_left(windows)[window.id]
