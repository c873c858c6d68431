"""Preferences: for each kind of notification and channel, how often.

The inbox is immediate or off; e-mail is immediate, daily, weekly or off.
Defaults are what most people want without having to choose: what concerns
you directly (your meeting moved, your registration) comes at once, the rest
is gathered in a digest, and nothing is switched off unasked.
"""
from samskab.errors import Invalid

from .rules import KINDS

CHANNELS = ("inbox", "email")
FREQUENCIES = {"inbox": ("immediate", "off"), "email": ("immediate", "daily", "weekly", "off")}

DEFAULTS = {
    "meeting_change": {"inbox": "immediate", "email": "immediate"},
    "registration": {"inbox": "immediate", "email": "immediate"},
    "proposal_status": {"inbox": "immediate", "email": "immediate"},
    "proposal_activity": {"inbox": "immediate", "email": "daily"},
    "proposal_triage": {"inbox": "immediate", "email": "daily"},
    "matches": {"inbox": "immediate", "email": "weekly"},
}
assert set(DEFAULTS) == set(KINDS)


def effective(stored):
    """Defaults overlaid with what the participant chose.

    ``stored`` is ``{(kind, channel): frequency}`` or the nested dict form.
    """
    result = {kind: dict(channels) for kind, channels in DEFAULTS.items()}
    for (kind, channel), frequency in _pairs(stored):
        if kind in result and channel in CHANNELS:
            result[kind][channel] = frequency
    return result


def _pairs(stored):
    if not stored:
        return []
    if all(isinstance(k, tuple) for k in stored):
        return list(stored.items())
    return [((kind, channel), freq) for kind, channels in stored.items() for channel, freq in channels.items()]


def validate(update):
    """A nested ``{kind: {channel: frequency}}`` update → ``{(kind, channel): frequency}``.

    Raises :class:`Invalid` naming every bad field; nothing partial is accepted.
    """
    errors = []
    pairs = {}
    if not isinstance(update, dict):
        raise Invalid("preferences must be an object of kinds", [{"field": "body", "message": "expected an object"}])
    for kind, channels in update.items():
        if kind not in DEFAULTS:
            errors.append({"field": kind, "message": f"unknown kind; one of {', '.join(KINDS)}"})
            continue
        if not isinstance(channels, dict):
            errors.append({"field": kind, "message": "expected an object of channels"})
            continue
        for channel, frequency in channels.items():
            if channel not in CHANNELS:
                errors.append({"field": f"{kind}.{channel}", "message": "unknown channel; one of inbox, email"})
            elif frequency not in FREQUENCIES[channel]:
                errors.append({
                    "field": f"{kind}.{channel}",
                    "message": f"must be one of {', '.join(FREQUENCIES[channel])}",
                })
            else:
                pairs[(kind, channel)] = frequency
    if errors:
        raise Invalid("the preferences are not valid", errors)
    return pairs


def unsubscribe_all(kind=None):
    """The update one-click unsubscribe applies: e-mail off for one kind, or for all."""
    kinds = [kind] if kind in DEFAULTS else list(DEFAULTS)
    return {(k, "email"): "off" for k in kinds}
