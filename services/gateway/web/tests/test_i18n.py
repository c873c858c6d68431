"""The words, languages and dates of the pages (fast, no I/O)."""
import datetime as dt
import pathlib
import re

import pytest

from gateway.web import i18n, security
from gateway.web.messages import MESSAGES

WEB = pathlib.Path(__file__).resolve().parents[1]
STATIC_KEY = re.compile(r"""_\(\s*["']([A-Za-z0-9_.]+)["']\s*[,)]""")

# The values a key family takes; every one of them must be translated.
FAMILIES = {
    "status.": ["draft", "submitted", "published", "forming", "active", "concluded", "withdrawn", "rejected"],
    "kind.": ["service", "development", "policy"],
    "level.": ["inform", "consult", "involve", "collaborate", "empower"],
    "role.": ["resident", "business", "association", "politician", "employee"],
    "capacity.": ["initiator", "staff", "participant"],
    "outcome.": ["implemented", "adopted", "not_pursued"],
    "outcome_kind.": ["decision", "action", "experiment"],
    "sort.": ["newest", "supported", "active"],
    "quadrant.": ["manage_closely", "keep_satisfied", "keep_informed", "monitor"],
    "gap.": ["no_affected_residents", "no_decider", "no_business", "no_association"],
    "stakeholder_role.": ["affected", "holds_resources", "has_skills", "interested", "decides", "association",
                          "business"],
    "prefs.kind.": ["meeting_change", "registration", "proposal_status", "proposal_activity", "proposal_triage",
                    "matches"],
    "freq.": ["immediate", "daily", "weekly", "off"],
    "availability.": ["weekday_daytime", "weekday_evening", "weekend", "occasional"],
    "registration.": ["confirmed", "waitlisted", "cancelled"],
    "meeting.status.": ["scheduled", "cancelled", "concluded"],
    "new.step.": ["mission", "affected", "needs", "expectations", "review"],
    "guideline.": [str(i) for i in range(1, 8)],
    "target.": ["proposal", "question", "answer", "update"],
    "reason.": ["need", "area", "interests", "language", "neighbour"],
    "place.kind.": ["library", "community_house", "school", "sports_hall", "town_hall", "other"],
    "error.": ["400", "401", "403", "404", "405", "409", "413", "422", "429", "500", "503"],
}


