"""Supports, rankings and following. Built by the voting issue."""
