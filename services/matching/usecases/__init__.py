"""Matching's use cases: one function each, taking the unit of work and plain
arguments; ``service.py`` only translates RPC and events into calls of them."""
