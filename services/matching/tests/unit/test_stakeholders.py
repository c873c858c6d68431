"""The stakeholder map on a hand-made municipality where the right grid is known."""
from matching.scoring import Profile, Proposal
from matching.stakeholders import stakeholder_map

PROPOSAL = Proposal(
    id="p1", municipality="hamar", title="Lys langs turstien", needs=["elektriker", "finansiering"],
    topics=["tryggheit"], area="Ottestad", language="nb", initiator_id="me",
)


def where(result, pid):
    for quadrant, entries in result["grid"].items():
        for e in entries:
            if e["participant_id"] == pid:
                return quadrant, e
    return None, None


def test_each_stakeholder_lands_in_the_quadrant_that_fits():
    P = Profile
    people = [
        P("resident", "hamar", "resident", areas=["Ottestad"], suggest_me=True),
        P("politician", "hamar", "politician", interests=["tryggheit"], suggest_me=True),
        P("planner", "hamar", "employee", suggest_me=True),
        P("bank", "hamar", "business", resources=["finansiering"], suggest_me=True),
        P("electrician", "hamar", "business", skills=["elektriker"], suggest_me=True),
        P("velforening", "hamar", "association", areas=["Ottestad"], suggest_me=True),
        P("unrelated", "hamar", "resident", interests=["sjakk"], suggest_me=True),
    ]
    result = stakeholder_map(PROPOSAL, people)
    assert where(result, "resident")[0] == "keep_informed"
    assert where(result, "politician")[0] == "manage_closely"
    assert where(result, "planner")[0] == "keep_satisfied"
    assert where(result, "bank")[0] == "keep_satisfied"
    assert where(result, "electrician")[0] == "keep_informed"
    quadrant, velforening = where(result, "velforening")
    assert quadrant == "keep_informed" and "association" in velforening["roles"]
    assert "holds_resources" in where(result, "bank")[1]["roles"]
    assert "decides" in where(result, "planner")[1]["roles"]
    assert where(result, "unrelated") == (None, None)
    assert result["gaps"] == []
    assert result["counts"] == {"manage_closely": 1, "keep_satisfied": 2, "keep_informed": 3, "monitor": 0}


def test_the_gaps_are_named_when_nobody_fills_a_role():
    people = [Profile("electrician", "hamar", "resident", skills=["elektriker"], suggest_me=True)]
    result = stakeholder_map(PROPOSAL, people)
    gaps = [g["gap"] for g in result["gaps"]]
    assert gaps == ["no_affected_residents", "no_decider", "no_business", "no_association", "needs_unmet"]
    assert result["needs_unmet"] == ["finansiering"]


def test_people_who_did_not_opt_in_are_not_on_the_map():
    people = [
        Profile("shy-politician", "hamar", "politician", interests=["tryggheit"], suggest_me=False),
        Profile("shy-resident", "hamar", "resident", areas=["Ottestad"], suggest_me=False),
    ]
    result = stakeholder_map(PROPOSAL, people)
    assert all(not entries for entries in result["grid"].values())
    assert "no_decider" in [g["gap"] for g in result["gaps"]]


def test_a_politician_of_another_municipality_does_not_decide_here():
    people = [Profile("visitor", "volda", "politician", interests=["tryggheit"], suggest_me=True,
                      neighbour_municipalities=["hamar"])]
    result = stakeholder_map(PROPOSAL, people)
    quadrant, entry = where(result, "visitor")
    assert quadrant == "keep_informed" and "decides" not in entry["roles"]
