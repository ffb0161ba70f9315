"""The public transparency portal of the Piani Sociali di Zona (issue 11, items 6 and 7): views.py."""
