"""Where an incoming mail belongs (MAIL-3, MAIL-4, MAIL-6, MAIL-7, ASSIGN-5) — pure rules.

The filing service gathers the facts (the case a subject tag names and who takes part in
it, the case the References point at, the routing rules) and this module decides. Every
decision carries the reason that the timeline shows ("why is this mail on this case?").

The tag check follows what osTicket got wrong: a number in a subject is a claim, not a
proof. A tag is accepted only when the sender already takes part in that case or the
References name one of our own (signed) Message-IDs of it; otherwise a stranger typing
`[#0001234]` could inject text into someone else's case.

Threading is bound to the sender too (MAIL-11). A Message-ID is chosen by whoever sends
the mail, so a second sender can reuse a customer's: a References match counts only on a
case the sender takes part in, or when it names our own outgoing Message-ID (signed with
the database's key, so unguessable and recognisable). Our own addresses and the agents'
are nobody's participants: case numbers are sequential and a From line is easily forged,
so a tag from them needs our Message-ID of that case and otherwise waits in the inbox.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from helpdesk_tui.domain.enums import Priority
from helpdesk_tui.domain.numbering import CaseNumber


class FiledBy(StrEnum):
    """How a mail found its place; stored with the mail and shown in the timeline."""

    TAG = "tag"  # the case tag in the subject, from a participant
    REFERENCES = "references"  # In-Reply-To/References name a mail of the case
    RULE = "rule"  # a routing rule created a new case
    UNFILED = "unfiled"  # waits in the unfiled inbox for a person
    MANUAL = "manual"  # an agent re-filed it
    DUPLICATE = "duplicate"  # seen before (another folder, a re-scan): stored once


@dataclass(frozen=True)
class RoutingRule:
    """ASSIGN-5: conditions (all given ones must hold) → what the new case gets.

    A rule without conditions matches every mail (a catch-all, usually last).
    `create_case=False` sends matching mail to the unfiled inbox instead.
    """

    name: str
    mailbox: str | None = None
    recipient: str | None = None
    sender_domain: str | None = None
    keywords: tuple[str, ...] = ()
    group: str | None = None
    user: str | None = None
    type_key: str | None = None
    priority: Priority | None = None
    create_case: bool = True

    def matches(self, mail: "MailFacts") -> bool:
        """Whether every condition this rule sets holds for `mail` (case-insensitive)."""
        if self.mailbox and self.mailbox.lower() != mail.mailbox.lower():
            return False
        if self.recipient and self.recipient.lower() not in mail.recipients:
            return False
        if self.sender_domain:
            domain = mail.sender.rpartition("@")[2]
            wanted = self.sender_domain.lower().lstrip("@")
            if domain != wanted and not domain.endswith("." + wanted):
                return False
        if self.keywords:
            haystack = f"{mail.subject}\n{mail.body}".lower()
            if not any(word.lower() in haystack for word in self.keywords):
                return False
        return True


@dataclass(frozen=True)
class MailFacts:
    """What the rules look at in a mail (addresses lower-cased)."""

    mailbox: str
    sender: str
    recipients: frozenset[str]
    subject: str
    body: str
    tag: CaseNumber | None
    references: tuple[str, ...]
    noise: str | None
    signed_references: frozenset[str] = frozenset()
    """The references that carry our signature: our own outgoing Message-IDs."""


@dataclass(frozen=True)
class CaseFacts:
    """A case a mail may join (named by its tag or holding a mail it references), and
    who may write to it."""

    number: CaseNumber
    participants: frozenset[str]
    """The contact and the senders and recipients of its mails (may include our own
    addresses: `decide` never counts those)."""
    message_ids: frozenset[str]  # Message-IDs of the mails on the case, in and out
    own_message_ids: frozenset[str] = frozenset()  # of those, the mails we sent


@dataclass(frozen=True)
class Filing:
    """The decision: onto a case, a new case by a rule, or the unfiled inbox; and why."""

    filed_by: FiledBy
    reason: str
    case: CaseNumber | None = None
    rule: RoutingRule | None = None

    @property
    def creates_case(self) -> bool:
        """A rule asks for a new case."""
        return self.filed_by is FiledBy.RULE


def decide(
    mail: MailFacts,
    *,
    tagged: CaseFacts | None,
    threads: Sequence[CaseFacts] = (),
    rules: Sequence[RoutingRule],
    own_addresses: Collection[str] = (),
    agent_addresses: Collection[str] = (),
) -> Filing:
    """File `mail`: tag (if the sender may), else References, else the first routing rule.

    `tagged` is the case the subject tag names (None if no tag or no such case);
    `threads` are the cases holding a mail that the References/In-Reply-To name, the
    preferred first (newest reference, newest mail). Noise (auto-replies, bounces, lists,
    bulk) still files onto a known case but never opens a new one: that is how mail
    loops start (MAIL-7).
    """
    staff = mail.sender in own_addresses or mail.sender in agent_addresses

    def takes_part(case: CaseFacts) -> bool:
        return bool(mail.sender) and not staff and mail.sender in case.participants

    def ours_on(case: CaseFacts) -> bool:
        return not mail.signed_references.isdisjoint(case.own_message_ids)

    refused = ""
    if tagged is not None:
        number = tagged.number
        if ours_on(tagged):
            return Filing(FiledBy.TAG, f"case tag [{number}] confirmed by References", number)
        if takes_part(tagged):
            return Filing(FiledBy.TAG, f"case tag [{number}] from a participant", number)
        if staff:
            whose = "our own address" if mail.sender in own_addresses else "an agent's address"
            return Filing(
                FiledBy.UNFILED,
                f"tag [{number}] unverified: sent from {whose} {mail.sender} without "
                "References to our Message-ID of the case",
            )
        refused = f"tag [{number}] ignored: {mail.sender or 'the sender'} is not a participant; "
    elif mail.tag is not None:
        refused = f"tag [{mail.tag}] names no case; "
    references = set(mail.references)
    for case in threads:
        if ours_on(case) or (takes_part(case) and not references.isdisjoint(case.message_ids)):
            return Filing(FiledBy.REFERENCES, refused + "In-Reply-To/References", case.number)
    if threads:
        refused += (
            f"References ignored: {mail.sender or 'the sender'} takes part in no case they name; "
        )
    if mail.noise is not None:
        return Filing(FiledBy.UNFILED, refused + f"{mail.noise.replace('_', ' ')}: no new case")
    if mail.sender in own_addresses:
        return Filing(FiledBy.UNFILED, refused + "sent from our own address: no new case")
    if not mail.sender:
        return Filing(FiledBy.UNFILED, refused + "no sender address: no new case")
    for rule in rules:
        if rule.matches(mail):
            if not rule.create_case:
                return Filing(
                    FiledBy.UNFILED, refused + f"rule {rule.name}: to the inbox", rule=rule
                )
            return Filing(FiledBy.RULE, refused + f"new case by rule {rule.name}", rule=rule)
    return Filing(FiledBy.UNFILED, refused + "no routing rule matched")


def case_subject(subject: str, limit: int = 250) -> str:
    """A mail subject as a case subject: one line, not empty, within the column's size."""
    line = " ".join(subject.split())
    if not line:
        return "(no subject)"
    return line if len(line) <= limit else line[: limit - 1] + "…"
