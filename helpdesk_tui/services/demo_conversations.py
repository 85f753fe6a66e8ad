"""The demo's conversations inbox (MAIL-8): after the sample mail is filed, an agent has
classified part of it by sender, so the weekly-review counters show something real.

- the whole domain of Krüger Elektrotechnik is remembered as a customer (its mails show
  "classified by rule (domain krueger-elektrotechnik.de)");
- the Bürowelt newsletter is remembered per address; the toner supplier per domain;
- the look-alike "billing" mail is advertising (classified by the agent alone);
- auto-replies and the bounce are archived;
- a few mails were opened (read); the rest — the webinar invitation (suggested
  newsletter), customers' questions — waits unclassified for the weekly review.
Mail from our own domain (helpdesk.example) arrived Internal by itself.
"""

import uuid

from helpdesk_tui.domain.mail_query import MailFilter
from helpdesk_tui.services import conversations
from helpdesk_tui.services.context import Context
from helpdesk_tui.storage.reads import open_reads

#: (sender, class, account, remember): the classifications the demo's agent made.
DEMO_CLASSIFIED = (
    ("f.engel@krueger-elektrotechnik.de", "customer", "Krüger Elektrotechnik GmbH", "domain"),
    ("news@buerowelt-versand.example", "newsletter", None, "address"),
    ("versand@tonerhaus-mueller.example", "supplier", None, "domain"),
    ("billing@lookalike-payments.invalid", "advertising", None, None),
)
#: Senders whose mail is archived (auto-replies, a bounce: nothing to do).
DEMO_ARCHIVED = (
    "k.franke@wagner-kunststoff.de",
    "olivia.wright@thornbury-logistics.co.uk",
    "mailer-daemon@mx.helpdesk.example",
)
#: Senders whose mail an agent opened.
DEMO_READ = (
    "kgarcia@greenfield-office.co.uk",
    "afuchs@keller-bueroservice.de",
    "joerg.moser@tiroler-bergsport.at",
)


def classify_demo_mails(ctx: Context, agent: str) -> None:
    """Classify, archive and open the demo's mail as `agent` did over the last weeks."""
    for sender, mail_class, account, remember in DEMO_CLASSIFIED:
        ids = _mails_of(ctx, sender)
        if not ids:
            continue
        if remember == "domain":
            conversations.classify(
                ctx, agent, ids[:1], mail_class, account=account, remember="domain"
            )
        elif remember == "address":
            conversations.classify(
                ctx, agent, ids[:1], mail_class, account=account, remember="address"
            )
        else:
            conversations.classify(ctx, agent, ids, mail_class, account=account)
    archived = [mail_id for sender in DEMO_ARCHIVED for mail_id in _mails_of(ctx, sender)]
    conversations.archive(ctx, agent, archived)
    for sender in DEMO_READ:
        for mail_id in _mails_of(ctx, sender):
            conversations.open_mail(ctx, agent, mail_id)


def _mails_of(ctx: Context, sender: str) -> list[uuid.UUID]:
    with open_reads(ctx.location) as store:
        items = store.conversations.page(MailFilter(sender=sender), now=ctx.clock(), limit=50)
    return [item.id for item in items]
