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


# -- the bounded path: what the service reads from PostgreSQL, without the database ----------

def bounded_batches(proposal, profiles, size):
    """What ``storage.candidate_batches`` yields, computed in memory."""
    from matching.scoring import profile_terms, score_bound

    bound = score_bound(proposal)
    rows = []
    for p in profiles:
        if not p.suggest_me or p.participant_id == proposal.initiator_id:
            continue
        if proposal.municipality not in [p.municipality] + list(p.neighbour_municipalities):
            continue
        b = bound.of(bound.mask(profile_terms(p)), p.municipality != proposal.municipality)
        if b >= 2:
            rows.append((p.participant_id, p.kind, b))
    by_kind = {}
    for pid, kind, b in sorted(rows, key=lambda r: (-r[2], r[0])):
        by_kind.setdefault(kind, []).append((pid, kind, b))
    ranked = sorted(((pid, kind, b, i + 1, len(items)) for items in by_kind.values()
                     for i, (pid, kind, b) in enumerate(items)), key=lambda r: (r[3], r[1]))
    return [ranked[i:i + size] for i in range(0, len(ranked), size)]


def crowd(n, seed):
    import random
    rng = random.Random(seed)
    skills = ["cykelmekaniker", "cykel hjælper", "bygge rådgiver", "tømrer", "it underviser", "mekaniker"]
    resources = ["lokale", "værktøj", "varevogn", "mødelokale"]
    topics = ["mobilitet", "klima", "ældre", "kultur"]
    kinds = ["resident"] * 6 + ["business", "association", "politician", "employee"]
    return [Profile(f"x{i:04d}", rng.choice(["aalborg", "aalborg", "hjorring"]), rng.choice(kinds),
                    skills=rng.sample(skills, rng.randint(0, 2)), resources=rng.sample(resources, rng.randint(0, 1)),
                    interests=rng.sample(topics, rng.randint(0, 3)),
                    areas=rng.sample(["Vejgaard", "Hasseris", "vejgaard"], rng.randint(0, 1)),
                    languages=rng.sample(["da", "en"], rng.randint(0, 1)), suggest_me=rng.random() < 0.8,
                    neighbour_municipalities=["aalborg"] if rng.random() < 0.3 else [])
            for i in range(n)]


def test_the_score_bound_never_undercuts_the_score():
    from matching.scoring import fit, profile_terms, score_bound

    bound = score_bound(PROPOSAL)
    for p in town() + crowd(400, 1):
        score = fit(PROPOSAL, p)[0]
        assert bound.of(bound.mask(profile_terms(p)), p.municipality != PROPOSAL.municipality) >= score - 1e-9


def test_a_common_word_shared_with_a_need_bounds_it_as_partly_met():
    from matching.scoring import profile_terms, score_bound

    proposal = Proposal(id="p5", municipality="aalborg", needs=["cykel mekaniker"])
    bound = score_bound(proposal)
    partly = Profile("m", "aalborg", skills=["bil mekaniker"], suggest_me=True)
    fully = Profile("c", "aalborg", skills=["cykel mekaniker"], suggest_me=True)
    assert bound.of(bound.mask(profile_terms(partly))) == 1.5 + 0.25
    assert bound.of(bound.mask(profile_terms(fully))) == 3 + 0.25


def test_reading_by_bound_gives_the_same_list_as_ranking_everyone():
    from matching.scoring import rank_bounded

    proposals = [PROPOSAL,
                 Proposal(id="p6", municipality="aalborg", needs=["cykel hjælper", "værktøj"], topics=["klima", "ældre"],
                          area="Vejgaard", initiator_id="x0003"),
                 Proposal(id="p7", municipality="aalborg", topics=["mobilitet", "klima", "kultur"])]
    people = town() + crowd(600, 2)
    for proposal in proposals:
        expected = rank(proposal, people, top=10)
        by_id = {p.participant_id: p for p in people}
        for size in (1, 7, 50, 10_000):
            read = []

            def load(ids):
                read.extend(ids)
                return [by_id[i] for i in ids]

            got = rank_bounded(proposal, bounded_batches(proposal, people, size), load, top=10)
            assert [(m.participant_id, m.score, m.reasons) for m in got] == \
                   [(m.participant_id, m.score, m.reasons) for m in expected], (proposal.id, size)
        assert len(expected) == 10


def test_two_shared_topics_are_enough_on_either_path():
    from matching.scoring import rank_bounded

    proposal = Proposal(id="p8", municipality="aalborg", topics=["mobilitet", "klima"])
    fan = Profile("fan", "aalborg", interests=["mobilitet", "klima"], suggest_me=True)
    assert [m.participant_id for m in rank(proposal, [fan])] == ["fan"]
    got = rank_bounded(proposal, bounded_batches(proposal, [fan], 10), lambda ids: [fan], top=10)
    assert [m.participant_id for m in got] == ["fan"]
