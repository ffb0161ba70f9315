"""Allocations (fund x intervention x year) on the fund-year ledger, and the closing of a fund-year into residui."""
