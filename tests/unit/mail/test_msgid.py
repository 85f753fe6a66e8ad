"""Our own outgoing Message-IDs are signed with the database's key (MAIL-11)."""

from hypothesis import given
from hypothesis import strategies as st

from helpdesk_tui.mail.msgid import is_ours, sign_new

KEY = bytes(range(32))
OTHER = bytes(32)


def test_a_signed_id_is_ours_under_its_key_only() -> None:
    mid = sign_new("helpdesk.example", KEY)
    assert mid.startswith("hd.")
    assert mid.endswith("@helpdesk.example")
    assert is_ours(mid, KEY)
    assert is_ours(f"<{mid}>", KEY)
    assert is_ours(mid.upper(), KEY)  # a client that changes the case still threads
    assert not is_ours(mid, OTHER)  # another database's id, or a guess


def test_a_changed_token_or_signature_is_not_ours() -> None:
    mid = sign_new("helpdesk.example", KEY)
    local, _, domain = mid.partition("@")
    prefix, token, signature = local.split(".")
    swapped = "b" if token[0] != "b" else "c"
    assert not is_ours(f"{prefix}.{swapped}{token[1:]}.{signature}@{domain}", KEY)
    assert not is_ours(f"{prefix}.{token}.{signature[:-1]}@{domain}", KEY)
    assert not is_ours(f"{prefix}.{token}.{token}@{domain}", KEY)


def test_the_header_line_stays_short() -> None:
    mid = sign_new("helpdesk.example", KEY)
    assert len(f"Message-ID: <{mid}>") <= 78


@given(st.text(max_size=120))
def test_no_other_text_is_taken_for_ours(text: str) -> None:
    assert not is_ours(text, KEY)
