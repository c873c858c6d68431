"""The whole platform with people in every role: the fixtures of tests/security, shared
rather than copied (``platform``, ``people``)."""
import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "security_platform", os.path.join(os.path.dirname(__file__), "..", "security", "conftest.py"))
security_platform = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(security_platform)

platform = security_platform.platform
people = security_platform.people
PASSWORD = security_platform.PASSWORD
