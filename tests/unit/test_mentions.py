"""ACT-3: which usernames a comment mentions (domain/mentions.py)."""

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.domain.mentions import mention_spans, mentioned, typing_mention
from helpdesk_tui.domain.people import USERNAME


def test_names_after_at_in_order_lower_case_once() -> None:
    assert mentioned("@Bob please ask @alice and @bob again") == ["bob", "alice"]


def test_nothing_mentioned() -> None:
    assert mentioned("") == []
    assert mentioned("no one here, just an @ sign and @@") == []


def test_addresses_are_not_mentions() -> None:
    text = "write to bob@example.com or @carol@example.org; cc x.y@alice.example"
    assert mentioned(text) == []


def test_paths_and_words_do_not_start_mentions() -> None:
    assert mentioned("see https://social.example/@dave and a+@erin, me=@frank") == []


def test_punctuation_ends_the_name() -> None:
    text = "(@alice), @bob: @carol! @dave? @erin. @frank's '@gina' \"@hank\" @ivan;"
    assert mentioned(text) == [
        "alice",
        "bob",
        "carol",
        "dave",
        "erin",
        "frank",
        "gina",
        "hank",
        "ivan",
    ]


def test_names_keep_inner_dots_dashes_and_underscores() -> None:
    assert mentioned("@anna.lee and @jo-ann, @x_y... @z.") == ["anna.lee", "jo-ann", "x_y", "z"]


def test_start_of_line_and_after_any_space() -> None:
    assert mentioned("@a\n@b\t@c\u00a0@d") == ["a", "b", "c", "d"]


def test_a_name_running_on_in_another_script_is_not_a_username() -> None:
    assert mentioned("@bobé and @ünter") == []


def test_too_long_is_not_a_username() -> None:
    assert mentioned("@" + "a" * 65) == []
    assert mentioned("@" + "a" * 64) == ["a" * 64]


def test_spans_point_at_the_text_as_written() -> None:
    text = "hi @Alice. and @bob"
    spans = mention_spans(text)
    assert [text[s.start : s.end] for s in spans] == ["@Alice", "@bob"]
    assert [s.username for s in spans] == ["alice", "bob"]


_names = st.from_regex(USERNAME, fullmatch=True).map(lambda n: n.rstrip(".")).filter(bool)
_filler = st.text(alphabet=" ,;:!?()\n\t", min_size=1, max_size=3)


@given(st.lists(st.tuples(_names, _filler), max_size=6), _filler)
def test_names_between_separators_are_found(pairs: list[tuple[str, str]], head: str) -> None:
    text = head + "".join(f"@{name}{sep}" for name, sep in pairs)
    assert mentioned(text) == list(dict.fromkeys(name for name, _ in pairs))


@given(st.text(max_size=80))
def test_any_text_gives_valid_unique_usernames(text: str) -> None:
    names = mentioned(text)
    assert len(names) == len(set(names))
    assert all(USERNAME.fullmatch(name) and not name.endswith(".") for name in names)
    for span in mention_spans(text):
        assert text[span.start] == "@"
        assert text[span.start + 1 : span.end].lower() == span.username


@given(_names, _names, st.sampled_from(["example.com", "x.org"]))
def test_an_address_never_mentions(local: str, other: str, domain: str) -> None:
    assert mentioned(f"{local}@{domain} @{other}@{domain}") == []


def test_a_mention_being_typed_is_found_at_the_cursor() -> None:
    assert typing_mention("please ask @al") == (11, "al")
    assert typing_mention("@B") == (0, "B")
    assert typing_mention("(@anna.l") == (1, "anna.l")


def test_nothing_is_being_typed_without_letters_or_in_an_address() -> None:
    assert typing_mention("ask @") is None
    assert typing_mention("ask @al ") is None
    assert typing_mention("mail bob@exam") is None
    assert typing_mention("see https://x.example/@dav") is None
    assert typing_mention("") is None
