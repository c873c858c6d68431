"""The pure parts of erasure and export: renaming a partner in an agreement, and rows as JSON."""
import datetime as dt
import json
import uuid

from proposals.domain import replace_partner
from proposals.storage import ACTOR_COLUMNS, ERASED, supports
from proposals.views import jsonable

ANNA = "aaaaaaaa-0000-4000-8000-000000000001"
BO = "bbbbbbbb-0000-4000-8000-000000000002"


def agreement(*partners):
    return {"municipality_commitment": "Bænke", "parties": [
        {"role": "initiator", "participant_id": None, "responsibilities": ""},
        *({"role": "partner", "participant_id": p, "responsibilities": "maler"} for p in partners)]}


def test_the_erased_partner_is_renamed_and_nothing_else_changes():
    content = agreement(ANNA, BO)
    renamed, changed = replace_partner(content, ANNA, "new-id")
    assert changed is True
    assert [p["participant_id"] for p in renamed["parties"]] == [None, "new-id", BO]
    assert renamed["parties"][1]["responsibilities"] == "maler"
    assert renamed["municipality_commitment"] == "Bænke"
    assert content == agreement(ANNA, BO), "the stored content is not changed in place"


def test_an_agreement_without_the_person_is_left_as_it_is():
    content = agreement(BO)
    renamed, changed = replace_partner(content, ANNA, "new-id")
    assert changed is False and renamed == content


def test_the_erased_marker_is_the_nil_uuid_and_supports_are_not_marked_with_it():
    assert str(ERASED) == "00000000-0000-0000-0000-000000000000"
    # supports keep their one-per-participant key: they get random ids, not the shared marker
    assert all(table is not supports for table, _ in ACTOR_COLUMNS)


def test_rows_become_json():
    row = {"id": uuid.UUID(ANNA), "at": dt.datetime(2026, 11, 26, 12, tzinfo=dt.timezone.utc),
           "on": dt.date(2026, 12, 1), "nested": [{"by": uuid.UUID(BO)}], "n": 3, "text": None}
    assert json.loads(json.dumps(jsonable(row))) == {
        "id": ANNA, "at": "2026-11-26T12:00:00+00:00", "on": "2026-12-01", "nested": [{"by": BO}], "n": 3, "text": None}
