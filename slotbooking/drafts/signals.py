"""Signals of the drafts: parts above listen without drafts knowing them (the what-if's runs)."""

from blinker import Namespace

_signals = Namespace()
# Sent inside publish_draft's unit of work once the new version has its id:
# sender retailer id; session, document (the draft's, as stored), version (the SetupVersion row).
draft_published = _signals.signal("draft-published")
