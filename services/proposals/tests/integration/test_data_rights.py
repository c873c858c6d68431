"""A person's rights over what the proposals service holds: the export lists it, and
erasing the account (DELETE /api/v1/me) unlinks the person from every row while the
public co-created content and its counts stay.  Real gateway and proposals services."""
import json
import time

import pytest
import requests
import sqlalchemy as sa

from samskab import events
from samskab.amqp_publish import ConfirmingPublisher
from samskab.db import outbox, processed_events
from samskab.testing import mentions, http_port, unit_of_work

from gateway.accounts.storage import accounts
from gateway.service import Service as Gateway
from proposals.service import Service as Proposals
from proposals.storage import ERASED

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


def proposal(title):
    return {"kind": "service", "title": title, "problem": f"{title}: problemet.", "goal": f"{title}: målet.",
            "language": "da"}


def ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Site:
    def __init__(self, base, gateway_db, proposals_db, amqp_uri):
        self.api, self.gateway_db, self.db, self.amqp_uri = base, gateway_db, proposals_db, amqp_uri

    def register(self, email, role=None):
        r = ok(requests.post(f"{self.api}/auth/register", json={
            "email": email, "password": PASSWORD, "display_name": "Someone", "municipality": "aalborg"}), 201)
        if role is not None:  # staff are made by an operator; here straight in the gateway's table
            with unit_of_work(self.gateway_db) as uow:
                uow.execute(accounts.update().where(accounts.c.id == r["id"]).values(role=role))
        token = ok(requests.post(f"{self.api}/auth/token", json={"email": email, "password": PASSWORD}))
        return r["id"], {"Authorization": f"Bearer {token['access_token']}"}

    def p(self, pid, rest=""):
        return f"{self.api}/municipalities/aalborg/proposals/{pid}{rest}"

    def mentions(self, person):
        return mentions(self.db, person)

    def snapshot(self):
        """Every row of every table but the backbone's (as text, sorted)."""
        with unit_of_work(self.db) as uow:
            tables = uow.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND "
                                         "tablename NOT IN ('processed_events', 'alembic_version')")).scalars().all()
            return {t: sorted(uow.execute(sa.text(f'SELECT r::text FROM "{t}" AS r')).scalars().all()) for t in tables}

    def erasures_handled(self):
        with unit_of_work(self.db) as uow:
            return uow.execute(sa.select(sa.func.count()).select_from(processed_events).where(
                processed_events.c.consumer == "proposals.on_participant_erased")).scalar()

    def unpublished(self):
        with unit_of_work(self.db) as uow:
            return uow.execute(sa.select(sa.func.count()).select_from(outbox)
                               .where(outbox.c.published_at.is_(None))).scalar()


def wait_for(check, timeout=15.0):
    deadline = time.time() + timeout
    while True:
        result = check()
        if result or time.time() > deadline:
            return result
        time.sleep(0.05)


@pytest.fixture
def site(runner_factory, make_config, broker_uri):
    gateway_config, proposals_config = make_config("gateway"), make_config("proposals")
    gateway = runner_factory(gateway_config, Gateway)
    proposals = runner_factory(proposals_config, Proposals)
    gateway.start()
    proposals.start()
    base = f"http://127.0.0.1:{http_port(gateway.service_map['gateway'])}/api/v1"
    return Site(base, gateway_config["DATABASE_URL"], proposals_config["DATABASE_URL"], broker_uri)


