"""The contracts services share: event data models and their public projections.

One module per producing service.  Each event type has one owning service,
the only one whose broker user a consumer accepts it from: a module's
``OWNER = "<service>"`` declares it, else ``OWNERS`` below (by module name).  Importing this package registers every
event type, which is how the relay, consumers and the AsyncAPI generator see
them all.
"""
import importlib
import pkgutil

# contracts module → the service that emits its events
OWNERS = {
    "participants": "gateway",
    "proposals": "proposals",
    "matching": "matching",
    "meetings": "meetings",
    "notifications": "notifications",
}


def owner_of_module(module_name):
    """``samskab.contracts.proposals.events`` → ``proposals``; ``None`` outside the contracts."""
    prefix = __name__ + "."
    if not module_name.startswith(prefix):
        return None
    return OWNERS.get(module_name[len(prefix):].split(".")[0])


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

# Every event type of the contracts has an owner, or consumers could accept it from no one.
from ..events import _registry  # noqa: E402

_orphans = sorted(t.name for t in _registry.values()
                  if t.model.__module__.startswith(__name__ + ".") and not t.owner)
if _orphans:
    raise ImportError(f"event types without an owning service (set OWNER in their contracts module): {_orphans}")
