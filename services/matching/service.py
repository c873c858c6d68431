"""The matching service's nameko entrypoints: events and RPC in, the domain
modules (scoring, similar, stakeholders, panels) in the middle, tables and
events out.  Every change and the events it causes commit in one transaction.
"""
import datetime as dt
import logging
import secrets
import uuid

import eventlet.tpool
import sqlalchemy as sa
from nameko.dependency_providers import Config
from pydantic import ValidationError
from sqlalchemy.dialects import postgresql as pg

from samskab.consumer import consume
from samskab.contracts.matching import (
    MatchesSuggested, PanelRequest, PanelSelected, Profile as ProfileIn, SimilarFound,
)
from samskab.db import Database
from samskab.errors import Forbidden, Invalid, NotFound
from samskab.health import Health
from samskab.municipalities import catalogue
from samskab.service import ServiceBase, rpc

from . import panels as panel_domain
from . import scoring, similar, stakeholders
from .storage import (
    candidate_batches, matches, panels, profiles, profiles_by_number, proposals, similar_proposals, term_frequencies,
)

log = logging.getLogger(__name__)

KINDS = ("resident", "business", "association", "politician", "employee")
MATCHABLE = ("published", "forming", "active")   # statuses where a proposal gathers people
CANDIDATE_POOL = 300


def _now():
    return dt.datetime.now(dt.timezone.utc)


def _uuid(value, what="proposal"):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(f"no such {what}")


