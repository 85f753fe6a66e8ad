"""The mail poller: IMAP → parse → file, exactly once (MAIL-1, MAIL-2)."""
