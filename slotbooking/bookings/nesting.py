"""Nested windows share their vans' places: how many places each window of a zone-day has left.

Why: a 4-hour booking is served by a van during one of the hours under it, so it takes a place
from those hour windows; counted apart, the two would oversell the same vans. The rule, over the
windows of one zone on one day (pure: plain values in, numbers out):

- A window ``A`` lies within ``W`` when it starts no sooner and ends no later (and is not ``W``).
  Windows that only partly overlap stay independent of each other: neither lies within the
  other (setups have them, for example 01:00-02:00 and 01:30-03:00).
- A leaf is a window with nothing within it. Every window keeps its own cap:
  ``own(X) <= cap(X)``, where ``own`` counts bookings and live holds of that window itself.
- A window ``W`` with windows within it also keeps the joint cap of what lies under it:
  ``own(W) + sum(own(A) for A within W) <= sum(cap(L) for the leaves L within W)``. Capacity
  is counted over the leaves only and bookings over every window within ``W``, so with three
  levels (hours within 2-hour windows within a 4-hour one) nothing is counted twice.
- Places left of a window = the least of its own slack (own cap and, if it has windows within
  it, joint cap) and the joint slack of every window it lies within; never below 0.

The rule is sound for nested windows: when every joint cap holds, each wide booking can be
given a place of one leaf under it (hand out places bottom up; a window's joint slack is what
its leaves have left once everything under it is served). It is cautious where the leaves do
not cover a wide window (08:00-12:00 over hours 08-10 only): the uncovered hours add no places.
Two partly overlapping windows that both contain the same leaf each count that leaf's places
(no setup we know has them); the proof above covers windows that nest or are disjoint.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Window:
    """One window of a zone-day: when it is, its capacity, and what it holds itself."""

    id: str
    starts_at: object  # anything ordered: datetimes in the app, numbers in tests
    ends_at: object
    capacity: int
    own: int = 0  # bookings plus live holds of this window itself


def lies_within(inner: Window, outer: Window) -> bool:
    """Tell whether ``inner`` lies entirely within ``outer`` (a window does not lie within itself)."""
    return (
        outer.starts_at <= inner.starts_at
        and inner.ends_at <= outer.ends_at
        and (inner.starts_at, inner.ends_at) != (outer.starts_at, outer.ends_at)
    )


def windows_within(windows: Iterable[Window]) -> dict[str, list[Window]]:
    """Map each window's id to the windows lying within it (empty for a leaf)."""
    windows = list(windows)
    return {outer.id: [inner for inner in windows if lies_within(inner, outer)] for outer in windows}


def nesting_ids(windows: Iterable[Window]) -> set[str]:
    """Return the ids of the windows that contain another or lie within another."""
    found: set[str] = set()
    for outer_id, inner in windows_within(windows).items():
        if inner:
            found.add(outer_id)
            found.update(window.id for window in inner)
    return found


def _joint_slack(outer: Window, inner: list[Window], is_leaf) -> int:
    """The joint cap's slack of ``outer``: its leaves' capacity less what it and everything within hold."""
    return sum(leaf.capacity for leaf in inner if is_leaf(leaf)) - outer.own - sum(w.own for w in inner)


def places_left(windows: Iterable[Window]) -> dict[str, int]:
    """Return the places left of every window of one zone-day under the nested rule."""
    windows = list(windows)
    within = windows_within(windows)
    joint = {
        outer.id: _joint_slack(outer, inner, lambda window: not within[window.id])
        for outer in windows
        if (inner := within[outer.id])
    }
    containing: dict[str, list[str]] = {window.id: [] for window in windows}
    for outer_id, inner in within.items():
        for window in inner:
            containing[window.id].append(outer_id)
    places = {}
    for window in windows:
        slack = [window.capacity - window.own]
        if window.id in joint:
            slack.append(joint[window.id])
        slack.extend(joint[outer_id] for outer_id in containing[window.id])
        places[window.id] = max(0, min(slack))
    return places


def places_left_of(windows: Iterable[Window], window_id: str) -> int:
    """Return what ``places_left`` gives one window, reading only the windows it nests with.

    A booking asks about one window: this takes a few passes over the zone-day's windows
    instead of relating every window to every other twice (``nesting_ids`` then ``places_left``).
    """
    windows = list(windows)
    target = next(window for window in windows if window.id == window_id)

    def is_leaf(window: Window) -> bool:
        return not any(lies_within(other, window) for other in windows)

    def within(outer: Window) -> list[Window]:
        return [window for window in windows if lies_within(window, outer)]

    slack = [target.capacity - target.own]
    if inner := within(target):
        slack.append(_joint_slack(target, inner, is_leaf))
    containing = [outer for outer in windows if lies_within(target, outer)]
    slack.extend(_joint_slack(outer, within(outer), is_leaf) for outer in containing)
    return max(0, min(slack))
