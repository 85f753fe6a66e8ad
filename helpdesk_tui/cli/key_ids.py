"""The TUI's key binding ids, for `config check` to refuse an unknown `[keys]` entry.

Textual applies a keymap by binding id and ignores ids it does not know, so a typo in
`[keys]` would silently do nothing. The ids live on the TUI's classes (`BINDINGS` with
`id=`); this walks those modules, which imports Textual — fine for `config check`, never
on a fast path. No `textual` import here: bindings are read by their `id` attribute.
"""

import importlib
import pkgutil
from types import ModuleType

#: The packages and modules that define the TUI's bindings.
_TUI = ("helpdesk_tui.app", "helpdesk_tui.screens", "helpdesk_tui.widgets", "helpdesk_tui.dialogs")


def binding_ids() -> frozenset[str]:
    """Every binding id the TUI defines (`queue.assign_me`, `case.reply`, `quit` …)."""
    ids: set[str] = set()
    for module in _modules():
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                # Through the bases too: Textual's own widgets have remappable ids.
                for klass in value.__mro__:
                    for binding in vars(klass).get("BINDINGS", ()):
                        binding_id = getattr(binding, "id", None)
                        if isinstance(binding_id, str):
                            ids.add(binding_id)
    return frozenset(ids)


def unknown_ids(keys: dict[str, str]) -> list[str]:
    """The configured ids that name no binding, in config order."""
    known = binding_ids()
    return [key for key in keys if key not in known]


def _modules() -> list[ModuleType]:
    modules = []
    for name in _TUI:
        module = importlib.import_module(name)
        modules.append(module)
        path = getattr(module, "__path__", None)
        if path is not None:
            for info in pkgutil.walk_packages(path, prefix=f"{name}."):
                modules.append(importlib.import_module(info.name))
    return modules
