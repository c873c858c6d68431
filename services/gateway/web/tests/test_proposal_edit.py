"""Editing a proposal in the browser (no JavaScript), against the real platform:
the initiator changes the content, staff only the level of participation,
others see no link and are refused, bad input is shown next to its field and
stores nothing."""
import re

import pytest
import requests

from gateway.tests.support import Visitor, make_account, start_platform

pytestmark = pytest.mark.integration

M = "/municipalities/aalborg"
XSS = "<script>alert(1)</script>"
PROPOSAL = {"title": "Bænke ved Østre Anlæg", "kind": "development", "problem": "Der er ingen steder at sidde.",
            "goal": "Flere bænke langs stien.", "affected": "", "area": "Østre Anlæg", "topics": "park, ældre",
            "needs": "bænke\nfrivillige", "iap2_level": "involve", "expectations": "", "language": "da"}


@pytest.fixture
def platform(runner_factory, make_config):
    return start_platform(runner_factory, make_config, services=("proposals", "matching"))


def submit(visitor, fields):
    page = f"{M}/proposals/new"
    for step in ("mission", "affected", "needs", "expectations"):
        r = visitor.post(page, {**fields, "step": step, "go": "next"}, token_from=page)
        assert r.status_code == 200, (step, r.status_code)
    r = visitor.post(page, {**fields, "step": "review", "go": "submit"}, token_from=page)
    assert re.search(r"/proposals/[0-9a-f-]{36}\?done=submitted$", r.url), r.url
    return r.url.split("?")[0][len(visitor.base):]


def edit_form(visitor, path):
    r = visitor.get(path + "/edit")
    assert r.status_code == 200, r.status_code
    return r


def test_the_initiator_edits_the_content_from_a_prefilled_form(platform):
    base, _ = platform
    rita = Visitor(base)
    rita.register("rita@example.org")
    proposal = submit(rita, PROPOSAL)
    assert f'href="{proposal}/edit"' in rita.get(proposal).text
    form = edit_form(rita, proposal).text
    assert 'value="Bænke ved Østre Anlæg"' in form and ">Der er ingen steder at sidde.</textarea>" in form
    assert 'value="park, ældre"' in form and "bænke\nfrivillige</textarea>" in form
    assert '<option value="development" selected>' in form and '<option value="involve" selected>' in form

    r = rita.post(proposal + "/edit", {
        "title": "Bænke og skygge ved Østre Anlæg " + XSS, "kind": "development", "problem": "Ingen bænke.",
        "goal": "Ti bænke langs stien.", "description": "Ældre går ture her hver dag.", "area": "",
        "topics": "park\nældre, skygge", "needs": "bænke", "language": "da", "iap2_level": "collaborate"},
        token_from=proposal + "/edit")
    assert r.status_code == 200 and r.url.endswith("?done=proposal_saved"), r.url
    assert "Forslaget er opdateret." in r.text
    assert "Bænke og skygge ved Østre Anlæg &lt;script&gt;" in r.text and "<script>alert" not in r.text
    shown = requests.get(f"{base}/api/v1{proposal}").json()
    assert shown["goal"] == "Ti bænke langs stien." and shown["area"] is None
    assert shown["topics"] == ["park", "ældre", "skygge"] and shown["needs"] == ["bænke"]
    assert shown["description"] == "Ældre går ture her hver dag." and shown["iap2_level"] == "collaborate"

    # Sending the form unchanged changes nothing and says so.
    r = rita.post(proposal + "/edit", {"title": shown["title"], "kind": "development", "problem": "Ingen bænke.",
                                       "goal": "Ti bænke langs stien.", "description": "Ældre går ture her hver dag.",
                                       "area": "", "topics": "park, ældre, skygge", "needs": "bænke",
                                       "language": "da", "iap2_level": "collaborate"}, token_from=proposal + "/edit")
    assert r.url.endswith("?done=unchanged"), r.url


def test_a_missing_field_is_shown_next_to_it_and_nothing_is_stored(platform):
    base, _ = platform
    rita = Visitor(base)
    rita.register("rita@example.org")
    proposal = submit(rita, PROPOSAL)
    r = rita.post(proposal + "/edit", {"title": "", "kind": "poetry", "problem": "Nyt problem", "goal": "x" * 5000,
                                       "language": "da", "iap2_level": "involve"}, token_from=proposal + "/edit")
    assert r.status_code == 422
    assert 'href="#f-title"' in r.text and 'href="#f-kind"' in r.text
    assert 'id="e-title"' in r.text and 'aria-invalid="true"' in r.text
    assert ">Nyt problem</textarea>" in r.text, "what was typed is kept"
    r = rita.post(proposal + "/edit", {"title": "Bænke", "kind": "development", "problem": "Nyt problem",
                                       "goal": "x" * 5000, "language": "da", "iap2_level": "involve"},
                  token_from=proposal + "/edit")
    assert r.status_code == 422 and 'id="e-goal"' in r.text
    assert requests.get(f"{base}/api/v1{proposal}").json()["problem"] == "Der er ingen steder at sidde."


def test_staff_set_only_the_level_and_others_get_no_link_and_are_refused(platform):
    base, config = platform
    make_account(config, "staff@example.org", "employee")
    rita = Visitor(base)
    rita.register("rita@example.org")
    proposal = submit(rita, PROPOSAL)

    staff = Visitor(base)
    staff.login("staff@example.org")
    assert f'href="{proposal}/edit"' in staff.get(proposal).text
    form = edit_form(staff, proposal).text
    assert 'name="iap2_level"' in form and 'name="title"' not in form and 'name="problem"' not in form
    r = staff.post(proposal + "/edit", {"iap2_level": "consult", "title": "Overtaget"}, token_from=proposal + "/edit")
    assert r.url.endswith("?done=proposal_saved"), r.url
    shown = requests.get(f"{base}/api/v1{proposal}").json()
    assert shown["iap2_level"] == "consult" and shown["title"] == "Bænke ved Østre Anlæg"

    other = Visitor(base)
    other.register("other@example.org")
    assert f"{proposal}/edit" not in other.get(proposal).text
    assert other.get(proposal + "/edit").status_code == 403
    r = other.post(proposal + "/edit", {"title": "Kapret", "kind": "development", "problem": "p", "goal": "g",
                                        "language": "da"}, token_from=proposal)
    assert r.status_code == 403
    anonymous = Visitor(base)
    assert f"{proposal}/edit" not in anonymous.get(proposal).text
    assert "/login" in anonymous.get(proposal + "/edit").url
    # Without the form's CSRF token nothing changes.
    r = rita.post(proposal + "/edit", {"csrf_token": "forged", "title": "Forfalsket", "kind": "development",
                                       "problem": "p", "goal": "g", "language": "da"})
    assert r.status_code == 403
    assert requests.get(f"{base}/api/v1{proposal}").json()["title"] == "Bænke ved Østre Anlæg"

    # Once withdrawn the proposal is closed: no link, and the page says why.
    r = rita.post(f"{proposal}/transitions", {"to": "withdrawn", "reason": "Løst"}, token_from=proposal)
    assert "done=moved" in r.url
    assert f"{proposal}/edit" not in rita.get(proposal).text
    assert rita.get(proposal + "/edit").status_code == 409
