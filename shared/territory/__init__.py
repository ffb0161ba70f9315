"""The replica of an Ambito's territory (its comuni and their population) that a service keeps from the
registry's profile event: the projector, the queries and the HTTP schemas, the same in every service
that holds one (the tables `territory_profiles`, `territory_comuni` and the view
`territory_comuni_now`, created by each service's own migration)."""
