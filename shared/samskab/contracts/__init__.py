"""The contracts services share: event data models and their public projections.

One module per producing service.  Importing this package registers every
event type, which is how the relay, consumers and the AsyncAPI generator see
them all.
"""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
