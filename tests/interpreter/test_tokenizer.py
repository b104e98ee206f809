from __future__ import annotations

import shlex
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.interpreter import CommandError, parse_command, tokenizer
from console.interpreter.tokenizer import tokenize


def words(line: str) -> list[str]:
    return [token.text for token in tokenize(line)]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("aws s3api list-buckets", ["aws", "s3api", "list-buckets"]),
        ("  aws \t s3api  ", ["aws", "s3api"]),
        ("--tags 'Key=a b,Value=c'", ["--tags", "Key=a b,Value=c"]),
        ("--query \"Buckets[?Name=='x']\"", ["--query", "Buckets[?Name=='x']"]),
        (r'"a \" b \\ c \n d"', ['a " b \\ c \\n d']),
        (r"a\ b c\'d", ["a b", "c'd"]),
        ("'it'\"'\"'s'", ["it's"]),
        ("--x=''", ["--x="]),
        ("''", [""]),
        ("a\\\nb", ["ab"]),
        ('"a\\\nb"', ["ab"]),
        ("aws s3api list-buckets # a comment", ["aws", "s3api", "list-buckets"]),
        ("--name a#b", ["--name", "a#b"]),
        ("'$HOME' '|' \"a|b\" 'x;y'", ["$HOME", "|", "a|b", "x;y"]),
        ('"$" "cost$" $', ["$", "cost$", "$"]),
        (
            "--query 'Reservations[].Instances[?State.Name==`running`]'",
            ["--query", "Reservations[].Instances[?State.Name==`running`]"],
        ),
    ],
)
def test_it_splits_words_like_a_posix_shell(line, expected):
    assert words(line) == expected


def test_it_keeps_where_each_word_and_character_came_from():
    line = "aws  --x 'a b'\"c\""
    tokens = tokenize(line)
    assert [(t.start, t.end) for t in tokens] == [(0, 3), (5, 8), (9, 17)]
    assert tokens[2].text == "a bc"
    assert [line[i] for i in tokens[2].offsets] == ["a", " ", "b", "c"]


@pytest.mark.parametrize(
    "line, position, fragment",
    [
        ("aws s3api list-buckets --query 'Buckets[", 31, "unterminated single quote"),
        ('aws --x "abc', 8, "unterminated double quote"),
        ("aws --x 'ok' \"abc'", 13, "unterminated double quote"),
        ("aws s3api list-buckets | jq .", 23, "unexpected '|'"),
        ("aws s3api list-buckets > out.json", 23, "unexpected '>'"),
        ("aws s3api list-buckets; ls", 22, "unexpected ';'"),
        ("aws s3api list-objects --bucket $BUCKET", 32, "does not expand shell variables"),
        ('aws s3api list-objects --bucket "${B}"', 33, "does not expand shell variables"),
        ("aws s3api list-objects --bucket `pwd`", 32, "unexpected '`'"),
        ("aws s3api list-buckets \\", 23, "ends with a backslash"),
    ],
)
def test_it_refuses_unclosed_quotes_and_shell_syntax_with_the_position(line, position, fragment):
    with pytest.raises(CommandError) as caught:
        tokenize(line)
    assert caught.value.position == position
    assert caught.value.exit_code == 252
    assert fragment in caught.value.message
    assert caught.value.message.endswith("\n")


def test_it_can_read_a_broken_line_leniently_for_redaction():
    tokens = tokenize("aws x --password 'abc def", lenient=True)
    assert [t.text for t in tokens] == ["aws", "x", "--password", "'abc def"]
    assert (tokens[-1].start, tokens[-1].end) == (17, 25)


@pytest.fixture
def cap_of_three() -> Iterator[None]:
    before = tokenizer.max_tokens()
    tokenizer.set_max_tokens(3)
    yield
    tokenizer.set_max_tokens(before)


def test_it_refuses_a_line_with_more_words_than_the_cap(cap_of_three):
    assert words("aws s3api list-buckets") == ["aws", "s3api", "list-buckets"]
    with pytest.raises(CommandError) as caught:
        tokenize("aws s3api list-buckets --x")
    assert caught.value.exit_code == 252
    assert caught.value.position == 23
    assert "more than 3 words (the limit is 3)" in caught.value.message
    assert [t.text for t in tokenize("aws s3api list-buckets # a b c d")] == ["aws", "s3api", "list-buckets"]


def test_it_keeps_the_words_past_the_cap_as_one_when_lenient(cap_of_three):
    tokens = tokenize("aws iam x --password hunter2 y", lenient=True)
    assert [t.text for t in tokens] == ["aws", "iam", "x", "--password hunter2 y"]


def test_it_refuses_a_line_of_100k_words_at_the_first_word_past_the_cap():
    head = "aws ec2 describe-instances --instance-ids "
    line = head + "i " * 100_000
    with pytest.raises(CommandError) as caught:
        parse_command(line)
    assert f"more than {tokenizer.DEFAULT_MAX_TOKENS} words" in caught.value.message
    assert caught.value.exit_code == 252
    # It stops where the first word past the cap begins, so the rest is never read
    # (reading all 100k words took about 1.5 s): the cost is bounded by the cap.
    words_before = tokenizer.DEFAULT_MAX_TOKENS - len(head.split())
    assert caught.value.position == len(head) + 2 * words_before


def test_it_refuses_a_wrong_cap():
    with pytest.raises(ValueError):
        tokenizer.set_max_tokens(0)


printable = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80)


@settings(max_examples=400)
@given(printable)
def test_it_never_crashes_and_positions_are_valid(line):
    try:
        tokens = tokenize(line)
    except CommandError as error:
        assert error.position is not None and 0 <= error.position < len(line)
        return
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(line)
        assert len(token.offsets) == len(token.text)
        assert all(token.start <= i < token.end for i in token.offsets)
        assert [line[i] for i in token.offsets] == list(token.text)
        previous_end = token.end


@settings(max_examples=400)
@given(printable)
def test_it_never_raises_when_lenient(line):
    for token in tokenize(line, lenient=True):
        assert 0 <= token.start < token.end <= len(line)


safe_words = st.lists(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="$`"),
        max_size=12,
    ),
    max_size=6,
)


@settings(max_examples=300)
@given(safe_words)
def test_it_reads_back_what_shlex_quote_writes(items):
    assert words(" ".join(shlex.quote(item) for item in items)) == items


@settings(max_examples=300)
@given(st.text(alphabet="ab '\"\\ \t", max_size=30))
def test_it_agrees_with_shlex_on_quoting(line):
    try:
        expected = shlex.split(line)
    except ValueError:
        with pytest.raises(CommandError):
            tokenize(line)
        return
    assert words(line) == expected