def _errors(exc):
    return [{"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()]


def _profile_domain(row):
    return scoring.Profile(
        participant_id=str(row.participant_id), municipality=row.municipality,
        kind=row.kind or (row.role if row.role in KINDS else "resident"),
        skills=list(row.skills), interests=list(row.interests), areas=list(row.areas),
        resources=list(row.resources), availability=list(row.availability), languages=list(row.languages),
        suggest_me=row.suggest_me, neighbour_municipalities=list(row.neighbour_municipalities),
    )


def _proposal_domain(row):
    return scoring.Proposal(
        id=str(row.id), municipality=row.municipality, title=row.title, needs=list(row.needs),
        topics=list(row.topics), area=row.area, language=row.language,
        initiator_id=str(row.initiator_id) if row.initiator_id else None,
        status="published" if row.status in MATCHABLE else row.status,
    )


def _profile_out(row):
    p = _profile_domain(row)
    return {
        "participant_id": p.participant_id, "municipality": p.municipality, "kind": p.kind,
        "skills": p.skills, "interests": p.interests, "areas": p.areas, "resources": p.resources,
        "availability": p.availability, "languages": p.languages, "suggest_me": p.suggest_me,
        "neighbour_municipalities": p.neighbour_municipalities,
    }


def _scoped(scopes, terms):
    return sorted(f"{scope}|{term}" for scope in scopes for term in terms)


def _profile_scoped_terms(p):
    if not p.suggest_me:
        return []
    return _scoped([p.municipality] + list(p.neighbour_municipalities), scoring.profile_terms(p))


class Service(ServiceBase):
    name = "matching"
    environment = {"MATCHING_TOP_N": "10", "MATCHING_SIMILAR_TOP_N": "5", "MATCHING_PANEL_SECONDS": "6"}

    db = Database()
    health = Health()
    config = Config()

    @property
    def top_n(self):
        return int(self.config.get("MATCHING_TOP_N", 10))

    @property
    def similar_top_n(self):
        return int(self.config.get("MATCHING_SIMILAR_TOP_N", 5))

    # -- participants -------------------------------------------------------------

    # Every matching consumer takes one event per transaction (batch=1): a profile write
    # locks its posting lists in term order within its statement (the term_postings
    # trigger), and several writes in one transaction would take those locks out of order.
    @consume("samskab.participant.registered", "samskab.participant.updated", batch=1)
    def on_participant(self, event):
        data = event["data"]
        if data["role"] == "operator":
            return
        stmt = pg.insert(profiles).values(
            participant_id=uuid.UUID(data["id"]), municipality=data["municipality"], role=data["role"],
            updated_at=_now(),
        )
        self.db.execute(stmt.on_conflict_do_update(
            index_elements=[profiles.c.participant_id],
            set_={"municipality": stmt.excluded.municipality, "role": stmt.excluded.role},
        ))
        self._reindex_profile(uuid.UUID(data["id"]))

    @consume("samskab.participant.erased", every_municipality=True, batch=1)
    def on_erased(self, event):
        """The person vanishes from every result: profile, matches, initiator link."""
        pid = uuid.UUID(event["data"]["id"])
        self.db.execute(profiles.delete().where(profiles.c.participant_id == pid))
        self.db.execute(matches.delete().where(matches.c.participant_id == pid))
        self.db.execute(proposals.update().where(proposals.c.initiator_id == pid).values(initiator_id=None))

    def _reindex_profile(self, pid):
        row = self.db.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
        if row is not None:
            self.db.execute(profiles.update().where(profiles.c.participant_id == pid).values(
                scoped_terms=_profile_scoped_terms(_profile_domain(row))))

    @rpc
    def export_participant(self, participant_id):
        """What matching holds about a person: the profile and the matches made for them."""
        pid = uuid.UUID(str(participant_id))
        with self.db as uow:
            profile = uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
            rows = uow.execute(
                sa.select(matches, proposals.c.title)
                .join(proposals, proposals.c.id == matches.c.proposal_id, isouter=True)
                .where(matches.c.participant_id == pid).order_by(matches.c.computed_at)).all()
        return {
            "profile": _profile_out(profile) if profile is not None else None,
            "matches": [{
                "proposal_id": str(r.proposal_id), "proposal_title": r.title, "municipality": r.municipality,
                "rank": r.rank, "score": r.score, "reasons": r.reasons, "computed_at": r.computed_at.isoformat(),
            } for r in rows],
        }

    @rpc
    def get_profile(self, actor):
        pid = self._me(actor)
        with self.db as uow:
            row = uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
        if row is None:
            return self._blank(actor)
        return _profile_out(row)

    @rpc
    def put_profile(self, actor, payload):
        pid = self._me(actor)
        try:
            body = ProfileIn.model_validate(payload)
        except ValidationError as exc:
            raise Invalid("the profile is not valid", _errors(exc))
        municipality = actor["municipality"]
        neighbours = sorted(set(body.neighbour_municipalities) - {municipality})
        known = catalogue(self.config.get("MUNICIPALITY_CATALOG", ""))
        unknown = [m for m in neighbours if m not in known]
        if unknown:
            raise Invalid("the profile is not valid", [
                {"field": "neighbour_municipalities", "message": f"unknown municipality: {m}"} for m in unknown])
        values = body.model_dump(exclude={"neighbour_municipalities"})
        values["neighbour_municipalities"] = neighbours
        for key in ("skills", "interests", "areas", "resources"):
            values[key] = list(dict.fromkeys(values[key]))  # keep order, drop repeats
        with self.db as uow:
            stmt = pg.insert(profiles).values(
                participant_id=pid, municipality=municipality, role=actor["role"], updated_at=_now(), **values)
            uow.execute(stmt.on_conflict_do_update(
                index_elements=[profiles.c.participant_id],
                set_={**{k: getattr(stmt.excluded, k) for k in values}, "updated_at": stmt.excluded.updated_at},
            ))
            self._reindex_profile(pid)
            if not body.suggest_me:
                # Opting out takes effect on lists already made, too.
                uow.execute(matches.delete().where(matches.c.participant_id == pid))
            row = uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
        return _profile_out(row)

    def _me(self, actor):
        if not actor or not actor.get("id"):
            raise Forbidden("sign in to have a profile")
        return _uuid(actor["id"], "participant")

    def _blank(self, actor):
        kind = actor.get("role") if actor.get("role") in KINDS else "resident"
        return {"participant_id": actor["id"], "municipality": actor.get("municipality"), "kind": kind,
                **{k: [] for k in ("skills", "interests", "areas", "resources", "availability", "languages",
                                   "neighbour_municipalities")}, "suggest_me": False}

    # -- proposals ----------------------------------------------------------------------

    def _store_proposal(self, data):
        pid = uuid.UUID(data["id"])
        feats = similar.proposal_features(data)
        domain = scoring.Proposal(id=data["id"], municipality=data["municipality"], needs=data.get("needs") or [],
                                  topics=data.get("topics") or [], area=data.get("area"))
        old = self.db.execute(sa.select(proposals.c.sim_terms).where(proposals.c.id == pid)).first()
        record = {
            "municipality": data["municipality"], "kind": data["kind"], "title": data["title"],
            "problem": data["problem"], "goal": data["goal"], "description": data.get("description") or "",
            "area": data.get("area"), "topics": data.get("topics") or [], "needs": data.get("needs") or [],
            "language": data["language"], "status": data["status"], "initiator_id": uuid.UUID(data["initiator_id"]),
            "created_at": data["created_at"], "features": dict(feats), "sim_terms": sorted(feats),
            "match_terms": _scoped([data["municipality"]], scoring.proposal_terms(domain)),
        }
        stmt = pg.insert(proposals).values(id=pid, **record)
        self.db.execute(stmt.on_conflict_do_update(
            index_elements=[proposals.c.id], set_={k: getattr(stmt.excluded, k) for k in record}))
        self._count_terms(data["municipality"], set(old.sim_terms) if old else set(), set(feats))
        return self.db.execute(sa.select(proposals).where(proposals.c.id == pid)).first()

    def _count_terms(self, municipality, old, new):
        for terms, step in ((new - old, 1), (old - new, -1)):
            if not terms:
                continue
            stmt = pg.insert(term_frequencies).from_select(
                ["municipality", "term", "df"],
                sa.select(sa.literal(municipality), sa.func.unnest(sa.cast(sorted(terms), pg.ARRAY(sa.Text))),
                          sa.literal(step)),
            )
            self.db.execute(stmt.on_conflict_do_update(
                index_elements=[term_frequencies.c.municipality, term_frequencies.c.term],
                set_={"df": term_frequencies.c.df + step}))

    # Ranking takes tens of milliseconds an event: nothing to gain from sharing a transaction.
    @consume("samskab.proposal.submitted", batch=1)
    def on_submitted(self, event):
        row = self._store_proposal(event["data"])
        found = self._find_similar(row.municipality, dict(row.features), self.similar_top_n, exclude=row.id)
        self.db.execute(similar_proposals.delete().where(similar_proposals.c.proposal_id == row.id))
        if found:
            self.db.execute(similar_proposals.insert(), [
                {"proposal_id": row.id, "similar_id": uuid.UUID(doc_id), "score": score} for doc_id, score in found])
        if found:  # "nothing similar" is no news for anyone
            self.db.emit(SimilarFound.event_type, municipality=row.municipality, subject=f"proposals/{row.id}",
                         data={"proposal_id": str(row.id), "municipality": row.municipality,
                               "similar": [{"id": doc_id, "score": score} for doc_id, score in found]})

    def _find_similar(self, municipality, feats, k=5, exclude=None):
        """The ``k`` proposals of ``municipality`` most like the text features ``feats``."""
        n = self.db.execute(sa.select(sa.func.count()).select_from(proposals).where(
            proposals.c.municipality == municipality)).scalar()
        df = dict(self.db.execute(sa.select(term_frequencies.c.term, term_frequencies.c.df).where(
            term_frequencies.c.municipality == municipality,
            term_frequencies.c.term.in_(list(feats)))).all())
        rare = similar.selective(feats, df, n)
        if not rare:
            return []
        rows = self.db.execute(
            sa.select(proposals.c.id, proposals.c.features)
            .where(proposals.c.municipality == municipality,
                   *([proposals.c.id != exclude] if exclude is not None else []),
                   proposals.c.sim_terms.overlap(sa.cast(rare, pg.ARRAY(sa.Text))),
                   proposals.c.status.notin_(("withdrawn", "rejected")))
            .order_by(sa.func.cardinality(sa.func.array(
                sa.select(sa.func.unnest(proposals.c.sim_terms)).intersect(
                    sa.select(sa.func.unnest(sa.cast(rare, pg.ARRAY(sa.Text))))).scalar_subquery())).desc())
            .limit(CANDIDATE_POOL)
        ).all()
        docs = {str(r.id): r.features for r in rows}
        return similar.most_similar(feats, docs, df, n, k)

    @consume("samskab.proposal.published", "samskab.proposal.updated", batch=1)
    def on_published_or_updated(self, event):
        row = self._store_proposal(event["data"])
        if row.status not in MATCHABLE:
            return
        found = self._rank(row, self.top_n)
        now = _now()
        self.db.execute(matches.delete().where(matches.c.proposal_id == row.id))
        if found:
            self.db.execute(matches.insert(), [
                {"proposal_id": row.id, "participant_id": uuid.UUID(m.participant_id),
                 "municipality": row.municipality, "rank": i, "score": m.score, "kind": m.kind,
                 "participant_municipality": m.municipality, "reasons": m.reasons, "computed_at": now}
                for i, m in enumerate(found, start=1)])
        by_kind = {}
        for m in found:
            by_kind[m.kind] = by_kind.get(m.kind, 0) + 1
        needs_met = {n for m in found for n in m.needs_met}
        self.db.emit(MatchesSuggested.event_type, municipality=row.municipality, subject=f"proposals/{row.id}",
                     data={"proposal_id": str(row.id), "municipality": row.municipality, "total": len(found),
                           "by_kind": [{"kind": k, "count": c} for k, c in sorted(by_kind.items())],
                           "needs_met": len(needs_met), "needs_total": len(row.needs),
                           "participants": [{"participant_id": m.participant_id, "kind": m.kind, "score": m.score,
                                             "municipality": m.municipality} for m in found]})

    def _candidates(self, row, limit=CANDIDATE_POOL):
        """Up to ``limit`` profiles that may fit, the best bounds of each kind first (for the stakeholder map)."""
        batches = candidate_batches(self.db, row.municipality, scoring.score_bound(_proposal_domain(row)),
                                    first=limit)
        try:
            return self._profiles([b[0] for b in next(batches, [])])
        finally:
            batches.close()

    def _profiles(self, numbers):
        return [_profile_domain(r) for r in profiles_by_number(self.db, numbers)]

    def _rank(self, row, top=10):
        """The same list as ``scoring.rank`` over every profile, reading only the few that can matter."""
        proposal = _proposal_domain(row)
        batches = candidate_batches(self.db, row.municipality, scoring.score_bound(proposal))
        try:
            return scoring.rank_bounded(proposal, batches, self._profiles, top)
        finally:
            batches.close()

    def _proposal(self, uow, municipality, proposal_id):
        row = uow.execute(sa.select(proposals).where(
            proposals.c.id == _uuid(proposal_id), proposals.c.municipality == municipality)).first()
        if row is None:
            raise NotFound("no such proposal here (or it is not yet known to matching)")
        return row

    # -- reading --------------------------------------------------------------------------

    @rpc
    def matches(self, municipality, proposal_id, actor=None):
        """The stored matches; people who since opted out or were erased are gone."""
        with self.db as uow:
            row = self._proposal(uow, municipality, proposal_id)
            rows = uow.execute(
                sa.select(matches).join(profiles, profiles.c.participant_id == matches.c.participant_id)
                .where(matches.c.proposal_id == row.id, profiles.c.suggest_me.is_(True))
                .order_by(matches.c.rank)
            ).all()
        return {
            "proposal_id": str(row.id),
            "computed_at": rows[0].computed_at.isoformat() if rows else None,
            "matches": [{"participant_id": str(r.participant_id), "kind": r.kind, "score": r.score,
                         "municipality": r.participant_municipality, "reasons": r.reasons} for r in rows],
        }

    @rpc
    def similar_to_draft(self, municipality, draft, k=5):
        """Existing proposals like a draft not yet submitted (the new-proposal flow
        shows them before anyone submits the same idea twice)."""
        text = {key: str(draft.get(key) or "")[:20000] for key in ("title", "problem", "goal", "description")}
        text["language"] = draft.get("language") if draft.get("language") in ("da", "nb", "nn", "en") else "da"
        feats = similar.proposal_features(text)
        with self.db:
            found = self._find_similar(municipality, feats, max(1, min(int(k), 20)))
            titles = dict(self.db.execute(sa.select(proposals.c.id, proposals.c.title).where(
                proposals.c.id.in_([uuid.UUID(doc_id) for doc_id, _ in found]))).all()) if found else {}
        return [{"id": doc_id, "score": score, "title": titles.get(uuid.UUID(doc_id))} for doc_id, score in found]

    @rpc
    def similar(self, municipality, proposal_id, actor=None):
        with self.db as uow:
            row = self._proposal(uow, municipality, proposal_id)
            rows = uow.execute(
                sa.select(similar_proposals.c.similar_id, similar_proposals.c.score, proposals.c.title,
                          proposals.c.status)
                .join(proposals, proposals.c.id == similar_proposals.c.similar_id)
                .where(similar_proposals.c.proposal_id == row.id)
                .order_by(similar_proposals.c.score.desc())
            ).all()
        return {"proposal_id": str(row.id),
                "similar": [{"id": str(r.similar_id), "score": r.score, "title": r.title, "status": r.status}
                            for r in rows]}

    @rpc
    def stakeholders(self, municipality, proposal_id, actor=None):
        with self.db as uow:
            row = self._proposal(uow, municipality, proposal_id)
            people = self._candidates(row)
            # Deciders are placed even when they share no term: deciding is their role.
            deciders = uow.execute(sa.select(profiles).where(
                profiles.c.municipality == municipality, profiles.c.suggest_me.is_(True),
                sa.func.coalesce(profiles.c.kind, profiles.c.role).in_(stakeholders.DECIDERS)).limit(200)).all()
        result = stakeholders.stakeholder_map(_proposal_domain(row), people + [_profile_domain(r) for r in deciders])
        return {"proposal_id": str(row.id), **result}

    @rpc
    def recommendations(self, actor, limit=10):
        pid = self._me(actor)
        with self.db as uow:
            prow = uow.execute(sa.select(profiles).where(profiles.c.participant_id == pid)).first()
            if prow is None:
                return {"recommendations": []}
            me = _profile_domain(prow)
            scopes = [me.municipality] + me.neighbour_municipalities
            terms = _scoped(scopes, scoring.profile_terms(me))
            if not terms:
                return {"recommendations": []}
            rows = uow.execute(
                sa.select(proposals)
                .where(proposals.c.match_terms.overlap(sa.cast(terms, pg.ARRAY(sa.Text))),
                       proposals.c.status.in_(MATCHABLE))
                .order_by(proposals.c.created_at.desc()).limit(CANDIDATE_POOL)
            ).all()
        by_id = {str(r.id): r for r in rows}
        found = scoring.recommend(me, [_proposal_domain(r) for r in rows], top=max(1, min(int(limit), 50)))
        return {"recommendations": [
            {"proposal_id": proposal_id, "municipality": by_id[proposal_id].municipality,
             "title": by_id[proposal_id].title, "score": score, "reasons": reasons}
            for score, proposal_id, reasons, _ in found]}

    # -- citizen panels -------------------------------------------------------------------

    @rpc
    def select_panel(self, municipality, actor, payload):
        if not actor or not actor.get("staff") or actor.get("municipality") != municipality:
            raise Forbidden("only the municipality's staff may draw a panel")
        try:
            request = PanelRequest.model_validate(payload)
        except ValidationError as exc:
            raise Invalid("the panel request is not valid", _errors(exc))
        seed = request.seed if request.seed is not None else secrets.randbits(62)
        volunteers = [panel_domain.Volunteer(v.id, dict(v.features), v.household) for v in request.volunteers]
        quotas = [panel_domain.Quota(f, value, b.min, b.max)
                  for f, values in request.quotas.items() for value, b in values.items()]
        try:
            # The solver holds the CPU for a while: run it off the event loop.
            selection = eventlet.tpool.execute(
                panel_domain.select, volunteers, request.size, quotas, seed=seed,
                one_per_household=request.one_per_household, alternates=request.alternates,
                time_limit=float(self.config.get("MATCHING_PANEL_SECONDS", 6)))
        except panel_domain.InvalidRequest as exc:
            raise Invalid("the panel request is not valid", exc.errors)
        except panel_domain.Infeasible as exc:
            errors = [{"field": "quotas", "message": c} for c in exc.conflicts]
            errors += [{"field": f"quotas.{r['feature']}.{r['value']}.{r['bound']}",
                        "message": f"smallest relaxation: change {r['bound']} from {r['from']} to {r['to']}"}
                       for r in exc.relaxation]
            raise Invalid("no panel can meet these quotas", errors)
        panel_id = uuid.uuid4()
        result = {
            "id": str(panel_id), "municipality": municipality, "size": request.size, "seed": selection.seed,
            "pool_size": len(volunteers), "members": selection.members, "alternates": selection.alternates,
            "probabilities": {k: round(v, 6) for k, v in sorted(selection.probabilities.items())},
            "lowest_probability": round(selection.lowest_probability, 6), "counts": selection.counts,
            "panels_in_lottery": selection.panels_in_lottery,
            # False when the time limit stopped the search: the lottery is fair over the
            # panels found, and no lottery could give the least favoured more than the bound.
            "maximin_proven": selection.optimal, "lowest_probability_bound": round(selection.upper_bound, 6),
            "proposal_id": str(request.proposal_id) if request.proposal_id else None,
        }
        with self.db as uow:
            uow.execute(panels.insert().values(
                id=panel_id, municipality=municipality, proposal_id=request.proposal_id,
                created_by=_uuid(actor["id"], "participant"), size=request.size, seed=selection.seed,
                request=request.model_dump(mode="json"), result=result, created_at=_now()))
            uow.emit(PanelSelected.event_type, municipality=municipality, subject=f"panels/{panel_id}", data={
                "panel_id": str(panel_id), "municipality": municipality,
                "proposal_id": result["proposal_id"], "size": request.size, "pool_size": len(volunteers),
                "seed": selection.seed, "lowest_probability": result["lowest_probability"],
                "alternates": len(selection.alternates),
                "counts": [{"feature": f, "value": v, "count": c}
                           for f, values in selection.counts.items() for v, c in values.items()],
            })
        return result
