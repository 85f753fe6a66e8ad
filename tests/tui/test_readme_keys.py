"""README's key list is complete (issue 12, finding 15): every binding of the TUI that has
a description is listed under `## Keys`, in the section of its screen.

The bindings are read from the classes themselves (as `helpdesk config check` does), so
a key added to a screen without a README line fails here.
"""

import importlib
import pkgutil
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
_TUI = ("helpdesk_tui.app", "helpdesk_tui.screens", "helpdesk_tui.widgets", "helpdesk_tui.dialogs")
#: Which README section lists a class's keys; a class not named here may be anywhere.
SECTIONS = {
    "HelpdeskApp": "Everywhere",
    "QueueScreen": "Queue",
    "CaseList": "Queue",
    "QueryBar": "Queue",
    "CaseScreen": "Case",
    "Timeline": "Case",
    "ComposeScreen": "Compose",
    "MentionArea": "Compose",
    "NewCaseScreen": "New case",
    "ConversationsScreen": "Conversations",
    "MailScreen": "Conversations",
    "ClassifyDialog": "Classify",
    "CustomerScreen": "Customer",
    "OutboxScreen": "Outbox",
    "ActivityScreen": "Activity",
    "Dialog": "Dialogs",
    "ConfirmDialog": "Dialogs",
    "GoToCaseDialog": "Dialogs",
    "FuzzyPicker": "Dialogs",
    "HelpScreen": "Dialogs",
}
#: How README writes Textual's key names.
SHOWN = {
    "question_mark": "?",
    "colon": ":",
    "slash": "/",
    "number_sign": "#",
    "plus": "+",
    "escape": "esc",
    "down": "↓",
    "up": "↑",
    "pagedown": "pgdn",
    "pageup": "pgup",
}


def _bindings() -> list[tuple[str, str, str]]:
    """(class name, key as README writes it, description) of every described binding."""
    found = []
    for package in _TUI:
        module = importlib.import_module(package)
        names = [package]
        if hasattr(module, "__path__"):
            names += [i.name for i in pkgutil.walk_packages(module.__path__, f"{package}.")]
        for name in names:
            module = importlib.import_module(name)
            for value in vars(module).values():
                if not (isinstance(value, type) and value.__module__ == name):
                    continue
                for binding in vars(value).get("BINDINGS", ()):
                    if not getattr(binding, "description", ""):
                        continue
                    for key in binding.key.split(","):
                        key = key.strip()
                        found.append((value.__name__, SHOWN.get(key, key), binding.description))
    return found


def _sections() -> dict[str, set[str]]:
    """The backticked keys of each `###` section under `## Keys` (`1`–`9` as a range)."""
    text = README.read_text(encoding="utf-8")
    keys_part = text.split("\n## Keys\n", 1)[1].split("\n## ", 1)[0]
    sections: dict[str, set[str]] = {}
    for chunk in keys_part.split("\n### ")[1:]:
        title, _, body = chunk.partition("\n")
        tokens = set(re.findall(r"`([^`]+)`", body))
        for low, high in re.findall(r"`(\d)`–`(\d)`", body):
            tokens |= {str(n) for n in range(int(low), int(high) + 1)}
        sections[title.strip()] = tokens
    return sections


def test_every_described_binding_is_in_the_readme_under_its_screen() -> None:
    sections = _sections()
    everywhere = set().union(*sections.values())
    missing = []
    for klass, key, description in _bindings():
        section = SECTIONS.get(klass)
        listed = sections.get(section, set()) if section else everywhere
        if key not in listed:
            missing.append(f"{key} ({description}) of {klass} → ### {section or 'any'}")
    assert missing == []


def test_the_key_list_names_the_keys_the_issue_missed() -> None:
    queue = _sections()["Queue"]
    assert {"p", "m", "o", "O", "1", "5", "9", "/", "#", "N"} <= queue
    assert len(_bindings()) > 60  # the walk found the TUI's bindings at all
