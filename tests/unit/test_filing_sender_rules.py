"""Threading is bound to the sender (MAIL-11): the pure rules of domain/filing.decide."""

from collections.abc import Sequence

from helpdesk_tui.domain.filing import (
    CaseFacts,
    FiledBy,
    Filing,
    MailFacts,
    RoutingRule,
    decide,
)
from helpdesk_tui.domain.numbering import CaseNumber

CUSTOMER = "kunde@acme.example"
STRANGER = "evil@attacker.example"
SUPPORT = "support@helpdesk.example"
AGENT = "greta@helpdesk.example"
RULES = (RoutingRule("support", group="technical"),)
A, B = CaseNumber(1, 0), CaseNumber(2, 0)
OURS_ON_A = "hd.aaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb@helpdesk.example"

#: The customer's case: their mail `c1@acme`, our reply (sent from our address) on it.
CASE_A = CaseFacts(
    A,
    participants=frozenset({CUSTOMER, SUPPORT, AGENT}),
    message_ids=frozenset({"c1@acme.example", OURS_ON_A}),
    own_message_ids=frozenset({OURS_ON_A}),
)
#: The stranger's case, opened by a mail that reused the customer's Message-ID.
CASE_B = CaseFacts(
    B, participants=frozenset({STRANGER, SUPPORT}), message_ids=frozenset({"c1@acme.example"})
)


def mail(
    sender: str,
    *,
    tag: CaseNumber | None = None,
    references: tuple[str, ...] = (),
    signed: frozenset[str] = frozenset(),
) -> MailFacts:
    return MailFacts(
        mailbox="support",
        sender=sender,
        recipients=frozenset({SUPPORT}),
        subject="Re: Drucker",
        body="",
        tag=tag,
        references=references,
        noise=None,
        signed_references=signed,
    )


def file(
    facts: MailFacts, *, tagged: CaseFacts | None = None, threads: Sequence[CaseFacts] = ()
) -> Filing:
    return decide(
        facts,
        tagged=tagged,
        threads=threads,
        rules=RULES,
        own_addresses={SUPPORT},
        agent_addresses={AGENT},
    )


def test_a_reused_message_id_does_not_take_over_the_customers_replies() -> None:
    reply = mail(CUSTOMER, references=("c1@acme.example",))
    filing = file(reply, threads=[CASE_B, CASE_A])  # the stranger's mail is the newer one
    assert (filing.filed_by, filing.case) == (FiledBy.REFERENCES, A)


def test_references_from_someone_who_takes_part_in_no_named_case_are_ignored() -> None:
    filing = file(mail(STRANGER, references=("c1@acme.example",)), threads=[CASE_A])
    assert filing.filed_by is FiledBy.RULE  # a case of their own, not the customer's
    assert filing.reason == (
        f"References ignored: {STRANGER} takes part in no case they name; new case by rule support"
    )


def test_our_own_signed_message_id_threads_whoever_quotes_it() -> None:
    forwarded = mail(
        "kollegin@acme.example", references=(OURS_ON_A,), signed=frozenset({OURS_ON_A})
    )
    filing = file(forwarded, threads=[CASE_A])
    assert (filing.filed_by, filing.case) == (FiledBy.REFERENCES, A)


def test_a_signed_id_counts_only_on_the_case_we_sent_it_from() -> None:
    # our id, but stored on case B only as a stranger's incoming Message-ID
    clashing = CaseFacts(B, frozenset({STRANGER}), frozenset({OURS_ON_A}))
    facts = mail("kollegin@acme.example", references=(OURS_ON_A,), signed=frozenset({OURS_ON_A}))
    assert file(facts, threads=[clashing]).filed_by is FiledBy.RULE
    assert file(facts, tagged=clashing).case is None


def test_an_unsigned_copy_of_our_id_is_just_a_reference() -> None:
    facts = mail("kollegin@acme.example", references=(OURS_ON_A,))  # signature did not verify
    assert file(facts, threads=[CASE_A]).case is None


def test_a_tag_from_our_own_address_is_unverified_and_goes_to_the_inbox() -> None:
    filing = file(mail(SUPPORT, tag=A), tagged=CASE_A)
    assert filing.filed_by is FiledBy.UNFILED
    assert filing.case is None
    assert filing.rule is None
    assert filing.reason == (
        f"tag [{A}] unverified: sent from our own address {SUPPORT} without References "
        "to our Message-ID of the case"
    )


def test_a_tag_from_an_agents_address_is_unverified_and_goes_to_the_inbox() -> None:
    filing = file(
        mail(AGENT, tag=A, references=("c1@acme.example",)), tagged=CASE_A, threads=[CASE_A]
    )
    assert filing.filed_by is FiledBy.UNFILED
    assert filing.reason.startswith(f"tag [{A}] unverified: sent from an agent's address {AGENT}")


def test_a_tag_from_an_agent_is_verified_by_our_message_id_of_that_case() -> None:
    answer = mail(AGENT, tag=A, references=(OURS_ON_A,), signed=frozenset({OURS_ON_A}))
    filing = file(answer, tagged=CASE_A, threads=[CASE_A])
    assert (filing.filed_by, filing.case) == (FiledBy.TAG, A)
    assert filing.reason == f"case tag [{A}] confirmed by References"
    elsewhere = mail(AGENT, tag=B, references=(OURS_ON_A,), signed=frozenset({OURS_ON_A}))
    assert file(elsewhere, tagged=CASE_B, threads=[CASE_A]).filed_by is FiledBy.UNFILED


def test_staff_addresses_never_thread_by_a_customers_message_id() -> None:
    facts = mail(AGENT, references=("c1@acme.example",))
    filing = file(facts, threads=[CASE_A])
    assert filing.case is None


def test_the_customers_tag_still_files_onto_their_case() -> None:
    filing = file(mail(CUSTOMER, tag=A), tagged=CASE_A)
    assert (filing.filed_by, filing.case) == (FiledBy.TAG, A)
    assert filing.reason == f"case tag [{A}] from a participant"


def test_a_tag_confirmed_only_by_someone_elses_message_id_is_refused() -> None:
    facts = mail(STRANGER, tag=A, references=("c1@acme.example",))
    filing = file(facts, tagged=CASE_A, threads=[CASE_A])
    assert filing.case is None
    assert filing.reason.startswith(f"tag [{A}] ignored: {STRANGER} is not a participant; ")
