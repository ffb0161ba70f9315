"""Public exports of the register (CSV, XLSX): organisations only, Italian headers."""
