"""Configuration: one TOML file, `HELPDESK_*` environment overrides, built-in defaults.

Loaded once at the entry point and passed down. Unknown keys are errors that name the
key (`extra="forbid"`), so a typo never silently does nothing.

`Settings` is a plain pydantic model; `config_loading.load_settings` reads the file and
the environment into it.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from helpdesk_tui.domain.calendar import (
    BusinessCalendar,
    closed_dates,
    machine_zone,
    parse_duration,
    parse_hours,
)
from helpdesk_tui.domain.csat import (
    DEFAULT_REQUEST,
    DEFAULT_WINDOW,
    CsatRules,
    check_request,
    parse_window,
)
from helpdesk_tui.domain.dates import DateDefaults
from helpdesk_tui.domain.enums import Priority, Role, Status
from helpdesk_tui.domain.errors import DomainError
from helpdesk_tui.domain.filing import RoutingRule
from helpdesk_tui.domain.policy import (
    DEFAULT_CASE_TYPES,
    CaseType,
    Policy,
    Transition,
    Workflow,
    default_workflow,
    parse_roles,
)
from helpdesk_tui.domain.sla import Escalation, SlaPolicy, SlaRules, parse_escalation
from helpdesk_tui.domain.templates import CannedResponse, check_template

RoleName = Literal["agent", "lead", "admin"]
StatusName = Literal["open", "in_progress", "waiting", "closed"]
TlsMode = Literal["ssl", "starttls", "none"]
PriorityName = Literal["low", "normal", "high", "urgent"]


def _check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise ValueError(f"port {port} is not a TCP port (1 to 65535)")
    return port


Port = Annotated[int, AfterValidator(_check_port)]


def _check_plain_tls(where: str, host: str, tls: str) -> None:
    """tls = "none" sends the password in clear: loopback only (tests, a local relay)."""
    if tls != "none":
        return
    from helpdesk_tui.mail.imap import is_loopback  # lazy: imapclient, only for "none"

    if not is_loopback(host):
        raise ValueError(
            f'{where}: tls = "none" is only allowed for a loopback host '
            f"(127.0.0.1, ::1, localhost), not {host!r}; use ssl or starttls"
        )


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class UserConfig(_Section):
    """An agent."""

    username: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    """Login name, lowercase; used with `--as`."""
    name: str = ""
    """Display name."""
    email: str = ""
    """Address for notifications."""
    role: RoleName = "agent"
    """agent, lead or admin (SEC-3)."""


class GroupConfig(_Section):
    """A team cases can be delegated to."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,63}$")
    """Short name used in queries (`group:billing`)."""
    title: str = ""
    """Display name."""
    lead: str | None = None
    """Username of the team lead; must be a member."""
    members: list[str] = []
    """Usernames of the members."""


