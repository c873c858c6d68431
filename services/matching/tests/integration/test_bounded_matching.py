"""The service's path to matches on real PostgreSQL: candidates bounded in the
database from ``profile_terms``, only the few that can matter fitted in Python,
and the list the same as ranking every profile by brute force."""
import uuid

import pytest
import sqlalchemy as sa

from samskab.db import driver_url

from matching import scoring
from matching.scoring import Profile, Proposal
from matching.usecases.profiles import scoped_terms as _profile_scoped_terms
from matching.views import profile_domain as _profile_domain
from matching.storage import candidate_batches, profiles, profiles_by_number, term_postings
from matching.tests.unit.test_scoring import crowd

pytestmark = pytest.mark.integration

IDS = {}
LETTERS = [a + b for a in "bdfgk" for b in "aeiou"][:25]


def pid(name):
    return IDS.setdefault(name, str(uuid.uuid5(uuid.NAMESPACE_URL, name)))


@pytest.fixture
def engine(make_database):
    engine = sa.create_engine(driver_url(make_database("matching")))
    yield engine
    engine.dispose()


def store(conn, people):
    conn.execute(profiles.insert(), [{
        "participant_id": uuid.UUID(p.participant_id), "municipality": p.municipality, "role": "resident",
        "kind": p.kind, "skills": p.skills, "interests": p.interests, "areas": p.areas, "resources": p.resources,
        "languages": p.languages, "suggest_me": p.suggest_me, "neighbour_municipalities": p.neighbour_municipalities,
        "scoped_terms": _profile_scoped_terms(p)} for p in people])


def with_uuids(people):
    out = []
    for p in people:
        out.append(Profile(pid(p.participant_id), p.municipality, p.kind, skills=p.skills, interests=p.interests,
                           areas=p.areas, resources=p.resources, languages=p.languages, suggest_me=p.suggest_me,
                           neighbour_municipalities=p.neighbour_municipalities))
    return out


def hand_made():
    P = Profile
    people = [
        P("mechanic", "aalborg", "resident", skills=["Cykelmekaniker"], areas=["Vejgaard"], interests=["mobilitet"],
          languages=["da"], suggest_me=True),
        P("association", "aalborg", "association", resources=["lokale"], areas=["Vejgaard"], suggest_me=True),
        P("bikeshop", "aalborg", "business", skills=["cykelmekaniker"], areas=["Nørresundby"], suggest_me=True),
        P("climate-fan", "aalborg", "resident", interests=["klima"], suggest_me=True),
        P("two-topics", "aalborg", "resident", interests=["klima", "mobilitet"], suggest_me=True),
        P("shy", "aalborg", "resident", skills=["cykelmekaniker"], resources=["lokale"], areas=["Vejgaard"]),
        P("hjorring-mechanic", "hjorring", "resident", skills=["cykelmekaniker"], suggest_me=True),
        P("neighbour", "hjorring", "resident", skills=["cykelmekaniker"], suggest_me=True,
          neighbour_municipalities=["aalborg"]),
        P("initiator", "aalborg", "resident", skills=["cykelmekaniker"], areas=["Vejgaard"], suggest_me=True),
        P("politician", "aalborg", "politician", areas=["Vejgaard"], interests=["klima"], suggest_me=True),
    ]
    # twelve residents who fit better than everyone above: the list must still make room for other kinds
    people += [P(f"r{i:02d}", "aalborg", "resident", skills=["cykelmekaniker"], resources=["lokale"],
                 areas=["Vejgaard"], interests=["klima"], languages=["da"], suggest_me=True) for i in range(12)]
    return with_uuids(people)


def bounded(conn, proposal, first):
    batches = candidate_batches(conn, proposal.municipality, scoring.score_bound(proposal), first=first)
    return scoring.rank_bounded(
        proposal, batches, lambda numbers: [_profile_domain(r) for r in profiles_by_number(conn, numbers)], top=10)


def same(got, expected):
    return [(m.participant_id, m.kind, m.score, m.reasons) for m in got] == \
           [(m.participant_id, m.kind, m.score, m.reasons) for m in expected]


