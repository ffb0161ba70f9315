"""Exports of the consultation (CSV and XLSX, in Italian): needs, proposals, round results, attendance."""