class CaseTypeConfig(_Section):
    """A case type (CASE-2)."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    """Stored and typed name (`type:complaint`)."""
    label: str = ""
    """Display name."""
    fields: list[str] = []
    """Names of custom fields this type adds."""


class CasesConfig(_Section):
    """Case types and defaults."""

    types: list[CaseTypeConfig] = [
        CaseTypeConfig(key=t.key, label=t.label) for t in DEFAULT_CASE_TYPES
    ]
    """The case types; the defaults are general, ticket, complaint."""
    default_type: str = "ticket"
    """Type of a case created without one."""
    default_priority: Literal["low", "normal", "high", "urgent"] = "normal"
    """Priority of a case created without one."""
    priority_labels: dict[Literal["low", "normal", "high", "urgent"], str] = {}
    """Display names of the priorities (the keys are fixed)."""

    @model_validator(mode="after")
    def _default_type_exists(self) -> "CasesConfig":
        if self.default_type not in {t.key for t in self.types}:
            raise ValueError(f"default_type {self.default_type!r} is not one of the types")
        return self


class DatesConfig(_Section):
    """Default deadlines (CASE-4)."""

    due_days: int = Field(default=14, ge=0, le=3650)
    """Days from creation to the due date."""
    reminder_days: int = Field(default=7, ge=0, le=3650)
    """Days from creation to the reminder date; at most due_days."""

    @model_validator(mode="after")
    def _reminder_not_after_due(self) -> "DatesConfig":
        if self.reminder_days > self.due_days:
            raise ValueError("reminder_days must not be more than due_days")
        return self


class TransitionConfig(_Section):
    """One allowed status change."""

    source: StatusName = Field(alias="from")
    """Status the case is in."""
    target: StatusName = Field(alias="to")
    """Status it may move to."""
    roles: list[RoleName] = ["agent", "lead", "admin"]
    """Roles allowed to make the change."""


class WorkflowConfig(_Section):
    """Statuses and allowed transitions (CASE-4, CASE-7)."""

    status_labels: dict[StatusName, str] = {}
    """Display names of the statuses (the keys are fixed: views and rules use them)."""
    transitions: list[TransitionConfig] | None = None
    """Allowed changes; omitted = the default workflow (only leads/admins reopen)."""
    delete_roles: list[RoleName] = ["lead", "admin"]
    """Roles that may delete cases (CASE-9)."""


class MailAccountConfig(_Section):
    """An IMAP mailbox to poll (MAIL-1)."""

    name: str
    """Short name, shown in the status line."""
    host: str
    """IMAP server."""
    port: Port = 993
    """IMAP port."""
    tls: TlsMode = "ssl"
    """ssl (default), starttls, or none (loopback/tests only)."""
    username: str
    """Login name."""
    password_command: str | None = None
    """Command printing the password (SEC-1: never a plain password here)."""
    keyring_service: str | None = None
    """Or: the keyring service holding the password."""
    folders: list[str] = ["INBOX"]
    """Folders to sync."""
    address: str = ""
    """Our own address on this mailbox."""
    after_filing: Literal["leave", "seen", "move"] = "leave"
    """What happens on the server once a mail is stored and filed: leave it as it is,
    mark it \\Seen, or move it to `move_to`."""
    move_to: str = "Filed"
    """Target folder of `after_filing = "move"` (created when missing)."""
    acknowledge: bool = True
    """Acknowledge a case opened from mail on this mailbox (MAIL-5; needs [smtp]). Never
    to auto-replies, bounces, lists, bulk or our own mail, and at most `smtp.auto_limit`
    automatic mails per recipient per `smtp.auto_window_hours` (MAIL-7)."""
    ack_template: str | None = None
    """Text of the acknowledgement (inline); None = the built-in text. Placeholders:
    {case_number} {subject} {contact_name} {agent_name} {due} {account}."""

    @model_validator(mode="after")
    def _ack_placeholders_known(self) -> "MailAccountConfig":
        if self.ack_template is not None:
            try:
                check_template(f"{self.name} ack_template", self.ack_template)
            except DomainError as error:
                raise ValueError(error.message) from None
        return self

    @model_validator(mode="after")
    def _plain_only_on_loopback(self) -> "MailAccountConfig":
        _check_plain_tls(f"mail account {self.name!r}", self.host, self.tls)
        return self

    @model_validator(mode="after")
    def _password_not_inline(self) -> "MailAccountConfig":
        if self.password_command is None and self.keyring_service is None:
            raise ValueError(
                f"mail account {self.name!r}: set password_command or keyring_service "
                "(passwords never go into the config file)"
            )
        return self


class RoutingRuleConfig(_Section):
    """A routing rule for mail that opens a new case (ASSIGN-5); the first match wins."""

    name: str
    """Shown in the timeline as the reason a case was created."""
    mailbox: str | None = None
    """Condition: the mail came in through this account (its `name`)."""
    recipient: str | None = None
    """Condition: this address is among To/Cc."""
    sender_domain: str | None = None
    """Condition: the sender's domain (or a subdomain of it)."""
    keywords: list[str] = []
    """Condition: one of these words occurs in subject or body (case-insensitive)."""
    group: str | None = None
    """The new case goes to this group …"""
    user: str | None = None
    """… or to this user (exactly one of the two unless `action = "inbox"`)."""
    type: str | None = None
    """Case type of the new case (default: cases.default_type)."""
    priority: PriorityName | None = None
    """Priority of the new case."""
    action: Literal["case", "inbox"] = "case"
    """`case` opens a case; `inbox` leaves the mail in the unfiled inbox."""

    @model_validator(mode="after")
    def _one_delegate(self) -> "RoutingRuleConfig":
        if self.action == "case" and bool(self.group) == bool(self.user):
            raise ValueError(f"rule {self.name!r}: give exactly one of group or user")
        return self


