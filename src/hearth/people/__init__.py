"""People: survivors, children, perpetrators and others, one identity across agencies."""