def test_erasure_unlinks_the_person_everywhere_and_keeps_the_public_content_and_counts(site):
    s = site
    anna_id, anna = s.register("anna@example.org")
    bo_id, bo = s.register("bo@example.org")
    _, staff = s.register("jens.kommune@example.org", role="employee")

    # Anna starts a proposal, keeps a draft and withdraws another before submitting it.
    p1 = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals", json=proposal("Lys på stien"), headers=anna), 201)["id"]
    draft = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals",
                             json={**proposal("Kladde"), "submit": False}, headers=anna), 201)["id"]
    withdrawn = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals",
                                 json={**proposal("Fortrudt"), "submit": False}, headers=anna), 201)["id"]
    ok(requests.post(s.p(withdrawn, "/transitions"), json={"to": "withdrawn"}, headers=anna))
    assert requests.get(s.p(withdrawn, "")).status_code == 404, "a withdrawn draft is discarded, never shown"
    p2 = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals", json=proposal("Bænke i parken"), headers=bo), 201)["id"]
    for pid in (p1, p2):
        ok(requests.post(s.p(pid, "/transitions"), json={"to": "published"}, headers=staff))

    # On Bo's proposal Anna supports, follows, asks, reports, and is a partner of the agreement.
    ok(requests.post(s.p(p2, "/supports"), headers=anna), 201)
    ok(requests.post(s.p(p2, "/follows"), headers=anna))
    question = ok(requests.post(s.p(p2, "/questions"), json={"body": "Hvor mange bænke?"}, headers=anna), 201)
    ok(requests.post(s.p(p2, "/reports"), json={"target_type": "proposal", "target_id": p2,
                                                "reason": "Det samme som et andet forslag"}, headers=anna), 201)
    ok(requests.put(s.p(p2, "/agreement"), headers=bo, json={
        "parties": [{"role": "partner", "participant_id": anna_id, "responsibilities": "maler bænkene"}],
        "municipality_commitment": "Kommunen leverer bænkene.", "iap2_level": "collaborate",
        "decision_maker": "Teknik- og Miljøudvalget"}))
    ok(requests.post(s.p(p2, "/agreement/acceptances"), json={"version": 1}, headers=anna))
    for headers in (bo, staff):
        ok(requests.post(s.p(p2, "/agreement/acceptances"), json={"version": 1}, headers=headers))
    # On her own: Bo supports and asks, Anna answers, posts an update, records an experiment, moves it on.
    ok(requests.post(s.p(p1, "/supports"), headers=bo), 201)
    bos_question = ok(requests.post(s.p(p1, "/questions"), json={"body": "Hvornår?"}, headers=bo), 201)
    ok(requests.post(s.p(p1, f"/questions/{bos_question['id']}/answers"), json={"body": "Til vinter."}, headers=anna), 201)
    ok(requests.post(s.p(p1, "/updates"), json={"body": "Lamperne er bestilt."}, headers=anna), 201)
    ok(requests.post(s.p(p1, "/experiments"), headers=anna, json={
        "hypothesis": "Lys gør stien tryg", "intervention": "Midlertidige lamper", "starts_on": "2026-12-01"}), 201)
    ok(requests.post(s.p(p1, "/transitions"), json={"to": "forming"}, headers=anna))

    exported = ok(requests.get(f"{s.api}/me/export", headers=anna))["proposals"]
    assert exported["participant_id"] == anna_id
    assert sorted(p["title"] for p in exported["proposals"]) == ["Kladde", "Lys på stien"]
    assert [x["proposal_id"] for x in exported["supports"]] == [p2]
    assert [x["proposal_id"] for x in exported["follows"]] == [p2]
    assert [q["body"] for q in exported["questions"]] == ["Hvor mange bænke?"]
    assert [a["body"] for a in exported["answers"]] == ["Til vinter."]
    assert [u["body"] for u in exported["updates"]] == ["Lamperne er bestilt."]
    assert [e["hypothesis"] for e in exported["experiments"]] == ["Lys gør stien tryg"]
    assert [a["party"] for a in exported["agreement_acceptances"]] == [f"partner:{anna_id}"]
    assert exported["agreement_partner_of"][0]["party"]["responsibilities"] == "maler bænkene"
    assert [r["reason"] for r in exported["reports"]] == ["Det samme som et andet forslag"]
    assert [(c["proposal_id"], c["to_status"]) for c in exported["status_changes"]] == [
        (p1, "submitted"), (p1, "forming")]
    assert "anna@example.org" not in json.dumps(exported)
    bo_before = ok(requests.get(f"{s.api}/me/export", headers=bo))["proposals"]
    agreement_before = ok(requests.get(s.p(p2, "/agreement")))
    assert agreement_before["accepted"] is True
    assert wait_for(lambda: s.unpublished() == 0)
    assert s.mentions(anna_id), "the check below can find the person"

    assert requests.delete(f"{s.api}/me", headers=anna).status_code == 204
    assert wait_for(lambda: s.erasures_handled() == 1)
    assert s.mentions(anna_id) == {}

    # What the public co-created is still there, with its counts.
    listed = {p["id"]: p for p in ok(requests.get(f"{s.api}/municipalities/aalborg/proposals"))}
    assert set(listed) == {p1, p2}
    assert (listed[p1]["title"], listed[p1]["problem"], listed[p1]["status"]) == (
        "Lys på stien", "Lys på stien: problemet.", "forming")
    assert (listed[p1]["support_count"], listed[p2]["support_count"]) == (1, 1)
    assert ok(requests.get(s.p(p1), headers=staff))["initiator_id"] == str(ERASED)
    assert [q["body"] for q in ok(requests.get(s.p(p2, "/questions")))] == [question["body"]]
    assert [a["body"] for q in ok(requests.get(s.p(p1, "/questions"))) for a in q["answers"]] == ["Til vinter."]
    assert [u["body"] for u in ok(requests.get(s.p(p1, "/updates")))] == ["Lamperne er bestilt."]
    assert [e["hypothesis"] for e in ok(requests.get(s.p(p1, "/experiments")))] == ["Lys gør stien tryg"]
    assert [h["to_status"] for h in ok(requests.get(s.p(p1, "/transitions")))] == ["submitted", "published", "forming"]
    agreement = ok(requests.get(s.p(p2, "/agreement")))
    assert agreement["accepted"] is True and len(agreement["accepted_parties"]) == len(agreement_before["accepted_parties"])
    [partner] = [p for p in agreement["parties"] if p["role"] == "partner"]
    assert partner["responsibilities"] == "maler bænkene" and f"partner:{partner['participant_id']}" in agreement["accepted_parties"]
    # Drafts, and what was withdrawn before it was ever submitted, are gone.
    for gone in (draft, withdrawn):
        assert requests.get(s.p(gone), headers=staff).status_code == 404

    # Bo's own data is untouched (his agreement names the partner by a new, random id now).
    bo_after = ok(requests.get(f"{s.api}/me/export", headers=bo))["proposals"]
    for drafted in (bo_before, bo_after):
        for version in drafted["agreement_versions_drafted"]:
            version["content"]["parties"] = [p["role"] for p in version["content"]["parties"]]
    assert bo_after == bo_before


