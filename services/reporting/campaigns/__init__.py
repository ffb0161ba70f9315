"""The regional office's campaigns: deadlines per region and year, each Ambito's completeness (issue 11, 3b)."""