def used_keys():
    keys = set()
    for path in list(WEB.rglob("*.html")) + [p for p in WEB.rglob("*.py") if "tests" not in p.parts]:
        keys.update(STATIC_KEY.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_used_in_a_template_or_view_is_translated_into_all_four_languages():
    missing = sorted(k for k in used_keys() if k not in MESSAGES)
    assert missing == []
    for family, values in FAMILIES.items():
        for value in values:
            assert family + value in MESSAGES, family + value
    for code in ("400", "401", "403", "404", "405", "409", "413", "422", "429", "500", "503"):
        assert f"error.{code}.text" in MESSAGES
    empty = [k for k, texts in MESSAGES.items() if any(not t for t in texts)]
    assert empty == []


def test_placeholders_are_the_same_in_every_language():
    for key, texts in MESSAGES.items():
        names = {frozenset(re.findall(r"\{(\w+)\}", t)) for t in texts}
        assert len(names) == 1, key


@pytest.mark.parametrize("header, expected", [
    ("da-DK,da;q=0.9,en;q=0.8", "da"),
    ("nb-NO,nb;q=0.9", "nb"),
    ("no", "nb"),
    ("nn-NO,nn;q=0.9,nb;q=0.8", "nn"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9,en;q=0.5", "en"),
    ("fr", None),
    ("", None),
    ("en;q=0.3,da;q=0.7", "da"),
])
def test_accept_language_picks_the_best_supported_language(header, expected):
    assert i18n.from_accept_language(header) == expected


def test_a_switch_beats_the_remembered_choice_which_beats_the_account_and_the_browser():
    assert i18n.choose(switch="nn", cookie="da", account="en", accept_language="nb") == "nn"
    assert i18n.choose(cookie="da", account="en", accept_language="nb") == "da"
    assert i18n.choose(account="en", accept_language="nb") == "en"
    assert i18n.choose(accept_language="nb", municipality="da") == "nb"
    assert i18n.choose(accept_language="fr", municipality="nn") == "nn"
    assert i18n.choose(switch="xx", cookie="<script>") == "da"


def test_times_are_shown_in_the_municipality_time_zone_across_daylight_saving():
    summer = "2026-06-30T16:00:00+00:00"
    winter = "2026-12-01T17:00:00Z"
    assert i18n.format_datetime(summer, "da", "Europe/Copenhagen") == "30. juni 2026 kl. 18.00"
    assert i18n.format_datetime(winter, "da", "Europe/Copenhagen") == "1. december 2026 kl. 18.00"
    assert i18n.format_datetime(winter, "nb", "Europe/Oslo", weekday=True) == "tirsdag 1. desember 2026 kl. 18.00"
    assert i18n.format_datetime(winter, "nn", "Europe/Oslo", weekday=True) == "tysdag 1. desember 2026 kl. 18.00"
    assert i18n.format_datetime(winter, "en", "Europe/Oslo") == "1 December 2026 at 18:00"
    # Just before midnight UTC is already the next day in Copenhagen.
    assert i18n.format_date("2026-12-31T23:30:00Z", "en", "Europe/Copenhagen") == "1 January 2027"
    assert i18n.format_date(dt.date(2027, 3, 1), "da") == "1. marts 2027"


def test_csrf_tokens_are_bound_to_the_browser_and_the_session():
    token = security.csrf_token("k", "browser-1", "session-a")
    assert security.csrf_valid("k", "browser-1", "session-a", token)
    assert not security.csrf_valid("k", "browser-2", "session-a", token)
    assert not security.csrf_valid("k", "browser-1", "session-b", token)


def test_a_form_opened_before_a_key_rotation_is_still_accepted_while_the_old_key_is_listed():
    token = security.csrf_token("old-key", "browser-1", "s")
    assert security.csrf_valid("new-key,old-key", "browser-1", "s", token)
    assert not security.csrf_valid("new-key", "browser-1", "s", token)
    assert not security.csrf_valid("other-key", "browser-1", "session-a", token)
    assert not security.csrf_valid("k", "browser-1", "session-a", "")
    assert not security.csrf_valid("k", "", "session-a", token)


@pytest.mark.parametrize("target, expected", [
    ("/me", "/me"), ("/municipalities/aalborg/proposals?q=x", "/municipalities/aalborg/proposals?q=x"),
    ("//evil.example/x", "/"), ("https://evil.example", "/"), ("/\\evil.example", "/"), ("", "/"), (None, "/"),
])
def test_only_local_paths_follow_a_sign_in(target, expected):
    assert security.safe_next(target) == expected


def test_cookies_are_secure_behind_https():
    assert security.is_secure("https://samskab.example", None)
    assert security.is_secure("http://localhost:8000", "https")
    assert not security.is_secure("http://localhost:8000", None)


def test_every_template_compiles():
    from gateway.web.app import env

    names = [str(p.relative_to(WEB / "templates")) for p in (WEB / "templates").rglob("*.html")]
    assert len(names) > 20
    for name in names:
        env.get_template(name)


def test_decimals_use_a_comma_in_danish_and_norwegian():
    assert i18n.format_decimal(20, "da") == "20,0"
    assert i18n.format_decimal(12.345, "nn", 2) == "12,35"
    assert i18n.format_decimal(0.5, "en") == "0.5"


def test_a_count_of_one_takes_the_singular():
    assert i18n.translate("da", "meeting.capacity", n=1) == "1 plads i alt"
    assert i18n.translate("da", "meeting.capacity", n=3) == "3 pladser i alt"
    assert i18n.translate("en", "proposal.supporters", n=1) == "1 supporter"
    assert i18n.translate("nn", "proposal.supporters", n=0) == "0 støttarar"
    assert i18n.translate("da", "proposal.supporters", n=0) == "0 støttere"
    assert i18n.translate("nb", "proposal.supporters", n=2) == "2 støttere"
    assert i18n.translate("nb", "proposal.supporters", n=1) == "1 støtter"


def test_times_take_a_full_stop_in_danish_and_norwegian_and_months_are_lower_case():
    moment = "2026-12-06T09:34:00Z"
    assert i18n.format_time(moment, "nb", "Europe/Oslo") == "10.34"
    assert i18n.format_datetime(moment, "nn", "Europe/Oslo") == "6. desember 2026 kl. 10.34"
    assert i18n.format_datetime(moment, "en", "Europe/Oslo") == "6 December 2026 at 10:34"
    assert i18n.MONTHS["da"][11] == "december" and i18n.WEEKDAYS["nn"][6] == "søndag"
