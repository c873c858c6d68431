"""The meeting formats of the field, and which one fits a purpose and a group.

Guideline 6: adapt the approach to the purpose and the participants.  Each
format says which IAP2 levels it serves (its core ones and those it can also
serve), how many people it suits, how participants are found and how long it
runs.  :func:`suggest` ranks them for a purpose, an expected number and a
proposal kind, and says why.  Pure: no I/O after import.

The words (names, descriptions, durations, notes, how participants are found) are
the meetings service's gettext catalogue, ``locales/<lang>/LC_MESSAGES/meetings.po``
(``format.<id>.name`` …, ``recruitment.<how>``), read once by :mod:`samskab.i18n`:
the API's ``name``/``description`` are its English entries, ``local_names`` the
others, and :func:`texts` gives a format's words in any of the four languages.
"""
import math
import os
from dataclasses import asdict, dataclass, field

from samskab import i18n

WORDS = i18n.Catalogue(os.path.join(os.path.dirname(os.path.abspath(__file__)), "locales"), "meetings")


def _en(key):
    return WORDS.gettext("en", key)

LEVELS = ("inform", "consult", "involve", "collaborate", "empower")
KINDS = ("service", "development", "policy")
RECRUITMENT = {how: _en(f"recruitment.{how}") for how in ("open", "invited", "lottery", "appointed")}

CORE, ALSO = 1.0, 0.5


@dataclass(frozen=True)
class Format:
    id: str
    name: str
    local_names: dict
    description: str
    levels: dict  # IAP2 level -> CORE or ALSO
    size: tuple  # (min, max) participants it typically suits
    recruitment: str
    duration: str
    sessions: tuple = (1, 1)
    kinds: dict = field(default_factory=dict)  # proposal kind -> weight 0..1
    notes: tuple = ()

    def as_dict(self):
        data = asdict(self)
        data["size"] = {"min": self.size[0], "max": self.size[1]}
        data["sessions"] = {"min": self.sessions[0], "max": self.sessions[1]}
        data["levels"] = [lvl for lvl in LEVELS if lvl in self.levels]
        data["core_levels"] = [lvl for lvl in LEVELS if self.levels.get(lvl) == CORE]
        data["kinds"] = [k for k in KINDS if self.kinds.get(k, 0) > 0]
        data["recruitment_description"] = RECRUITMENT[self.recruitment]
        data["notes"] = list(self.notes)
        return data


def _format(id, **facts):
    """A format with its words from the catalogue (English for the API's fields)."""
    notes, index = [], 1
    while WORDS.has(f"format.{id}.note{index}"):
        notes.append(_en(f"format.{id}.note{index}"))
        index += 1
    return Format(id=id, name=_en(f"format.{id}.name"), description=_en(f"format.{id}.description"),
                  duration=_en(f"format.{id}.duration"), notes=tuple(notes),
                  local_names={lang: WORDS.gettext(lang, f"format.{id}.name") for lang in ("da", "nb", "nn")},
                  **facts)


def texts(fmt, lang):
    """A format's name, description, duration, notes and how participants are found, in ``lang``."""
    words = {part: WORDS.gettext(lang, f"format.{fmt.id}.{part}") for part in ("name", "description", "duration")}
    words["notes"] = [WORDS.gettext(lang, f"format.{fmt.id}.note{i}") for i in range(1, len(fmt.notes) + 1)]
    words["recruitment"] = WORDS.gettext(lang, f"recruitment.{fmt.recruitment}")
    return words


