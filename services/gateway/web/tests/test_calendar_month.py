"""The meetings calendar as a month: weeks as rows from Monday, each meeting on the
day it starts in the municipality's time zone, months by query parameter, the
names in the reader's language; the list stays as the other view."""
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import requests

from gateway.web import i18n
from gateway.tests.support import PASSWORD, Visitor, make_account, start_platform
from gateway.web.views.meetings import month_weeks, parse_month, shift_month

M = "/municipalities/aalborg"


# -- the grid (fast, no I/O) --------------------------------------------------------------

def test_weeks_start_on_monday_and_cover_the_whole_month():
    weeks = month_weeks(2027, 3, [], "Europe/Copenhagen")
    assert all(len(week) == 7 for week in weeks)
    assert [d["date"].weekday() for d in weeks[0]] == list(range(7))
    days = [d["date"] for week in weeks for d in week if d["in_month"]]
    assert days[0] == dt.date(2027, 3, 1) and days[-1] == dt.date(2027, 3, 31) and len(days) == 31
    # 1 March 2027 is a Monday: nothing of February shows before it.
    assert weeks[0][0]["date"] == dt.date(2027, 3, 1)
    assert weeks[0][0]["in_month"] and not weeks[-1][-1]["in_month"]


def test_a_meeting_sits_on_the_day_it_starts_in_the_municipality_time_zone():
    late = {"id": "a", "starts_at": "2027-03-31T22:30:00+00:00"}   # 00:30 on 1 April in Copenhagen
    evening = {"id": "b", "starts_at": "2027-03-15T17:00:00Z"}
    early = {"id": "c", "starts_at": "2027-03-15T07:00:00Z"}
    april = month_weeks(2027, 4, [late], "Europe/Copenhagen")
    first = next(d for week in april for d in week if d["date"] == dt.date(2027, 4, 1))
    assert [m["id"] for m in first["meetings"]] == ["a"]
    march = month_weeks(2027, 3, [late, evening, early], "Europe/Copenhagen")
    by_day = {d["date"]: [m["id"] for m in d["meetings"]] for week in march for d in week if d["meetings"]}
    assert by_day == {dt.date(2027, 3, 15): ["c", "b"]}
    # In UTC the late meeting is on 31 March.
    assert any(d["meetings"] for week in month_weeks(2027, 3, [late], "UTC") for d in week
               if d["date"] == dt.date(2027, 3, 31))


def test_months_come_from_the_query_and_step_across_years():
    today = dt.date(2027, 1, 20)
    assert parse_month("", today) == (2027, 1) and parse_month(None, today) == (2027, 1)
    assert parse_month("2027-12", today) == (2027, 12)
    for bad in ("2027-13", "2027-1", "27-01", "1999-12", "2027-00", "<script>"):
        assert parse_month(bad, today) is None, bad
    assert shift_month(2027, 1, -1) == (2026, 12) and shift_month(2026, 12, 1) == (2027, 1)


def test_month_and_weekday_names_exist_in_all_four_languages():
    for lang in i18n.LANGUAGES:
        assert len(i18n.MONTHS[lang]) == 12 and len(i18n.WEEKDAYS[lang]) == 7
    assert i18n.WEEKDAYS["nn"][0] == "måndag" and i18n.WEEKDAYS["en"][0] == "Monday"


# -- the page against the real platform ------------------------------------------------------

@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("meetings",))


