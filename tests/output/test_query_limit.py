"""A `--query` may build only so much: queries that double their result every few
characters stop while they grow, with memory bounded, and every other query answers
exactly as jmespath (and so the CLI) does."""

from __future__ import annotations

import tracemalloc

import jmespath
import pytest

from bench.formatting import in_memory_pages
from console.output import FormatError, OutputLimitExceeded, QueryTooLarge, format_response, stream_pages
from console.output.querylimit import bounded_search

LIMIT = 1 << 20
USERS = {
    "Users": [
        {"UserName": f"user-{index}", "Arn": f"arn:aws:iam::123456789012:user/user-{index}", "Tags": []}
        for index in range(40)
    ]
}
# The shape of the query that printed 18 MB in 3 s: each `[@,@][]` doubles a real list.
DOUBLING = "Users[*].[@,@][]" + "[@,@][]" * 20
# Each `[@,@]` doubles what the result means while sharing one value: tiny in memory.
SHARING = "Users[0]" + ".[@,@]" * 60


@pytest.mark.parametrize("output", ["json", "text", "table", "yaml", "yaml-stream"])
def test_it_stops_a_doubling_query_with_the_memory_it_may_use(output):
    tracemalloc.start()
    try:
        with pytest.raises(QueryTooLarge) as stopped:
            format_response(USERS, output, DOUBLING, query_limit=LIMIT)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * LIMIT
    assert stopped.value.limit == LIMIT
    assert "--query result grew past 1 MiB" in stopped.value.message


@pytest.mark.parametrize(
    "query", [SHARING, SHARING + " | to_string(@)", SHARING + " | join(',', [to_string(@)])"]
)
def test_it_measures_what_a_shared_value_means_before_printing_or_serializing_it(query):
    with pytest.raises(QueryTooLarge):
        format_response(USERS, "json", query, query_limit=LIMIT)


def test_it_stops_a_projection_that_walks_every_path_of_a_shared_value():
    query = "Users[0]" + ".[@,@]" * 40 + "[*]" * 40 + ".missing"
    with pytest.raises(QueryTooLarge):
        format_response(USERS, "json", query, query_limit=LIMIT)


def test_it_is_an_output_limit_that_ends_the_command_as_a_formatting_failure():
    assert issubclass(QueryTooLarge, OutputLimitExceeded)
    assert issubclass(OutputLimitExceeded, FormatError)  # the engine's exit code 255


def test_it_applies_the_limit_to_each_page_of_a_streamed_output():
    # One page's names fit in 800 bytes; both pages merged do not.
    printed = format_response(
        in_memory_pages([USERS, USERS], ["Users"]), "text", "Users[].UserName", query_limit=800
    )
    assert printed.count("user-") == 80
    with pytest.raises(QueryTooLarge):
        format_response(
            in_memory_pages([USERS, USERS], ["Users"]), "json", "Users[].UserName", query_limit=800
        )
    with pytest.raises(QueryTooLarge):
        list(stream_pages(in_memory_pages([USERS], ["Users"]), "text", DOUBLING, query_limit=LIMIT))


QUERIES = [
    "Users[].UserName",
    "Users[?starts_with(UserName, 'user-1')].{Name: UserName, Arn: Arn}",
    "Users[*].[UserName, Arn][]",
    "Users[].Tags[]",
    "*.UserName",
    "Users[0:5].UserName | sort(@) | reverse(@)",
    "length(Users)",
    "Users[].[UserName] | [][]",
    "max_by(Users, &UserName).UserName",
    "Users[*].nothing",
    "map(&UserName, Users)",
    "Users[?Tags].UserName",
    "Users[0] | keys(@)",
    "Users[0].*",
    "join(', ', Users[:3].UserName)",
]


@pytest.mark.parametrize("query", QUERIES)
def test_it_answers_every_other_query_exactly_as_jmespath(query):
    compiled = jmespath.compile(query)
    assert bounded_search(compiled, USERS, LIMIT) == compiled.search(USERS)


def test_it_lets_a_result_up_to_the_limit_through():
    wide = {"Items": [{"Name": "x" * 100} for _ in range(1000)]}  # about 110 KB as JSON
    printed = format_response(wide, "json", "Items[].Name", query_limit=200_000)
    assert printed.count('"xxx') == 1000
    with pytest.raises(QueryTooLarge):
        format_response(wide, "json", "Items[].[Name, Name][]", query_limit=200_000)
