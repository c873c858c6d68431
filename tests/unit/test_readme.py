"""The README stays true: every environment variable the code reads is in its table."""
import importlib
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "proposals", "matching", "meetings", "notifications")


def documented():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return set(re.findall(r"^\| `([A-Z0-9_<>]+)`", readme, flags=re.M)) | set(re.findall(r"`([A-Z0-9_]+)`", readme))


def read_by_code():
    names = set(re.findall(r'env\.get\("([A-Z_]+)"', (ROOT / "shared/samskab/config.py").read_text()))
    for service in SERVICES:
        module = importlib.import_module(f"{service}.service")
        names |= set(getattr(module.Service, "environment", {}) or {})
    return names


def test_every_environment_variable_is_in_the_readme_table():
    missing = sorted(read_by_code() - documented())
    assert not missing, f"add these to the README's configuration table: {missing}"


def test_the_readme_shows_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
