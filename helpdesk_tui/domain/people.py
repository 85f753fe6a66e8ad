"""Rules of the directory (SEC-3, SEC-6): who may change users and roles, and what a user
record may hold.

Roles live in the database. Configuration seeds an empty database once; after that only an
admin changes users, and the desk always keeps at least one active admin.
"""

import re

from helpdesk_tui.domain.case import Actor
from helpdesk_tui.domain.enums import Role
from helpdesk_tui.domain.errors import PermissionDeniedError, ValidationError

#: Usernames as the config accepts them: lower case, safe to print and to type after --as.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: A PostgreSQL role name as a login (unquoted identifier; 63 bytes at most).
DB_LOGIN = re.compile(r"[A-Za-z_][A-Za-z0-9_$.-]{0,62}")
#: An address for notifications: one plain addr-spec, nothing a header could be cut with.
EMAIL = re.compile(r"[^\s@<>,;:\"()\[\]\\]{1,64}@[^\s@<>,;:\"()\[\]\\]{1,255}")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NAME_MAX = 200


def parse_role(text: str) -> Role:
    """A role by its name (`agent`, `lead`, `admin`), or ValidationError."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValidationError(f"unknown role {text!r}: use agent, lead or admin") from None


def check_username(text: str) -> str:
    """The username, trimmed and lower case; refused unless it is a plain short name."""
    name = text.strip().lower()
    if not USERNAME.fullmatch(name):
        raise ValidationError(
            f"invalid username {text!r}: 1-64 of a-z 0-9 . _ -, starting with a letter or digit"
        )
    return name


def check_email(text: str) -> str:
    """An address (or empty), trimmed and lower case; one plain address, no controls."""
    address = text.strip().lower()
    if address and not EMAIL.fullmatch(address):
        raise ValidationError(f"invalid e-mail address {text!r}")
    return address


def check_display_name(text: str) -> str:
    """A display name: one line of text without control or bidi characters."""
    name = text.strip()
    if _CONTROLS.search(name):
        raise ValidationError("a name must not contain control characters")
    if len(name) > NAME_MAX:
        raise ValidationError(f"a name has at most {NAME_MAX} characters")
    return name


#: A phone number as people type it: digits with + ( ) / . - and spaces, 3-40 characters.
PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{1,38}[0-9)]")


def check_phone(text: str) -> str | None:
    """A contact's phone number, trimmed (None when empty); refused unless it looks like one."""
    phone = text.strip()
    if not phone:
        return None
    if not PHONE.fullmatch(phone):
        raise ValidationError(
            f"invalid phone number {phone!r}: digits, + ( ) / . - and spaces", field="phone"
        )
    return phone


def check_db_login(text: str) -> str:
    """A database login (TEAM-4) as PostgreSQL names one without quotes."""
    login = text.strip()
    if not DB_LOGIN.fullmatch(login):
        raise ValidationError(f"invalid database login {text!r}")
    return login


def require_admin(actor: Actor) -> None:
    """Only admins change the directory (SEC-3)."""
    if actor.role is not Role.ADMIN:
        raise PermissionDeniedError(
            f"only admin may manage users ({actor.username} is {actor.role})"
        )


def check_keeps_an_admin(username: str, active_admins: int, *, removing: bool) -> None:
    """Refuse to remove or demote the last active admin: nobody could change roles after."""
    if active_admins <= 1:
        verb = "remove" if removing else "demote"
        raise PermissionDeniedError(f"cannot {verb} {username!r}: the last admin")
