"""The rules of the helpdesk: pure Python, stdlib only, no clock (pass `now`)."""