class SmtpConfig(_Section):
    """The outgoing mail server (MAIL-5), or a local Maildir that stands in for one."""

    transport: Literal["smtp", "maildir"] = "smtp"
    """`smtp` sends through `host`; `maildir` delivers every outgoing mail into the local
    Maildir at `maildir` (the demo; trying the desk without a mail server)."""
    maildir: str | None = None
    """With `transport = "maildir"`: the Maildir's folder (created if missing; `~` expands)."""
    host: str = ""
    """SMTP server (needed with `transport = "smtp"`)."""
    port: Port = 465
    """SMTP port."""
    tls: TlsMode = "ssl"
    """ssl (default), starttls, or none (loopback/tests only)."""
    username: str | None = None
    """Login name, if the server wants one."""
    password_command: str | None = None
    """Command printing the password."""
    keyring_service: str | None = None
    """Or: the keyring service holding the password."""
    sender: str = Field(default="", alias="from")
    """From header of outgoing mail; its domain makes our Message-IDs."""
    timeout: float = Field(default=30.0, gt=0, le=600)
    """Seconds to wait for the server on each command."""
    undo_seconds: int = Field(default=10, ge=0, le=3600)
    """A queued reply waits this long before it leaves: cancel or edit it meanwhile."""
    auto_limit: int = Field(default=10, ge=0, le=10_000)
    """At most this many automatic mails (acknowledgements) per recipient …"""
    auto_window_hours: float = Field(default=3.0, gt=0, le=24 * 30)
    """… per this many hours (MAIL-7)."""
    retry_seconds: float = Field(default=30.0, ge=0, le=3600)
    """First retry after a transient failure; doubles with every attempt, at most 30 min."""
    max_attempts: int = Field(default=12, ge=1, le=1000)
    """Transient failures are retried with capped back-off; after this many attempts the
    mail is marked failed (still listed by `helpdesk outbox`, resendable)."""
    sent_folder: str | None = None
    """IMAP folder (e.g. "Sent") that gets a copy of every sent mail, and where a mail
    whose sending was interrupted is looked for before anyone resends it."""
    sent_account: str | None = None
    """Name of the [[mail.accounts]] entry holding `sent_folder` (default: the first)."""
    append_sent: bool = True
    """APPEND the copy to `sent_folder` ourselves; false when the server files sent mail
    by itself (then the folder is only searched)."""

    @model_validator(mode="after")
    def _smtp_checks(self) -> "SmtpConfig":
        if self.transport == "maildir":
            if not self.maildir:
                raise ValueError('smtp: transport = "maildir" needs maildir = PATH')
        elif not self.host:
            raise ValueError('smtp: host is missing (or set transport = "maildir")')
        elif self.maildir:
            raise ValueError('smtp: maildir is only used with transport = "maildir"')
        else:
            _check_plain_tls("smtp", self.host, self.tls)
        if self.username and self.password_command is None and self.keyring_service is None:
            raise ValueError(
                "smtp: set password_command or keyring_service for the username "
                "(passwords never go into the config file)"
            )
        if self.sender and "@" not in self.sender:
            raise ValueError(f"smtp: from = {self.sender!r} is not a mail address")
        return self


class CannedConfig(_Section):
    """A canned response (ACT-5)."""

    name: str
    """Shown in the picker."""
    text: str
    """The text; placeholders: {case_number} {subject} {contact_name} {agent_name} {due}
    {account}."""

    @model_validator(mode="after")
    def _placeholders_known(self) -> "CannedConfig":
        try:
            check_template(self.name, self.text)
        except DomainError as error:
            raise ValueError(error.message) from None
        return self


