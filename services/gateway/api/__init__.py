"""The JSON API under /api/v1: every module here declares its routes with
``router.route``; importing the package registers them all."""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in ("router", "context", "problems"):
        importlib.import_module(f"{__name__}.{_module.name}")
