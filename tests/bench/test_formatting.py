"""The formatting cost the benchmark reports: a 10,000-item paginated result as text and
table must not show in the console's latency."""

from __future__ import annotations

from bench.formatting import in_memory_pages, sample_pages, time_formatting
from console.output import format_response


def test_it_formats_ten_thousand_items_quickly():
    timings = time_formatting(items=10_000, page_size=1_000)
    assert set(timings) == {"text", "table"}
    assert timings["text"]["first"] < timings["text"]["total"] < 5
    assert timings["table"]["total"] < 10


def test_it_formats_the_benchmark_result_completely():
    printed = format_response(in_memory_pages(sample_pages(2_500, 1_000)), "text")
    assert printed.count("ITEMS\t") == printed.count("\nTAGS\tName\tweb-") == 2_500
    assert printed.endswith("TAGS\tName\tweb-2499\n")