class MailConfig(_Section):
    """Mail in and out."""

    case_tag_prefix: str = "#"
    """Subject tags look like `[#0001234]`."""
    accounts: list[MailAccountConfig] = []
    """IMAP mailboxes."""
    rules: list[RoutingRuleConfig] = []
    """Routing rules for mail that is no reply to a case; none match → unfiled inbox."""
    reopen_closed: bool = False
    """Customer mail on a closed case reopens it (MAIL-6); otherwise the delegate is told."""
    batch_size: int = Field(default=500, ge=1, le=5000)
    """Mails fetched and stored per transaction."""
    poll_seconds: int = Field(default=60, ge=5)
    """How often to look for mail where the server has no IDLE."""
    max_size: str = "25MB"
    """A mail larger than this is stored as a stub (its headers and a defect); the whole
    mail stays on the server. `25MB`, `800KB`, `1GB` (binary units) or bytes."""

    max_attachment_size: str = "25MB"
    """ACT-6: a larger attachment is kept as a stub with a note, its bytes not stored."""

    @model_validator(mode="after")
    def _check_max_size(self) -> "MailConfig":
        parse_size(self.max_size)
        parse_size(self.max_attachment_size)
        return self

    @property
    def max_attachment_size_bytes(self) -> int:
        """`max_attachment_size` in bytes."""
        return parse_size(self.max_attachment_size)

    @property
    def max_size_bytes(self) -> int:
        """`max_size` in bytes."""
        return parse_size(self.max_size)


