"""Documents for a public office, in Italian (issue 8 item 9): the attendance register and the approved
minutes of a session as PDF/A, and the Ambito's community profile (profilo di comunità).

Data -> HTML (`render.py`, Jinja2 templates under `templates/`, pure) -> PDF (`pdf.py`, WeasyPrint).
"""