def schedule(base, headers, title, starts):
    r = requests.post(f"{base}/api/v1{M}/meetings", headers=headers, json={
        "title": title, "format": "theme_workshop", "purpose": "Hvad prøver vi først?",
        "promise": "Vi vælger sammen.", "starts_at": starts.strftime("%Y-%m-%dT%H:%M:%S"),
        "ends_at": (starts + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
        "online_url": "https://meet.example.org/x", "capacity": 10})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def cell(html, day):
    found = re.search(rf'<time datetime="{day.isoformat()}"[^>]*>.*?</td>', html, re.S)
    assert found, f"no cell for {day}"
    return found.group(0)


@pytest.mark.integration
def test_the_month_page_shows_each_meeting_on_its_day_with_links_and_names_in_each_language(platform):
    base, config = platform
    make_account(config, "staff@example.org", "employee")
    token = requests.post(f"{base}/api/v1/auth/token", json={"email": "staff@example.org", "password": PASSWORD})
    staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
    zone = ZoneInfo("Europe/Copenhagen")
    today = dt.datetime.now(zone).date()
    year, month = shift_month(today.year, today.month, 2)
    first = dt.datetime(year, month, 1, 0, 30)             # just after midnight, local time: still day 1
    fifteenth = dt.datetime(year, month, 15, 18, 0)
    a = schedule(base, staff, "Natlig <b>vandring</b>", first)
    b = schedule(base, staff, "Temaværksted", fifteenth)
    later = schedule(base, staff, "Næste måned", dt.datetime(*shift_month(year, month, 1), 3, 10, 0))

    visitor = Visitor(base)
    page = f"{M}/meetings?month={year:04d}-{month:02d}"
    r = visitor.get(page)
    assert r.status_code == 200
    html = r.text
    assert f'href="{M}/meetings/{a}"' in cell(html, dt.date(year, month, 1))
    assert "00.30 Natlig &lt;b&gt;vandring&lt;/b&gt;" in cell(html, dt.date(year, month, 1))
    assert f'href="{M}/meetings/{b}"' in cell(html, dt.date(year, month, 15))
    assert "18.00 Temaværksted" in html and later not in html
    assert "2 møder denne måned." in html
    month_name = i18n.MONTHS["da"][month - 1].capitalize()
    assert f'<h2 id="month-title">{month_name} {year}</h2>' in html
    assert '<th scope="col"><span aria-hidden="true">Man</span><span class="sr-only">mandag</span></th>' in html
    assert html.index(">mandag<") < html.index(">søndag<")
    assert html.count('<tr>') - 1 in (4, 5, 6)  # the header row and one row a week
    ny, nm = shift_month(year, month, 1)
    assert f'href="{M}/meetings?month={ny:04d}-{nm:02d}" rel="next"' in html
    py, pm = shift_month(year, month, -1)
    assert f'href="{M}/meetings?month={py:04d}-{pm:02d}" rel="prev"' in html
    # Following "next" shows the next month's meeting.
    assert f'href="{M}/meetings/{later}"' in visitor.get(f"{M}/meetings?month={ny:04d}-{nm:02d}").text

    for lang, weekday, word in (("nb", "mandag", "Uke"), ("nn", "måndag", "Veke"), ("en", "Monday", "Week")):
        html = visitor.get(page + f"&lang={lang}").text
        assert f'<html lang="{lang}"' in html
        assert f"{i18n.MONTHS[lang][month - 1].capitalize()} {year}" in html
        assert f'<span class="sr-only">{weekday}</span>' in html and f'<th scope="col">{word}</th>' in html
    assert "00:30 Natlig" in visitor.get(page + "&lang=en").text

    # Without a month: this month, with today marked; the list is the other view.
    html = visitor.get(f"{M}/meetings").text
    assert 'aria-current="date"' in cell(html, today)
    listing = visitor.get(f"{M}/meetings?view=list").text
    assert f'href="{M}/meetings/{a}"' in listing and f'href="{M}/meetings/{later}"' in listing
    assert f'href="{M}/meetings"' in listing

    # A month that is not one: a clear error, in the reader's language.
    r = visitor.get(f"{M}/meetings?month=2027-13")
    assert r.status_code == 422 and "YYYY-MM" in r.text


@pytest.mark.integration
def test_a_month_asks_for_its_own_meetings_and_says_so_when_it_holds_more_than_the_page_shows(platform, monkeypatch):
    from gateway.web.views import meetings as view

    base, config = platform
    make_account(config, "staff2@example.org", "employee")
    token = requests.post(f"{base}/api/v1/auth/token", json={"email": "staff2@example.org", "password": PASSWORD})
    staff = {"Authorization": f"Bearer {token.json()['access_token']}"}
    monkeypatch.setattr(view, "MONTH_LIMIT", 2)
    today = dt.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    busy = shift_month(today.year, today.month, 3)
    quiet = shift_month(*busy, 1)
    crowded = [schedule(base, staff, f"Møde {day}", dt.datetime(*busy, day, 17, 0)) for day in (3, 4, 5)]
    # the last hour of the quiet month's last day, local time, is still that month (UTC is an hour or two behind)
    last_day = (dt.date(*shift_month(*quiet, 1), 1) - dt.timedelta(days=1)).day
    calm = [schedule(base, staff, "Sidst på måneden", dt.datetime(*quiet, last_day, 23, 30)),
            schedule(base, staff, "Først på måneden", dt.datetime(*quiet, 1, 0, 15))]

    visitor = Visitor(base)
    html = visitor.get(f"{M}/meetings?month={busy[0]:04d}-{busy[1]:02d}").text
    assert "Der er flere end 2 møder i denne måned." in html
    assert [mid in html for mid in crowded] == [True, True, False]  # the first two by start
    assert "møder denne måned." not in html.replace("flere end 2 møder i denne måned", "")
    english = visitor.get(f"{M}/meetings?month={busy[0]:04d}-{busy[1]:02d}&lang=en").text
    assert "There are more than 2 meetings this month." in english

    # the next month is asked for by itself: both its meetings, no notice, though the month before is full
    html = visitor.get(f"{M}/meetings?month={quiet[0]:04d}-{quiet[1]:02d}&lang=da").text
    assert all(f'href="{M}/meetings/{mid}"' in html for mid in calm)
    assert not any(mid in html for mid in crowded)
    assert "flere end" not in html and "2 møder denne måned." in html
