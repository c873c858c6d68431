"""Cooperative I/O for the whole process.

eventlet must patch the standard library before anything imports sockets,
and psycopg2 must hand its waits to the eventlet hub (a C extension is not
reached by monkey-patching).  Every entry point (service runner, scripts,
conftest.py) calls :func:`patch` first.
"""
import warnings

_patched = False


def patch():
    global _patched
    if _patched:
        return
    # eventlet announces its maintenance mode on import; nameko 2.14 needs it all the same.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
    _patched = True
