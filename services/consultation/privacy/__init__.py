"""Personal data in consultation (attendees named in attendance registers): the access log and erasures."""
