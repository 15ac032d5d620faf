"""Pydantic models at every edge: console input, events, snapshot, policy, decision, decision record."""
