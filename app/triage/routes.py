"""Staff triage pages: duplicate clusters and opportunity types. Built by the triage issue."""
