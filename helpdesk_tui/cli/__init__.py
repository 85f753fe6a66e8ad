"""The `helpdesk` command line (Typer), one module per command group."""
