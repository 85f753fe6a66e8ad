"""Filing incoming mail (MAIL-2…4, MAIL-6): store each mail once and put it where it belongs.

`ingest` takes a batch of parsed mails from one server folder and, in ONE transaction,
stores the new ones (raw bytes included), files them — onto a case, into a new case by a
routing rule, or into the unfiled inbox — and advances the folder's sync state. A crash
anywhere before the commit leaves nothing behind; after it, everything is there once.

Agents move mail by hand too: `refile` puts a mail onto another case, `open_case` turns
an unfiled one into a case (MAIL-8).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from helpdesk_tui.domain.case import Actor, Case, Delegation, new_case
from helpdesk_tui.domain.csat import CsatRules
from helpdesk_tui.domain.errors import ConflictError, DomainError, NotFoundError, ValidationError
from helpdesk_tui.domain.filing import (
    CaseFacts,
    FiledBy,
    Filing,
    MailFacts,
    RoutingRule,
    case_subject,
    decide,
)
from helpdesk_tui.domain.numbering import CaseNumber, parse_case_number
from helpdesk_tui.domain.quoted import text_before_quote
from helpdesk_tui.mail.msgid import is_ours
from helpdesk_tui.mail.parse import ParsedMail
from helpdesk_tui.services.context import Context, retrying
from helpdesk_tui.services.csat import reply_rating
from helpdesk_tui.services.outbox import MailOut, acknowledge

if TYPE_CHECKING:
    from helpdesk_tui.storage.cases import Entry
    from helpdesk_tui.storage.mails import FolderState, MailToStore, NewMail
    from helpdesk_tui.storage.uow import UnitOfWork

#: What the mail system does by itself: no agent, so the case's initiator stays empty.
_SYSTEM = Actor(username="")


@dataclass(frozen=True)
class FilingSettings:
    """What filing needs from the configuration."""

    rules: tuple[RoutingRule, ...] = ()
    reopen_closed: bool = False
    own_addresses: frozenset[str] = frozenset()
    mail_out: MailOut | None = None
    """Outgoing mail; None = no acknowledgements of new cases (MAIL-5)."""
    max_attachment_size: int = 25 * 2**20
    """ACT-6: a larger attachment is kept as a stub with a note (`mail.max_attachment_size`)."""
    csat: CsatRules | None = None
    """`[csat]`: a customer's rating reply to a closed case is recorded, not reopening it."""


@dataclass(frozen=True)
class Incoming:
    """One fetched mail: where it came from, its bytes, and what the parser made of it."""

    uid: int
    raw: bytes
    parsed: ParsedMail


@dataclass(frozen=True)
class FolderBatch:
    """A batch from one folder, and the state the folder reaches once it is stored."""

    mailbox: str
    folder: str
    uidvalidity: int
    mails: Sequence[Incoming]
    reaches: FolderState | None = None


@dataclass(frozen=True)
class Filed:
    """What became of one mail."""

    uid: int
    mail_id: uuid.UUID
    filed_by: FiledBy
    reason: str
    case: CaseNumber | None = None
    new_case: bool = False
    failure: str | None = None
    """Why the mail could not be filed (it waits raw, with a defect, in the inbox)."""


@dataclass
class IngestResult:
    """What a batch did."""

    filed: list[Filed] = field(default_factory=list)

    @property
    def stored(self) -> int:
        """New mails stored (duplicates excluded)."""
        return sum(1 for f in self.filed if f.filed_by is not FiledBy.DUPLICATE)

    @property
    def failures(self) -> list[Filed]:
        """Mails stored with a filing failure (MAIL-10)."""
        return [f for f in self.filed if f.failure is not None]


def dedupe_key(mail: ParsedMail) -> str:
    """The identity of a message for exactly-once storage (MAIL-2).

    With a Message-ID: the id plus sender, subject and body, so the same message found in
    a second folder (other Received lines, other flags) is one mail, while two different
    mails that a broken mailer gave the same id are not merged. Without one: the bytes.
    """
    if not mail.message_id:
        return mail.content_hash
    digest = hashlib.sha256()
    for part in (mail.message_id, mail.from_email, mail.subject, mail.body_text):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def ingest(ctx: Context, settings: FilingSettings, batch: FolderBatch) -> IngestResult:
    """Store and file a batch exactly once, and advance the folder state with it.

    If an agent saved one of the cases meanwhile, the whole batch is done again. If
    anything else fails, the batch is done again one mail at a time (MAIL-10): a mail
    that cannot be filed, acknowledged or stored as parsed is stored raw, with a defect,
    in the unfiled inbox, and the batch commits all the same.
    """
    try:
        return retrying(ctx, lambda uow: _ingest(ctx, uow, settings, batch, one_by_one=False))
    except Exception:  # any error: find the mail(s) it belongs to
        # A database that is away fails again here, and that error goes to the caller.
        return retrying(ctx, lambda uow: _ingest(ctx, uow, settings, batch, one_by_one=True))


