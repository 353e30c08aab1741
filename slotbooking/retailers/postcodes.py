"""Postcode normalisation and longest-prefix zone matching."""

import re

_UK_SHAPE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)([0-9][A-Z]{2})$")


def normalise_postcode(raw: str) -> str:
    """Return the postcode upper-cased with spaces folded; UK codes get their one space back."""
    compact = re.sub(r"\s+", "", raw).upper()
    match = _UK_SHAPE.match(compact)
    if match:
        return f"{match.group(1)} {match.group(2)}"
    return " ".join(raw.upper().split())


def prefix_matches(prefix: str, postcode: str) -> bool:
    """Tell whether a normalised prefix covers a normalised postcode.

    An alphanumeric prefix ending in a digit stops at a district boundary, so "N1" covers
    "N1 2AB" (and "SW1" covers "SW1A 1AA") but not "N10 2AB"; an all-digit prefix ("750")
    is a plain string prefix.
    """
    if not postcode.startswith(prefix):
        return False
    if len(postcode) == len(prefix):
        return True
    boundary_rule = prefix[-1].isdigit() and any(ch.isalpha() for ch in prefix)
    return not (boundary_rule and postcode[len(prefix)].isdigit())


def longest_prefix(prefixes, postcode: str) -> str | None:
    """Return the longest of the prefixes that covers the postcode, or None."""
    best = None
    for prefix in prefixes:
        if prefix_matches(prefix, postcode) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best
