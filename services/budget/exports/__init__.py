"""Exports shaped like the national platforms' forms (issue 10 item 8): SIOSS (FNA, FNPS, Dopo di Noi),
the Fondo Povertà economic-financial summary (Piattaforma Multifondo) and per-CUP progress of the PNRR lines
(ReGiS). Enter once, report everywhere: docs/budget.md "Exports for the national platforms"."""
