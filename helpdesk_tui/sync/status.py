"""What the poller is doing, as one value the status line and the CLI can show (TUI-3)."""

from dataclasses import dataclass
from enum import StrEnum


class SyncState(StrEnum):
    """The poller's state."""

    IDLE = "idle"
    SYNCING = "syncing"
    OFFLINE = "offline"
    ERROR = "error"
    OFF = "off"


@dataclass(frozen=True)
class SyncStatus:
    """One report: state, progress of the current folder, and when the next retry is."""

    state: SyncState
    mailbox: str = ""
    done: int = 0
    total: int = 0
    retry_in: float | None = None
    message: str = ""

    def label(self) -> str:
        """`idle`, `syncing 120 of 2000`, `offline (retry in 20 s)`, `error: …`."""
        if self.state is SyncState.SYNCING:
            return f"syncing {self.done} of {self.total}" if self.total else "syncing"
        if self.state is SyncState.OFFLINE:
            retry = f" (retry in {round(self.retry_in)} s)" if self.retry_in is not None else ""
            return f"offline{retry}"
        if self.state is SyncState.ERROR:
            return f"error: {self.message}" if self.message else "error"
        if self.state is SyncState.OFF:
            return "off (no mail accounts)"
        return "idle"
