"""The offer log's per-process batch: sent when full or old (by the app's clock), in one push."""

import json

from slotbooking.offerlog.recorder import QUEUE, OfferLog, coarse_cell, grid_windows
from slotbooking.slots.pricers import Address


class FakeQueue:
    def __init__(self):
        self.pushes, self.batches = [], []

    def append(self, key, texts, keep):
        self.pushes.append((key, len(texts), keep))
        self.batches.extend(texts)
        return True


def item(t: float) -> dict:
    return {"q": f"q{t}", "r": 1, "g": "grid", "t": t, "e": t + 600, "c": "N1"}


def test_a_batch_goes_when_full_in_one_push():
    queue = FakeQueue()
    log = OfferLog(queue, batch=3, flush_seconds=60)
    for t in (0, 1, 2, 3, 4):
        log.add(item(t))
    assert queue.pushes == [(QUEUE, 1, 5_000)]
    assert [i["t"] for i in json.loads(queue.batches[0])] == [0, 1, 2]
    assert log.flush() == 2 and queue.pushes[-1] == (QUEUE, 1, 5_000)


def test_a_batch_goes_when_its_oldest_waited_long_enough():
    queue = FakeQueue()
    log = OfferLog(queue, batch=50, flush_seconds=5)
    log.add(item(100.0))
    log.add(item(104.9))
    assert queue.pushes == []
    log.add(item(105.0))
    assert queue.pushes == [(QUEUE, 1, 5_000)]


def test_the_cell_is_about_a_kilometre_and_never_the_full_postcode():
    assert coarse_cell(Address("N1 2AB", 51.53912, -0.10234)) == "51.54,-0.10"
    assert coarse_cell(Address("n12ab")) == "N1"
    assert coarse_cell(Address("75001")) == "750"


def test_only_bookable_windows_are_kept_with_their_badges():
    slots = (
        '[{"id":"a","date":"2026-11-24","start":"2026-11-24T08:00:00+00:00","width_minutes":240,'
        '"available":true,"price":{"amount":300},"green":false,"incentives":[{"kind":"wide"}]},'
        '{"id":"b","date":"2026-11-24","start":"2026-11-24T18:00:00+00:00","width_minutes":60,'
        '"available":false,"price":{"amount":400},"green":true,"incentives":[]},'
        '{"id":"c","date":"2026-11-24","start":"2026-11-24T19:30:00+00:00","width_minutes":60,'
        '"available":true,"price":{"amount":350},"green":true,"incentives":[{"kind":"green"}]}]'
    )
    assert grid_windows(slots) == [
        ["a", "2026-11-24", 480, 720, 300, False, True],
        ["c", "2026-11-24", 1170, 1230, 350, True, False],
    ]
