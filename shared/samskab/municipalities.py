"""The municipalities a deployment knows: id, name, official code, country,
language and time zone.  The built-in catalogue can be replaced by a YAML
file (``MUNICIPALITY_CATALOG``) with the same fields; ``MUNICIPALITIES``
then chooses which of them an instance serves."""
from dataclasses import asdict, dataclass

import yaml

from .config import MUNICIPALITY_RE, ConfigError


@dataclass(frozen=True)
class Municipality:
    id: str
    name: str
    official_code: str
    country: str
    language: str
    time_zone: str

    def as_dict(self):
        return asdict(self)


BUILT_IN = (
    Municipality("aalborg", "Aalborg Kommune", "0851", "DK", "da", "Europe/Copenhagen"),
    Municipality("hjorring", "Hjørring Kommune", "0860", "DK", "da", "Europe/Copenhagen"),
    Municipality("hamar", "Hamar kommune", "3403", "NO", "nb", "Europe/Oslo"),
    Municipality("volda", "Volda kommune", "1577", "NO", "nn", "Europe/Oslo"),
)


def catalogue(path=""):
    if not path:
        return {m.id: m for m in BUILT_IN}
    with open(path, encoding="utf-8") as fh:
        entries = yaml.safe_load(fh) or []
    result = {}
    for entry in entries:
        m = Municipality(**{k: str(entry[k]) for k in Municipality.__dataclass_fields__})
        if not MUNICIPALITY_RE.match(m.id):
            raise ConfigError(f"{path}: {m.id!r} is not a municipality id")
        result[m.id] = m
    return result


def served(config):
    """The municipalities this instance serves, by id."""
    known = catalogue(config.get("MUNICIPALITY_CATALOG", ""))
    scope = config.get("MUNICIPALITIES", "*")
    if scope == "*":
        return known
    unknown = [m for m in scope if m not in known]
    if unknown:
        raise ConfigError(f"MUNICIPALITIES names unknown municipalities: {', '.join(unknown)}")
    return {m: known[m] for m in scope}