_UNITS = {"": 1, "B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def parse_size(text: str) -> int:
    """`25MB` → bytes (KB/MB/GB in steps of 1024, as mail clients count); ValueError else."""
    value = text.strip().upper()
    number = value.rstrip("KMGB ")
    unit = value[len(number) :].strip()
    if not number.isdigit() or unit not in _UNITS or int(number) <= 0:
        raise ValueError(f'not a size: {text!r} (e.g. "25MB")')
    return int(number) * _UNITS[unit]


class NotificationsConfig(_Section):
    """Notification mail to agents (DATE-4); each agent may choose otherwise
    (`helpdesk notifications email off|each|digest`)."""

    email: Literal["off", "each", "digest"] = "off"
    """The default for agents without a choice of their own; needs [smtp]."""
    digest_interval: str = Field(default="1h", pattern=r"^\s*[1-9][0-9]*\s*[mhd]\s*$")
    """A digest goes out once its oldest notification is this old: `30m`, `1h`, `1d`."""

    def digest_minutes(self) -> int:
        """The digest interval in minutes."""
        text = self.digest_interval.strip()
        return int(text[:-1].strip()) * {"m": 1, "h": 60, "d": 1440}[text[-1]]


class StorageConfig(_Section):
    """How the database is kept on disk (SEC-6)."""

    shared_group: bool = False
    """False (default): the SQLite file is 0600 and a folder created for it 0700, only
    you read it. True: 0660 / 0770, shared with your group (a team on one file)."""
    password_command: str | None = None
    """PostgreSQL (TEAM-4): a command whose first line of output is your login's password
    (run without a shell). Never a password in the config or the URL."""
    keyring_service: str | None = None
    """PostgreSQL: the keyring service holding your login's password (user: the login).
    Without either, libpq finds it (~/.pgpass) or a client certificate (sslcert/sslkey)."""


class CalendarConfig(_Section):
    """Business hours (DATE-2): SLA targets count only working time."""

    timezone: str | None = None
    """IANA time zone of the working hours (`Europe/Berlin`); default the machine's."""
    hours: str = "mon-fri 08:00-17:00"
    """Working hours per weekday: `mon-thu 08:00-12:00,13:00-17:00; fri 08:00-14:00`."""
    holidays: str | None = None
    """Public holidays by country[-subdivision] (`DE-BY`), from the holidays package."""
    closed: list[date] = []
    """Extra closed dates (`["2026-12-24"]`)."""

    @model_validator(mode="after")
    def _calendar_checks(self) -> "CalendarConfig":
        try:
            parse_hours(self.hours)
        except DomainError as error:
            raise ValueError(error.message) from None
        time_zone(self.timezone)
        if self.holidays is not None:
            holiday_source(self.holidays)
        return self

    def calendar(self) -> BusinessCalendar:
        """The business calendar these settings describe."""
        extra = closed_dates(self.closed)
        public = holiday_source(self.holidays) if self.holidays else None

        def closed(year: int) -> set[date]:
            days = set(extra(year))
            if public is not None:
                days.update(public(year))
            return days

        return BusinessCalendar(time_zone(self.timezone), parse_hours(self.hours), closed)


def time_zone(name: str | None) -> ZoneInfo:
    """The zone `name` (ValueError naming it), or the machine's: `TZ`, then /etc/localtime."""
    if name is not None:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone {name!r} is no IANA time zone") from None
    return machine_zone()


def holiday_source(code: str) -> Callable[[int], Iterable[date]]:
    """Public holidays of `DE` or `DE-BY` as a function of the year (holidays package,
    imported only when a calendar names holidays). ValueError naming an unknown code."""
    import holidays  # lazy: ~40 ms, only for a calendar with holidays

    country, _, given = code.strip().partition("-")
    country = country.upper()
    subdivision = given or None
    try:
        holidays.country_holidays(country, subdiv=subdivision)
    except NotImplementedError:
        supported = holidays.list_supported_countries().get(country)
        if supported is None:
            raise ValueError(
                f"holidays {code!r}: unknown country {country!r} (ISO code, e.g. DE)"
            ) from None
        spelled = [s for s in supported if s.casefold() == given.casefold()]
        if not spelled:
            raise ValueError(
                f"holidays {code!r}: {country} has no subdivision "
                f"{given!r} (one of {', '.join(supported)})"
            ) from None
        subdivision = spelled[0]  # `de-by` means DE-BY

    def of_year(year: int) -> Iterable[date]:
        return holidays.country_holidays(country, subdiv=subdivision, years=year).keys()

    return of_year


MatchValues = str | list[str] | None


class SlaPolicyConfig(_Section):
    """An SLA policy (DATE-3); the first whose conditions all hold is the case's."""

    name: str
    """Shown with the clocks and in reports."""
    priority: MatchValues = None
    """Condition: the case's priority (or a list of them)."""
    type: MatchValues = None
    """Condition: the case type key(s)."""
    account: MatchValues = None
    """Condition: the account name(s) (case-insensitive)."""
    mailbox: MatchValues = None
    """Condition: the mail account (its `name`) the case came in through."""
    first_response: str | None = None
    """Business time to the first response: `30m`, `4h`, `1d` (working days)."""
    resolution: str | None = None
    """Business time to resolution (Waiting pauses it): `2d`, `16h`."""

    @model_validator(mode="after")
    def _policy_checks(self) -> "SlaPolicyConfig":
        self.policy()
        priorities = set(_values(self.priority) or ())
        unknown = priorities - {p.value for p in Priority}
        if unknown:
            raise ValueError(
                f"sla policy {self.name!r}: unknown priority {sorted(unknown)[0]!r} "
                "(low, normal, high, urgent)"
            )
        if self.first_response is None and self.resolution is None:
            raise ValueError(f"sla policy {self.name!r}: give first_response, resolution or both")
        return self

    def policy(self) -> SlaPolicy:
        """The domain's view of this policy (ValueError naming the policy if a target is
        no duration)."""
        try:
            first = parse_duration(self.first_response) if self.first_response else None
            resolution = parse_duration(self.resolution) if self.resolution else None
        except DomainError as error:
            raise ValueError(f"sla policy {self.name!r}: {error.message}") from None
        return SlaPolicy(
            name=self.name,
            first_response=first,
            resolution=resolution,
            priorities=_values(self.priority),
            types=_values(self.type),
            accounts=_values(self.account),
            mailboxes=_values(self.mailbox),
        )


def _values(value: MatchValues) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset([value] if isinstance(value, str) else value)


class SlaEscalationConfig(_Section):
    """An escalation level (DATE-3): fires once per case and clock when reached."""

    at: str
    """`75%` of the target, `100%` (the breach), `100%+4h` (business time after it)."""
    notify: Literal["delegate", "lead", "owner", "admins"] = "delegate"
    """Who is told: the delegate, the group's lead, the case's owner, all admins."""
    raise_priority: bool = False
    """Also raise the case's priority one step."""

    @model_validator(mode="after")
    def _escalation_checks(self) -> "SlaEscalationConfig":
        self.escalation()
        return self

    def escalation(self) -> Escalation:
        """The domain's view of this level."""
        try:
            return parse_escalation(self.at, self.notify, self.raise_priority)
        except DomainError as error:
            raise ValueError(error.message) from None


class CsatConfig(_Section):
    """Customer satisfaction (issue 15 §7): the closing mail asks for a rating 1–5, and
    the customer's reply with one is recorded on the case without reopening it."""

    enabled: bool = False
    """Off by default; needs [smtp] for the closing mail."""
    request: str = DEFAULT_REQUEST
    """The closing mail's last line (one line; placeholders as in templates)."""
    window: str = DEFAULT_WINDOW
    """How long after closing a rating is taken: `14d`, `48h` (calendar time)."""

    @model_validator(mode="after")
    def _csat_checks(self) -> "CsatConfig":
        try:
            check_request(self.request)
            check_template("csat request", self.request)
            parse_window(self.window)
        except DomainError as error:
            raise ValueError(error.message) from None
        return self

    def rules(self) -> CsatRules:
        """The CSAT rules these settings describe."""
        return CsatRules(check_request(self.request), parse_window(self.window))


class SlaConfig(_Section):
    """SLA policies and escalation levels (DATE-3)."""

    policies: list[SlaPolicyConfig] = []
    """Policies in order; the first match wins; no match = no SLA for the case."""
    escalations: list[SlaEscalationConfig] = []
    """Levels for every clock, in order."""


def _url_has_password(url: str) -> bool:
    """Whether a database URL carries a password (`user:secret@host` or `?password=`)."""
    from urllib.parse import parse_qs, urlsplit

    if "://" not in url:
        return False  # a SQLite path
    parts = urlsplit(url)
    return bool(parts.password) or "password" in parse_qs(parts.query)


class Settings(BaseModel):
    """The whole configuration (`config_loading.load_settings` reads it)."""

    model_config = ConfigDict(extra="forbid")

    database: str | None = None
    """SQLite path or SQLAlchemy URL; `--db` / HELPDESK_DB win over it."""
    storage: StorageConfig = StorageConfig()
    """File modes of the SQLite database."""
    user: str | None = None
    """Default acting user; `--as` / HELPDESK_USER win over it."""
    users: list[UserConfig] = []
    """Agents; synced into the database on start."""
    groups: list[GroupConfig] = []
    """Groups; synced into the database on start."""
    cases: CasesConfig = CasesConfig()
    """Case types and defaults."""
    dates: DatesConfig = DatesConfig()
    """Default deadlines."""
    workflow: WorkflowConfig = WorkflowConfig()
    """Statuses, transitions, roles."""
    mail: MailConfig = MailConfig()
    """Mail in."""
    smtp: SmtpConfig | None = None
    """Mail out."""
    notifications: NotificationsConfig = NotificationsConfig()
    """Notification mail to agents."""
    calendar: CalendarConfig = CalendarConfig()
    """Business hours, holidays, closed dates."""
    sla: SlaConfig = SlaConfig()
    """SLA policies and escalation levels."""
    csat: CsatConfig = CsatConfig()
    """Customer satisfaction: rating request in the closing mail, ratings from replies."""
    canned: list[CannedConfig] = [
        CannedConfig(
            name="Eingang bestätigen",
            text="Hallo {contact_name},\n\nvielen Dank für Ihre Nachricht. Wir kümmern uns "
            "unter der Vorgangsnummer {case_number} darum und melden uns bis {due}.\n\n"
            "Viele Grüße\n{agent_name}",
        ),
        CannedConfig(
            name="Acknowledge",
            text="Hello {contact_name},\n\nthank you for your message. We are working on it "
            "as case {case_number} and will get back to you by {due}.\n\nBest regards\n"
            "{agent_name}",
        ),
        CannedConfig(
            name="Need more information",
            text="Hello {contact_name},\n\nto continue with case {case_number} we need a "
            "screenshot of the error message and the time it occurred.\n\n{agent_name}",
        ),
        CannedConfig(
            name="Gelöst",
            text="Hallo {contact_name},\n\nder Vorgang {case_number} ({subject}) ist "
            "gelöst. Melden Sie sich gern, falls noch etwas offen ist.\n\n{agent_name}",
        ),
    ]
    """Canned responses for compose; these four are the built-in defaults."""
    keys: dict[str, str] = {}
    """Key remapping: binding id → key(s), e.g. `assign_me = "ctrl+a"`."""

    @model_validator(mode="after")
    def _no_password_in_the_database_url(self) -> "Settings":
        if self.database is not None and _url_has_password(self.database):
            raise ValueError(
                "database: the URL holds a password; remove it and use "
                "[storage] password_command, keyring_service, ~/.pgpass or a client certificate"
            )
        return self

    @model_validator(mode="after")
    def _sent_folder_has_an_account(self) -> "Settings":
        smtp = self.smtp
        if smtp is None or smtp.sent_folder is None:
            return self
        names = [a.name for a in self.mail.accounts]
        if not names:
            raise ValueError("smtp.sent_folder needs a [[mail.accounts]] entry to hold it")
        if smtp.sent_account is not None and smtp.sent_account not in names:
            raise ValueError(f"smtp.sent_account {smtp.sent_account!r} is no mail account")
        return self

    @model_validator(mode="after")
    def _groups_know_their_people(self) -> "Settings":
        if not self.users:
            return self  # people may come from the database (demo data)
        known = {u.username for u in self.users}
        for group in self.groups:
            for member in group.members:
                if member not in known:
                    raise ValueError(f"group {group.name!r}: unknown member {member!r}")
            if group.lead and group.lead not in group.members:
                raise ValueError(f"group {group.name!r}: lead {group.lead!r} is not a member")
        return self

    @model_validator(mode="after")
    def _sla_types_known(self) -> "Settings":
        known = {t.key for t in self.cases.types}
        for sla_policy in self.sla.policies:
            for key in sorted(_values(sla_policy.type) or ()):
                if key not in known:
                    raise ValueError(f"sla policy {sla_policy.name!r}: unknown case type {key!r}")
        return self

    def policy(self) -> Policy:
        """The domain's view of the configurable rules."""
        transitions = default_workflow().transitions
        if self.workflow.transitions is not None:
            transitions = tuple(
                Transition(Status(t.source), Status(t.target), parse_roles(t.roles))
                for t in self.workflow.transitions
            )
        return Policy(
            workflow=Workflow(transitions),
            case_types=tuple(
                CaseType(t.key, t.label or t.key.title(), tuple(t.fields)) for t in self.cases.types
            ),
            default_type=self.cases.default_type,
            default_priority=Priority(self.cases.default_priority),
            dates=DateDefaults(self.dates.due_days, self.dates.reminder_days),
            delete_roles=frozenset(Role(r) for r in self.workflow.delete_roles),
            sla=sla_rules(self),
        )


def canned_responses(settings: Settings) -> tuple[CannedResponse, ...]:
    """The configured canned responses as domain values."""
    return tuple(CannedResponse(c.name, c.text) for c in settings.canned)


def routing_rules(settings: Settings) -> tuple[RoutingRule, ...]:
    """The configured routing rules as domain values, in their configured order."""
    return tuple(
        RoutingRule(
            name=r.name,
            mailbox=r.mailbox,
            recipient=r.recipient,
            sender_domain=r.sender_domain,
            keywords=tuple(r.keywords),
            group=r.group,
            user=r.user,
            type_key=r.type,
            priority=Priority(r.priority) if r.priority else None,
            create_case=r.action == "case",
        )
        for r in settings.mail.rules
    )


def business_calendar(settings: Settings) -> BusinessCalendar:
    """The configured business calendar (build it once and share it: it caches years)."""
    return settings.calendar.calendar()


def sla_policies(settings: Settings) -> tuple[SlaPolicy, ...]:
    """The configured SLA policies as domain values, in their configured order."""
    return tuple(p.policy() for p in settings.sla.policies)


def sla_rules(settings: Settings) -> SlaRules | None:
    """The SLA rules services keep the clocks by; None without `[[sla.policies]]`."""
    if not settings.sla.policies:
        return None
    return SlaRules(sla_policies(settings), business_calendar(settings), sla_escalations(settings))


def sla_escalations(settings: Settings) -> tuple[Escalation, ...]:
    """The configured escalation levels as domain values, in their configured order."""
    return tuple(e.escalation() for e in settings.sla.escalations)


def csat_rules(settings: Settings) -> CsatRules | None:
    """The CSAT rules mail filing and the closing mail use; None unless `[csat] enabled`."""
    return settings.csat.rules() if settings.csat.enabled else None


def own_addresses(settings: Settings) -> frozenset[str]:
    """Our own mail addresses (accounts and SMTP sender): never a new case from these."""
    addresses = {a.address.strip().lower() for a in settings.mail.accounts if a.address}
    if settings.smtp and settings.smtp.sender:
        sender = settings.smtp.sender
        addresses.add(sender.rpartition("<")[2].rstrip(">").strip().lower())
    return frozenset(addresses)
