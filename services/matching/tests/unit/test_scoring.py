"""Matching on a hand-made municipality where the right answer is known."""
from matching.scoring import Profile, ProfileIndex, Proposal, rank, recommend

PROPOSAL = Proposal(
    id="p1", municipality="aalborg", title="Cykelværksted i Vejgaard",
    needs=["cykelmekaniker", "lokale"], topics=["mobilitet", "klima"], area="Vejgaard",
    language="da", initiator_id="initiator",
)


def town():
    P = Profile
    return [
        # a mechanic living in the area: meets a need, in the area, shares a topic
        P("mechanic", "aalborg", "resident", skills=["Cykelmekaniker"], areas=["Vejgaard"],
          interests=["mobilitet"], suggest_me=True, languages=["da"]),
        # the association with a room in the area
        P("association", "aalborg", "association", resources=["lokale"], areas=["Vejgaard"], suggest_me=True),
        # a business that repairs bikes, elsewhere in town
        P("bikeshop", "aalborg", "business", skills=["cykelmekaniker"], areas=["Nørresundby"], suggest_me=True),
        # only shares a topic: below the bar
        P("climate-fan", "aalborg", "resident", interests=["klima"], suggest_me=True),
        # perfect fit but did not opt in
        P("shy", "aalborg", "resident", skills=["cykelmekaniker"], resources=["lokale"], areas=["Vejgaard"],
          suggest_me=False),
        # perfect fit in another municipality, no neighbour opt-in
        P("hjorring-mechanic", "hjorring", "resident", skills=["cykelmekaniker"], suggest_me=True),
        # neighbour who opted in to Aalborg
        P("neighbour", "hjorring", "resident", skills=["cykelmekaniker"], suggest_me=True,
          neighbour_municipalities=["aalborg"]),
        # the initiator is not suggested to their own proposal
        P("initiator", "aalborg", "resident", skills=["cykelmekaniker"], areas=["Vejgaard"], suggest_me=True),
    ]


def test_the_best_fitting_people_come_first_with_reasons():
    matches = rank(PROPOSAL, town())
    ids = [m.participant_id for m in matches]
    assert ids[0] == "mechanic"
    assert set(ids) == {"mechanic", "association", "bikeshop", "neighbour"}
    mechanic = matches[0]
    assert {"type": "need", "need": "cykelmekaniker", "by": "skill", "value": "Cykelmekaniker",
            "strength": "full"} in mechanic.reasons
    assert {"type": "area", "value": "Vejgaard"} in mechanic.reasons
    assert {"type": "interests", "value": ["mobilitet"]} in mechanic.reasons
    association = next(m for m in matches if m.participant_id == "association")
    assert association.needs_met == ["lokale"]
    assert any(r["type"] == "need" and r["by"] == "resource" for r in association.reasons)


def test_opt_out_other_municipalities_and_the_initiator_are_never_suggested():
    ids = {m.participant_id for m in rank(PROPOSAL, town())}
    assert "shy" not in ids
    assert "hjorring-mechanic" not in ids
    assert "initiator" not in ids
    assert "climate-fan" not in ids  # a shared topic alone is not enough


def test_a_neighbour_who_opted_in_ranks_below_an_equal_local():
    matches = rank(PROPOSAL, town())
    scores = {m.participant_id: m.score for m in matches}
    assert scores["neighbour"] < scores["bikeshop"] + 0.01
    neighbour = next(m for m in matches if m.participant_id == "neighbour")
    assert {"type": "neighbour", "value": "hjorring"} in neighbour.reasons


def test_the_list_is_diverse_when_other_kinds_fit_too():
    # twelve residents who fit slightly better than one business and one association
    profiles = [Profile(f"r{i:02d}", "aalborg", "resident", skills=["cykelmekaniker"], resources=["lokale"],
                        suggest_me=True) for i in range(12)]
    profiles += [Profile("biz", "aalborg", "business", skills=["cykelmekaniker"], suggest_me=True),
                 Profile("assoc", "aalborg", "association", resources=["lokale"], suggest_me=True)]
    top = rank(PROPOSAL, profiles, top=10)
    kinds = [m.kind for m in top]
    assert len(top) == 10
    assert "business" in kinds and "association" in kinds
    # but with only residents fitting, the list is still full
    assert len(rank(PROPOSAL, profiles[:12], top=10)) == 10


def test_the_index_finds_the_same_people_as_ranking_everyone():
    index = ProfileIndex()
    for p in town():
        index.add(p)
    assert [m.participant_id for m in index.top(PROPOSAL)] == [m.participant_id for m in rank(PROPOSAL, town())]


def test_erasure_and_opt_out_take_people_out_of_the_index():
    index = ProfileIndex()
    for p in town():
        index.add(p)
    index.remove("mechanic")
    index.add(Profile("bikeshop", "aalborg", "business", skills=["cykelmekaniker"], suggest_me=False))
    ids = {m.participant_id for m in index.top(PROPOSAL)}
    assert "mechanic" not in ids and "bikeshop" not in ids
    assert "association" in ids


def test_a_need_in_english_meets_a_skill_in_english_inflected_differently():
    proposal = Proposal(id="p2", municipality="aalborg", needs=["bike mechanics"], language="en")
    p = Profile("m", "aalborg", "resident", skills=["bike mechanic"], suggest_me=True)
    [match] = rank(proposal, [p])
    assert match.needs_met == ["bike mechanics"]


def test_recommendations_are_published_proposals_the_person_fits():
    mechanic = town()[0]
    draft = Proposal(id="p0", municipality="aalborg", needs=["cykelmekaniker"], status="submitted")
    other = Proposal(id="p3", municipality="aalborg", needs=["revisor"], topics=["økonomi"])
    found = recommend(mechanic, [PROPOSAL, draft, other])
    assert [pid for _, pid, _, _ in found] == ["p1"]


def test_numbered_areas_are_different_places():
    proposal = Proposal(id="p4", municipality="aalborg", area="Sone 3", topics=["klima"])
    near = Profile("near", "aalborg", "resident", areas=["sone 3"], interests=["klima"], suggest_me=True)
    far = Profile("far", "aalborg", "resident", areas=["Sone 4"], interests=["klima"], suggest_me=True)
    assert [m.participant_id for m in rank(proposal, [near, far])] == ["near"]
