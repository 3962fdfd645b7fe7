"""Turns the events the domain apps announce into messages (filled in by the notifications work)."""
