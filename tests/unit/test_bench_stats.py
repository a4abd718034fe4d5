"""siocli.modes.bench: percentiles, histogram buckets and the `bench` summary record."""

import json

import pytest

from siocli import records
from siocli.modes.bench import (
    HISTOGRAM_MAX_BUCKETS,
    Tally,
    bucket_bounds,
    histogram,
    percentile,
    summary_record,
)
from siocli.settings import BenchSettings

BENCH_FIELDS = ["type", "ts", "namespace", "mode", "event", "transport", "concurrency",
                "number", "duration", "sent", "completed", "timeouts", "errors", "seconds",
                "per_second", "latency_ms", "histogram", "stopped"]


def settings(**options):
    return BenchSettings.from_options({"url": "http://127.0.0.1:1", "call": "echo 1",
                                       **options})


def test_percentiles_are_nearest_rank():
    ordered = list(range(1, 101))
    assert percentile(ordered, 50) == 50
    assert percentile(ordered, 90) == 90
    assert percentile(ordered, 99) == 99
    assert percentile(ordered, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([1, 2], 50) == 1


@pytest.mark.parametrize("low,high", [(0.012, 0.05), (0.5, 0.6), (1.0, 1.0), (0.3, 4000.0),
                                      (2.0, 2.1), (1e-6, 1e-5), (99.9, 100.1), (0.8, 123456.0)])
def test_buckets_cover_the_range_with_few_preferred_bounds(low, high):
    bounds = bucket_bounds(low, high)
    assert bounds == sorted(bounds)
    assert len(set(bounds)) == len(bounds)
    assert 1 <= len(bounds) - 1 <= HISTOGRAM_MAX_BUCKETS
    assert bounds[0] <= max(low, 1e-4)
    assert bounds[-1] > high


def test_histogram_counts_every_latency_once():
    values = sorted([0.51, 0.52, 0.7, 0.9, 1.0, 1.0, 2.5, 30.0])
    buckets = histogram(values)
    assert sum(bucket["count"] for bucket in buckets) == len(values)
    for bucket in buckets:
        inside = [v for v in values if bucket["from_ms"] <= v < bucket["to_ms"]]
        assert bucket["count"] == len(inside)
    assert histogram([]) == []


def test_the_summary_record_has_its_fields_in_order_and_is_json():
    tally = Tally()
    tally.latencies.extend([0.001, 0.002, 0.003, 0.010])
    tally.sent, tally.completed, tally.timeouts = 5, 4, 1
    tally.started, tally.ended = 100.0, 102.0
    record = summary_record(settings(number=5, concurrency=2), tally, "websocket", None)
    assert list(record) == BENCH_FIELDS
    assert record["type"] == "bench" and "bench" in records.RECORD_TYPES
    assert record["mode"] == "call" and record["event"] == "echo"
    assert (record["number"], record["duration"], record["concurrency"]) == (5, None, 2)
    assert (record["sent"], record["completed"], record["timeouts"]) == (5, 4, 1)
    assert record["seconds"] == 2.0 and record["per_second"] == 2.0
    assert record["latency_ms"] == {"min": 1.0, "mean": 4.0, "p50": 2.0, "p90": 10.0,
                                    "p99": 10.0, "max": 10.0}
    assert sum(bucket["count"] for bucket in record["histogram"]) == 4
    assert json.loads(records.to_json(record)) == record


def test_a_run_that_completed_nothing_has_no_latency():
    tally = Tally()
    record = summary_record(settings(duration=1.0), tally, None, "interrupted")
    assert record["latency_ms"] is None and record["histogram"] == []
    assert record["per_second"] is None and record["stopped"] == "interrupted"
    assert record["number"] is None and record["duration"] == 1.0