def test_a_second_erasure_of_the_same_person_changes_nothing(site):
    s = site
    anna_id, anna = s.register("anna@example.org")
    bo_id, bo = s.register("bo@example.org")
    _, staff = s.register("jens.kommune@example.org", role="employee")
    pid = ok(requests.post(f"{s.api}/municipalities/aalborg/proposals", json=proposal("Lys på stien"), headers=bo), 201)["id"]
    ok(requests.post(s.p(pid, "/transitions"), json={"to": "published"}, headers=staff))
    ok(requests.post(s.p(pid, "/supports"), headers=anna), 201)
    ok(requests.post(s.p(pid, "/questions"), json={"body": "Hvornår?"}, headers=anna), 201)
    assert requests.delete(f"{s.api}/me", headers=anna).status_code == 204
    assert wait_for(lambda: s.erasures_handled() == 1)
    before = s.snapshot()

    # The gateway already revoked the account; the same erasure arrives again as a new event.
    envelope = events.make("samskab.participant.erased", municipality="aalborg", service="gateway",
                           subject=f"participants/{anna_id}", data={"id": anna_id, "municipality": "aalborg"})
    publisher = ConfirmingPublisher(s.amqp_uri)
    try:
        publisher.publish_batch([(events.EVENTS_EXCHANGE, "aalborg.participant.erased", envelope)])
    finally:
        publisher.close()
    assert wait_for(lambda: s.erasures_handled() == 2)
    assert s.snapshot() == before
    assert ok(requests.get(s.p(pid, "/supports")))["support_count"] == 1
    assert s.mentions(anna_id) == {}


def test_the_export_of_someone_who_did_nothing_here_is_empty(site):
    s = site
    _, headers = s.register("ny@example.org")
    exported = ok(requests.get(f"{s.api}/me/export", headers=headers))["proposals"]
    assert {k: v for k, v in exported.items() if k != "participant_id"} == {
        k: [] for k in ("proposals", "supports", "follows", "questions", "answers", "updates", "experiments",
                        "agreement_versions_drafted", "agreement_partner_of", "agreement_acceptances",
                        "status_changes", "reports", "report_decisions", "attachments")}
