"""Mail in and out: parsing, IMAP and SMTP plumbing (no database, no UI)."""
