"""Co-financing by the comuni of an intervention's year, split by population (cofinanziamento comunale)."""