def test_the_bounded_path_gives_the_brute_force_top_ten_on_a_hand_made_town(engine):
    people = hand_made()
    proposal = Proposal(id="p1", municipality="aalborg", needs=["cykelmekaniker", "lokale"],
                        topics=["mobilitet", "klima"], area="Vejgaard", language="da", initiator_id=pid("initiator"))
    with engine.begin() as conn:
        store(conn, people)
    expected = scoring.rank(proposal, people, top=10)
    with engine.connect() as conn:
        for first in (1, 3, 200):
            got = bounded(conn, proposal, first)
            assert same(got, expected), first
    names = {v: k for k, v in IDS.items()}
    picked = [names[m.participant_id] for m in got]
    assert {"association", "bikeshop", "politician"} <= set(picked)  # diverse, not twelve residents
    assert not {"shy", "hjorring-mechanic", "initiator", "climate-fan"} & set(picked)
    assert "two-topics" not in picked  # it would make the bar, but ten better fits fill the list


def test_the_bounded_path_gives_the_brute_force_top_ten_on_a_random_crowd(engine):
    people = crowd(800, 3)
    # people who meet the needs whose terms are past the 63rd bit
    people += [Profile(f"y{i}", "aalborg", ["resident", "business"][i % 2], skills=[f"{x}maler {x}gartner"],
                       interests=["kultur"], areas=["Hasseris"][:i % 2], suggest_me=True)
               for i, x in enumerate(LETTERS[18:] * 2)]
    people = with_uuids(people)
    with engine.begin() as conn:
        store(conn, people)
    proposals = [
        Proposal(id="a", municipality="aalborg", needs=["cykel hjælper", "værktøj"], topics=["klima", "ældre"],
                 area="Vejgaard", language="da", initiator_id=people[5].participant_id),
        Proposal(id="b", municipality="aalborg", needs=["mekaniker"], language="en"),
        Proposal(id="c", municipality="hjorring", needs=["tømrer", "lokale"], topics=["kultur", "mobilitet"]),
        # more terms than one 63-bit word holds
        Proposal(id="d", municipality="aalborg", area="Hasseris", topics=["kultur", "klima", "ældre"],
                 needs=["cykel hjælper", "værktøj", "tømrer"] + [f"{x}maler {x}snedker {x}gartner" for x in LETTERS]),
    ]
    assert len(scoring.score_bound(proposals[-1]).terms) > 63
    with engine.connect() as conn:
        for proposal in proposals:
            expected = scoring.rank(proposal, people, top=10)
            assert len(expected) == 10
            for first in (5, 200):
                assert same(bounded(conn, proposal, first), expected), (proposal.id, first)


def test_term_postings_follow_every_change_to_a_profile(engine):
    mechanic = with_uuids([Profile("m", "aalborg", "resident", skills=["cykelmekaniker"], suggest_me=True,
                                   neighbour_municipalities=["hjorring"])])[0]
    key = uuid.UUID(mechanic.participant_id)

    def postings(conn):
        """(term, kind, neighbour) of the person, as the arrays hold them."""
        number = conn.execute(sa.select(profiles.c.number).where(profiles.c.participant_id == key)).scalar()
        found = []
        for term, members in conn.execute(sa.select(term_postings.c.term, term_postings.c.members)):
            for entry in members:
                if entry >> 4 == number:
                    found.append((term, scoring.KINDS[entry & 7], bool(entry & 8)))
        return sorted(found)

    with engine.begin() as conn:
        store(conn, [mechanic])
        assert ("aalborg|s:cykelmekanik", "resident", False) in postings(conn)
        assert ("hjorring|s:cykelmekanik", "resident", True) in postings(conn)
        conn.execute(profiles.update().where(profiles.c.participant_id == key).values(kind="business"))
        assert {kind for _, kind, _ in postings(conn)} == {"business"}
        conn.execute(profiles.update().where(profiles.c.participant_id == key).values(scoped_terms=[]))
        assert postings(conn) == []  # opted out: found by no proposal
        conn.execute(profiles.update().where(profiles.c.participant_id == key).values(
            scoped_terms=_profile_scoped_terms(mechanic)))
        assert len(postings(conn)) == len(_profile_scoped_terms(mechanic))
        number = conn.execute(sa.select(profiles.c.number).where(profiles.c.participant_id == key)).scalar()
        conn.execute(profiles.delete().where(profiles.c.participant_id == key))
        left = [e for (members,) in conn.execute(sa.select(term_postings.c.members)) for e in members]
        assert not [e for e in left if e >> 4 == number]  # erased: nothing of the person is left
