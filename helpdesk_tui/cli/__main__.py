"""`python -m helpdesk_tui.cli` = `helpdesk`."""

from helpdesk_tui.cli.main import run

run()
