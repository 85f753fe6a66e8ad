"""The fuzzy picker behind the delegate, sub-case and canned-response dialogs."""

from helpdesk_tui.widgets.fuzzy_picker import ranked

CHOICES = [
    ("user:alice", "alice (user)"),
    ("user:bob", "bob (user)"),
    ("group:billing", "billing (group)"),
    ("group:[b]x[/b]", "[bold red]evil[/] (group)"),
]


def test_empty_query_keeps_every_choice_in_order() -> None:
    assert [key for key, _ in ranked("", CHOICES)] == [key for key, _ in CHOICES]


def test_letters_filter_and_rank_best_first() -> None:
    keys = [key for key, _ in ranked("bil", CHOICES)]
    assert keys[0] == "group:billing"
    assert "user:alice" not in keys
    assert next(key for key, _ in ranked("bo", CHOICES)) == "user:bob"


def test_labels_stay_literal_text_with_highlighted_letters() -> None:
    (key, label), *_ = ranked("evil", CHOICES)
    assert key == "group:[b]x[/b]"
    assert label.plain == "[bold red]evil[/] (group)"  # markup is shown, not applied
    highlighted = {label.plain[span.start : span.end] for span in label.spans}
    assert highlighted == {"e", "v", "i", "l"}
