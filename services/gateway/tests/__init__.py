"""Test support for the gateway and the whole platform (not imported by the running gateway)."""
