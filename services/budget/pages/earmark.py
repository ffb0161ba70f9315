"""A fund's earmarking refusal in Italian, at the fund field: the fund's own rule (the reference data writes it
in Italian) and which feature of the intervention breaks it. The check itself stays the reference data's
(`earmark_violation`); its English sentence names the dimension, which is all that is read here."""
from __future__ import annotations

from flask_babel import gettext as _

DIMENSIONS = (("is a fund of region", lambda: _("è un fondo di un'altra regione")),
              ("thematic areas", lambda: _("l'area tematica dell'intervento non è tra quelle che il fondo finanzia")),
              ("of kind", lambda: _("la tipologia dell'intervento (servizio, trasferimento, progetto) non è tra quelle"
                                    " che il fondo finanzia")),
              ("target groups", lambda: _("l'area di utenza dell'intervento non è tra quelle che il fondo finanzia")),
              ("LEPS", lambda: _("l'intervento non garantisce nessuno dei LEPS che il fondo finanzia")),
              ("nomenclature", lambda: _("la voce del nomenclatore dell'intervento non è tra quelle che il fondo"
                                         " finanzia")))


def italian(fund, rule: str) -> str:
    """'Vincolo di destinazione del fondo FNA: <why>. <the fund's rule>'."""
    why = next((text() for marker, text in DIMENSIONS if marker in rule),
               _("l'intervento non rispetta il vincolo di destinazione"))
    sentence = _("Vincolo di destinazione del fondo %(fondo)s: %(motivo)s.", fondo=fund.code, motivo=why)
    return f"{sentence} {fund.rule}".strip()
