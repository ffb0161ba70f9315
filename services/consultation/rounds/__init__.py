"""Prioritisation rounds (issue 8 item 6): points distributed by member organisations over a table's proposals."""