CATALOGUE = (
    _format(
        id="working_citizens_meeting",
        levels={"consult": ALSO, "involve": CORE, "collaborate": ALSO},
        size=(30, 150),
        recruitment="open",
        kinds={"development": 1.0, "service": 0.5, "policy": 0.5},
    ),
    _format(
        id="debate_salon",
        levels={"inform": CORE, "consult": CORE, "involve": ALSO},
        size=(15, 60),
        recruitment="open",
        kinds={"policy": 1.0, "development": 0.5, "service": 0.25},
    ),
    _format(
        id="citizen_panel",
        levels={"consult": ALSO, "involve": CORE, "collaborate": CORE},
        size=(20, 50),
        recruitment="lottery",
        sessions=(2, 4),
        kinds={"policy": 1.0, "development": 0.75, "service": 0.5},
    ),
    _format(
        id="guest_meal",
        levels={"consult": CORE, "involve": CORE},
        size=(4, 12),
        recruitment="invited",
        kinds={"service": 1.0, "development": 0.5, "policy": 0.5},
    ),
    _format(
        id="theme_workshop",
        levels={"involve": CORE, "collaborate": CORE},
        size=(8, 30),
        recruitment="invited",
        kinds={"service": 1.0, "development": 1.0, "policy": 0.5},
    ),
    _format(
        id="task_committee",
        levels={"collaborate": CORE, "empower": CORE},
        size=(10, 20),
        recruitment="appointed",
        sessions=(5, 7),
        kinds={"policy": 1.0, "development": 0.25},
    ),
    _format(
        id="vision_process",
        levels={"inform": ALSO, "consult": CORE, "involve": CORE, "collaborate": ALSO},
        size=(100, 5000),
        recruitment="open",
        sessions=(3, 12),
        kinds={"policy": 1.0, "development": 1.0},
    ),
)

BY_ID = {f.id: f for f in CATALOGUE}

# The level matters most (it is the promise to participants), then the group size, then the kind.
LEVEL_WEIGHT, SIZE_WEIGHT, KIND_WEIGHT = 3.0, 2.0, 1.0


class UnknownCriterion(ValueError):
    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def size_fit(fmt, expected):
    """1.0 inside the format's range, decaying with the ratio outside it."""
    low, high = fmt.size
    if low <= expected <= high:
        return 1.0
    ratio = low / expected if expected < low else expected / high
    return math.exp(-1.5 * math.log(ratio))


def _score(fmt, level, expected, kind):
    reasons = []
    level_w = fmt.levels.get(level, 0.0) if level else 0.0
    if level:
        if level_w == CORE:
            reasons.append(f"serves '{level}' as its core purpose")
        elif level_w:
            reasons.append(f"can serve '{level}', though it is not its core purpose")
        else:
            reasons.append(f"does not serve '{level}' (it serves {', '.join(l for l in LEVELS if l in fmt.levels)})")
    fit = size_fit(fmt, expected) if expected else 0.0
    if expected:
        low, high = fmt.size
        if fit == 1.0:
            reasons.append(f"suits {expected} people (typically {low}–{high})")
        elif expected < low:
            reasons.append(f"usually needs at least {low} people; {expected} expected")
        else:
            reasons.append(f"usually at most {high} people; {expected} expected")
    kind_w = fmt.kinds.get(kind, 0.0) if kind else 0.0
    if kind:
        if kind_w >= 1.0:
            reasons.append(f"made for {kind} work")
        elif kind_w > 0:
            reasons.append(f"also used for {kind} work")
        else:
            reasons.append(f"rarely used for {kind} work")
    reasons.append(f"participants: {RECRUITMENT[fmt.recruitment]}; {fmt.duration}")
    reasons.extend(fmt.notes)
    score = LEVEL_WEIGHT * level_w + SIZE_WEIGHT * fit + KIND_WEIGHT * kind_w
    return round(score, 3), reasons


def suggest(level=None, expected=None, kind=None, limit=None):
    """Formats ranked for the purpose: ``[{"format", "score", "reasons", "details"}]``, best first."""
    if level is not None and level not in LEVELS:
        raise UnknownCriterion("level", f"level must be one of {', '.join(LEVELS)}")
    if kind is not None and kind not in KINDS:
        raise UnknownCriterion("kind", f"kind must be one of {', '.join(KINDS)}")
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool) or expected < 1):
        raise UnknownCriterion("expected", "expected must be a positive whole number")
    ranked = []
    for order, fmt in enumerate(CATALOGUE):
        score, reasons = _score(fmt, level, expected, kind)
        # A format that cannot keep the promise (the level) never outranks one that can.
        serves = not level or level in fmt.levels
        ranked.append((not serves, -score, order, {"format": fmt.id, "name": fmt.name, "score": score,
                                       "reasons": reasons, "details": fmt.as_dict()}))
    ranked.sort(key=lambda item: item[:3])
    result = [item[3] for item in ranked]
    return result[:limit] if limit else result
