"""Fund assignments (what each fund assigned to the Ambito for a year, by decree) and the fund-year ledger."""