def _ingest(
    ctx: Context, uow: UnitOfWork, settings: FilingSettings, batch: FolderBatch, *, one_by_one: bool
) -> IngestResult:
    """Store and file the batch; `one_by_one`: each mail in a savepoint of its own, so a
    failing one is kept raw (MAIL-10) while the others are filed."""
    result = IngestResult()
    keys = {m.uid: _key(m) for m in batch.mails}
    known = uow.mails.known(set(keys.values()))
    writer = None if one_by_one else _BatchWriter(ctx, uow, settings, batch.mailbox, batch.mails)
    seen: list[tuple[int, uuid.UUID]] = []
    for incoming in batch.mails:
        key = keys[incoming.uid]
        existing = known.get(key)
        if existing is not None:
            filed = Filed(incoming.uid, existing, FiledBy.DUPLICATE, "stored before")
        elif writer is not None:
            filed = writer.file(incoming, key)
        else:
            filed = _file_alone(ctx, uow, settings, batch.mailbox, incoming, key)
        known[key] = filed.mail_id
        seen.append((incoming.uid, filed.mail_id))
        result.filed.append(filed)
    if writer is not None:
        writer.flush()
    _classify_new(uow, settings, batch, result)
    uow.mails.mark_seen(batch.mailbox, batch.folder, batch.uidvalidity, seen)
    if batch.reaches is not None:
        uow.mails.save_folder_state(batch.mailbox, batch.folder, batch.reaches, ctx.clock())
    return result


def _classify_new(
    uow: UnitOfWork, settings: FilingSettings, batch: FolderBatch, result: IngestResult
) -> None:
    """MAIL-8: new mail of a sender with a remembered class (or from our own domain)
    arrives classified."""
    from helpdesk_tui.services.conversations import classify_new

    senders = {m.uid: m.parsed.from_email for m in batch.mails}
    new = [(f.mail_id, senders[f.uid]) for f in result.filed if f.filed_by is not FiledBy.DUPLICATE]
    classify_new(uow, settings.own_addresses, new)


def _file_alone(
    ctx: Context,
    uow: UnitOfWork,
    settings: FilingSettings,
    mailbox: str,
    incoming: Incoming,
    key: str,
) -> Filed:
    """One mail filed in a savepoint; if that fails for any reason, stored raw instead."""
    try:
        with uow.savepoint():
            writer = _BatchWriter(ctx, uow, settings, mailbox, [incoming])
            filed = writer.file(incoming, key)
            writer.flush()
            return filed
    except ConflictError:  # an agent saved a case meanwhile: the batch again
        raise
    except Exception as error:  # whatever it is, it is this mail's
        return _store_failed(ctx, uow, mailbox, incoming, key, error, settings.max_attachment_size)


def _key(incoming: Incoming) -> str:
    try:
        return dedupe_key(incoming.parsed)
    except Exception:  # text the key cannot take: the bytes identify it
        return hashlib.sha256(incoming.raw).hexdigest()


def _store_failed(
    ctx: Context,
    uow: UnitOfWork,
    mailbox: str,
    incoming: Incoming,
    key: str,
    error: Exception,
    limit: int,
) -> Filed:
    """Store a mail that could not be filed in the unfiled inbox, its failure as a defect:
    as parsed if the database takes that, else its raw bytes with only the defect."""
    from helpdesk_tui.storage.mails import NewMail  # lazy: storage loads SQLAlchemy

    failure = failure_text(error)
    note = f"filing failed: {failure}"
    try:
        with uow.savepoint():
            parsed = _new_mail(ctx, mailbox, incoming, key, uow, limit)
            record = replace(parsed, defects=[*parsed.defects, note])
            mail_id = uow.mails.add(record, case_id=None, filed_by=FiledBy.UNFILED.value, note=note)
    except ConflictError:
        raise
    except Exception as second:  # the parsed text itself is refused
        note = f"{note}; stored raw only: {failure_text(second)}"
        bare = NewMail(
            dedupe_key=key, raw=incoming.raw, message_id=None, mailbox=mailbox,
            received_at=ctx.clock(), sent_at=None, subject="", from_email="", from_name="",
            recipients={}, references=[], body_text="", quote_start=None, attachments=[],
            defects=[note], noise=None,
        )  # fmt: skip
        with uow.savepoint():
            mail_id = uow.mails.add(bare, case_id=None, filed_by=FiledBy.UNFILED.value, note=note)
    return Filed(incoming.uid, mail_id, FiledBy.UNFILED, note, failure=failure)


