"""Samskab common library: what every service needs once.

Configuration, the CloudEvents envelope and event registry, the transactional
outbox and its relay, the idempotent consumer entrypoint, tenant routing,
database sessions, metrics and health.  Services meet only through the
contracts in :mod:`samskab.contracts`; none imports another's code.
"""
