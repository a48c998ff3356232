"""Idea windows and submissions (step 1 of the ODA process). Built by the intake issue."""