def failure_text(error: BaseException, limit: int = 300) -> str:
    """An error as one short line of plain text (its message may quote the mail)."""
    text = f"{type(error).__name__}: {error}"
    text = "".join(c if c.isprintable() else " " for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _BatchWriter:
    """Files the mails of one batch with a few statements instead of a dozen per mail.

    The facts the rules need (cases named by tags, cases holding referenced Message-IDs,
    who takes part in them, which references are our own signed ids, the agents'
    addresses, known contacts) are read for the whole batch up front and kept current as
    mails are filed, so a reply later in the same batch finds the case an earlier mail
    opened.
    Everything is buffered and written together (`flush`): new cases with their entries,
    the mails, and the existing cases that mail changed — each loaded once (the cases the
    batch may reach are read up front), changed through the aggregate, saved once.
    """

    def __init__(
        self,
        ctx: Context,
        uow: UnitOfWork,
        settings: FilingSettings,
        mailbox: str,
        mails: Sequence[Incoming],
    ) -> None:
        self._ctx, self._uow, self._settings, self._mailbox = ctx, uow, settings, mailbox
        self._facts = {m.uid: _facts(mailbox, m.parsed) for m in mails}
        tags = [f.tag for f in self._facts.values() if f.tag is not None]
        refs = [r for f in self._facts.values() for r in f.references]
        if refs:  # MAIL-11: which references are Message-IDs we signed
            key = uow.mails.message_id_key()
            self._facts = {
                uid: replace(
                    f, signed_references=frozenset(r for r in f.references if is_ours(r, key))
                )
                for uid, f in self._facts.items()
            }
        self._by_message = uow.mails.threads_of(refs)
        threaded = {n for cases in self._by_message.values() for n in cases}
        self._cases = uow.mails.case_facts({*tags, *threaded})
        self._agents = uow.mails.agent_addresses()
        uow.directory.prefetch_contacts(f.sender for f in self._facts.values() if f.sender)
        self._numbers = uow.cases.number_block()
        reachable = set(self._cases)
        self._loaded = uow.cases.get_many(sorted(reachable, key=lambda n: (n.main, n.sub)))
        self._new_cases: dict[CaseNumber, tuple[Case, list[Entry]]] = {}
        self._changed: dict[CaseNumber, tuple[Case, list[Entry]]] = {}
        self._mails: list[MailToStore] = []
        self._acks: list[tuple[Case, NewMail]] = []  # new cases to acknowledge (MAIL-5)

    def file(self, incoming: Incoming, key: str) -> Filed:
        """Decide where one mail goes and buffer (or write) it there."""
        facts = self._facts[incoming.uid]
        threads = dict.fromkeys(  # newest reference first, each one's newest mail first
            number for r in reversed(facts.references) for number in self._by_message.get(r, ())
        )
        filing = decide(
            facts,
            tagged=self._cases.get(facts.tag) if facts.tag else None,
            threads=[self._cases[n] for n in threads if n in self._cases],
            rules=self._settings.rules,
            own_addresses=self._settings.own_addresses,
            agent_addresses=self._agents,
        )
        record = _new_mail(
            self._ctx, self._mailbox, incoming, key, self._uow, self._settings.max_attachment_size
        )
        if filing.case is not None:
            filed = self._onto_case(incoming, record, filing, filing.case)
        elif filing.creates_case:
            filed = self._new_case(incoming, record, filing)
        else:
            mail_id = uuid.uuid4()
            self._mails.append(self._to_store(mail_id, record, None, FiledBy.UNFILED, filing))
            filed = Filed(incoming.uid, mail_id, FiledBy.UNFILED, filing.reason)
        self._learn(facts, record, filed)
        return filed

    @staticmethod
    def _to_store(
        mail_id: uuid.UUID,
        record: NewMail,
        case_id: uuid.UUID | None,
        filed_by: FiledBy,
        filing: Filing,
    ) -> MailToStore:
        """The mail as stored: filed by `filed_by`, noted with the reason of the filing."""
        from helpdesk_tui.storage.mails import MailToStore  # lazy: storage loads SQLAlchemy

        return MailToStore(mail_id, record, case_id, filed_by.value, filing.reason)

    def _learn(self, facts: MailFacts, record: NewMail, filed: Filed) -> None:
        """Later mails of the batch may answer this one or carry its case's tag."""
        if filed.case is None:
            return
        if record.message_id:
            cases = self._by_message.get(record.message_id, [])
            self._by_message[record.message_id] = [filed.case, *cases]  # the newest first
        known = self._cases.get(filed.case)
        participants = {facts.sender, *facts.recipients} - {""}
        ids = {record.message_id} if record.message_id else set()
        if known is None:
            self._cases[filed.case] = CaseFacts(filed.case, frozenset(participants), frozenset(ids))
        else:
            self._cases[filed.case] = replace(
                known,
                participants=known.participants | participants,
                message_ids=known.message_ids | ids,
            )

    def _new_case(self, incoming: Incoming, record: NewMail, filing: Filing) -> Filed:
        """MAIL-4: subject → subject, body → description, sender → contact (matched or new)."""
        rule = filing.rule
        assert rule is not None
        now = self._ctx.clock()
        directory = self._uow.directory
        contact = directory.ensure_contact(record.from_email, record.from_name)
        description = _new_text(record)
        case, created = new_case(
            policy=self._ctx.policy,
            actor=_SYSTEM,
            now=now,
            subject=case_subject(record.subject),
            contact=contact.email,
            delegation=Delegation(user=rule.user, group=rule.group),
            type_key=rule.type_key,
            priority=rule.priority,
            description=description.strip(),
            account=directory.account_name(contact.account_id),
        )
        case.number = self._numbers.take()
        mail_id = uuid.uuid4()
        # The timeline shows the mail from its stored row; the entry's text is what search
        # indexes, and the description already holds this mail's words.
        drafts = [created, *case.receive_mail(now, "", reopen=False)]
        self._new_cases[case.number] = (case, [(draft, mail_id) for draft in drafts])
        self._mails.append(self._to_store(mail_id, record, case.id, FiledBy.RULE, filing))
        if self._settings.mail_out is not None:
            self._acks.append((case, record))
        return Filed(incoming.uid, mail_id, FiledBy.RULE, filing.reason, case.number, new_case=True)

    def _onto_case(
        self, incoming: Incoming, record: NewMail, filing: Filing, number: CaseNumber
    ) -> Filed:
        """The mail joins the case's timeline: a case opened earlier in this batch before
        it is written, an existing one in memory, saved once at `flush`."""
        settings = self._settings
        if number in self._new_cases:
            case, entries = self._new_cases[number]
        elif number in self._changed:
            case, entries = self._changed[number]
        else:
            case = self._loaded.get(number) or self._uow.cases.get(number)
            case, entries = self._changed.setdefault(number, (case, []))
        now = self._ctx.clock()
        mail_id = uuid.uuid4()
        rating = reply_rating(self._uow, settings.csat, case, record, now)  # CSAT
        reopen = settings.reopen_closed and rating is None
        drafts = case.receive_mail(now, _new_text(record), reopen=reopen)
        rated = case.rate(now, rating) if rating is not None else None
        drafts += [rated] if rated is not None else []
        entries.extend((draft, mail_id) for draft in drafts)
        self._mails.append(self._to_store(mail_id, record, case.id, filing.filed_by, filing))
        # Who is told (the delegate of a closed case: MAIL-6) is decided at commit, from
        # the entries written: services/notifications.py.
        return Filed(incoming.uid, mail_id, filing.filed_by, filing.reason, number)

    def flush(self) -> None:
        """Write the new cases (with their entries), the mails and the changed cases."""
        uow = self._uow
        uow.cases.add_many(list(self._new_cases.values()))
        uow.mails.add_many(self._mails)
        uow.cases.save_many(list(self._changed.values()), self._ctx.clock())
        self._numbers.close()
        self._new_cases, self._changed, self._mails = {}, {}, []
        mail_out, acks, self._acks = self._settings.mail_out, self._acks, []
        for case, record in acks:  # MAIL-5: in this same transaction, never to noise (MAIL-7)
            assert mail_out is not None
            acknowledge(uow, mail_out, self._ctx.clock(), case, record)


def refile(ctx: Context, actor_name: str, mail_id: uuid.UUID, number: CaseNumber) -> None:
    """An agent moves a mail (and its timeline entry) to another case (MAIL-3)."""

    def work(uow: UnitOfWork) -> None:
        actor = uow.directory.actor(actor_name)
        row = uow.mails.get(mail_id)
        if row is None:
            raise NotFoundError(f"no mail {mail_id}")
        case = uow.cases.get(number)
        note = f"re-filed by {actor.username}"
        if row.case_id is None:
            now = ctx.clock()
            new_part = text_before_quote(row.body_text, row.quote_start)
            drafts = case.receive_mail(now, new_part.strip(), reopen=False)
            uow.mails.file(mail_id, case.id, FiledBy.MANUAL, note)
            uow.cases.save(case, actor, now, drafts, mail_id=mail_id)
        else:
            uow.mails.file(mail_id, case.id, FiledBy.MANUAL, note)

    retrying(ctx, work)


def open_case(
    ctx: Context,
    actor_name: str,
    mail_id: uuid.UUID,
    *,
    user: str | None = None,
    group: str | None = None,
) -> CaseNumber:
    """An agent turns an unfiled mail into a case of their own (MAIL-8): subject, body and
    sender become the case as for a rule's new case (MAIL-4), and the mail its first entry.
    `user` / `group`: delegate it there instead (`helpdesk mail open-case --group`)."""

    def work(uow: UnitOfWork) -> CaseNumber:
        actor = uow.directory.actor(actor_name)
        row = uow.mails.get(mail_id)
        if row is None:
            raise NotFoundError(f"no mail {mail_id}")
        if row.case_id is not None:
            raise ValidationError("the mail is on a case already; re-file it from there")
        if not row.from_email:
            raise ValidationError("the mail has no sender address: file it onto a case instead")
        contact = uow.directory.ensure_contact(row.from_email, row.from_name)
        now = ctx.clock()
        new_part = text_before_quote(row.body_text, row.quote_start)
        case, created = new_case(
            policy=ctx.policy,
            actor=actor,
            now=now,
            subject=case_subject(row.subject),
            contact=contact.email,
            delegation=(
                Delegation(user=user, group=group)
                if user or group
                else Delegation(user=actor.username)
            ),
            description=new_part.strip(),
            account=uow.directory.account_name(contact.account_id),
        )
        drafts = [created, *case.receive_mail(now, "", reopen=False)]
        number = uow.cases.add(case, actor, now, drafts, mail_id=mail_id)
        note = f"opened as a case by {actor.username}"
        if not uow.mails.file(mail_id, case.id, FiledBy.MANUAL, note, only_unfiled=True):
            raise ValidationError("someone filed the mail meanwhile")  # rolls the case back
        return number

    return retrying(ctx, work)


def _new_text(record: NewMail) -> str:
    """What a mail adds (its quoted history left out): the text search indexes."""
    return text_before_quote(record.body_text, record.quote_start).strip()


def _facts(mailbox: str, mail: ParsedMail) -> MailFacts:
    tag: CaseNumber | None = None
    if mail.case_number:
        try:
            tag = parse_case_number(mail.case_number)
        except DomainError:  # a tag-shaped string that is no case number is just text
            tag = None
    references = tuple(
        dict.fromkeys([*mail.references, *([mail.in_reply_to] if mail.in_reply_to else [])])
    )
    return MailFacts(
        mailbox=mailbox,
        sender=mail.from_email.lower(),
        recipients=frozenset(a.lower() for a in (*mail.to, *mail.cc)),
        subject=mail.subject,
        body=mail.body_text,
        tag=tag,
        references=references,
        noise=mail.noise,
    )


def _new_mail(
    ctx: Context, mailbox: str, incoming: Incoming, key: str, uow: UnitOfWork, limit: int
) -> NewMail:
    from helpdesk_tui.services.attachments import incoming_parts, store_parts
    from helpdesk_tui.storage.mails import NewMail  # lazy: storage loads SQLAlchemy

    mail = incoming.parsed
    # ACT-6: each attachment's bytes stored once (by SHA-256), or a stub over the limit
    attachments, rows = store_parts(uow, incoming_parts(incoming.raw, mail.attachments), limit)
    return NewMail(
        dedupe_key=key,
        raw=incoming.raw,
        message_id=mail.message_id,
        mailbox=mailbox,
        received_at=ctx.clock(),
        sent_at=mail.date,
        subject=mail.subject,
        from_email=mail.from_email.lower(),
        from_name=mail.from_name,
        recipients={"to": list(mail.to), "cc": list(mail.cc)},
        references=[*([mail.in_reply_to] if mail.in_reply_to else []), *mail.references],
        body_text=mail.body_text,
        quote_start=mail.quote_start,
        attachments=attachments,
        defects=list(mail.defects),
        noise=mail.noise,
        stored_attachments=rows,
    )
