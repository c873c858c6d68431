"""The staff's one list of open reports (issues 15 and 21), its pure parts: the excerpt
staff read, and the gateway's merge of the two services' lists (the longest waiting
first; a service that did not answer is said, not hidden)."""
import datetime as dt

from samskab.contracts.moderation import ReportedItem, ReportsDismissal, excerpt

from gateway.web.views.staff import reported

T0 = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)


def _item(kind, minutes, under="proposal"):
    at = T0 + dt.timedelta(minutes=minutes)
    return ReportedItem(kind=kind, id=f"{kind}-{minutes}", under=under, under_id="u", reports=1,
                        first_reported_at=at, last_reported_at=at, path="x")


def test_an_excerpt_is_one_line_and_cut_with_an_ellipsis():
    assert excerpt("Første linje\n\n  anden   linje") == "Første linje anden linje"
    long = "ord " * 200
    cut = excerpt(long)
    assert len(cut) == 240 and cut.endswith("…")
    assert excerpt(None) == ""


def test_the_two_lists_merge_the_longest_waiting_first():
    proposals = [_item("comment", 5), _item("question", 30)]
    meetings = [_item("meeting_comment", 10, "meeting")]
    merged, partial = reported(proposals, meetings)
    assert [i.kind for i in merged] == ["comment", "meeting_comment", "question"] and not partial


def test_a_service_that_did_not_answer_is_said():
    merged, partial = reported([_item("comment", 5)], None)
    assert [i.kind for i in merged] == ["comment"] and partial


def test_a_dismissal_names_a_known_kind_and_nothing_else():
    assert ReportsDismissal.model_validate({"kind": "meeting_attachment", "id": "6f1c1a52-4a0e-4b5e-9d1b-2c1f0a4e9d11"})
    for bad in ({"kind": "person", "id": "6f1c1a52-4a0e-4b5e-9d1b-2c1f0a4e9d11"}, {"kind": "comment", "id": "x"},
                {"kind": "comment", "id": "6f1c1a52-4a0e-4b5e-9d1b-2c1f0a4e9d11", "reporter": "y"}):
        try:
            ReportsDismissal.model_validate(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
