"""Open data's tables: one per dataset, one row per entity, kept by ``open_data.project``
from the public events as they are logged.  ``DATASETS`` is the one description of
each dataset's columns (their order, type and meaning): the tables, the JSON and CSV
answers, the catalog and the README all follow it.

Every table begins with ``id``, ``municipality``, ``title`` and ``status`` and ends with
``created_at`` and ``updated_at`` (the times of the first and the latest public event
about the entity).  Columns marked *read* are not stored: the dataset's query takes
them from another table (the proposal an agreement belongs to, the meeting an outcome
came from) or counts what belongs to the entity.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from .tables import TS, UUID, metadata

JSONB = pg.JSONB


@dataclass(frozen=True)
class Column:
    name: str
    kind: str          # uuid, text, integer, number, boolean, date, datetime, list, object
    description: str
    stored: bool = True


TYPES = {"uuid": UUID, "text": sa.Text, "integer": sa.Integer, "number": sa.Float, "boolean": sa.Boolean,
         "date": sa.Date, "datetime": TS, "list": JSONB, "object": JSONB, "bigint": sa.BigInteger}


def C(name, kind, description, stored=True):
    return Column(name, kind, description, stored)


def _head(title, status):
    return [C("id", "uuid", "the entity's id, stable"), C("municipality", "text", "the municipality's id (slug)"),
            C("title", "text", title), C("status", "text", status)]


TIMES = [C("created_at", "datetime", "when the first public event about it was received (UTC)"),
         C("updated_at", "datetime", "when the latest public event about it was received (UTC)")]

DATASETS = {
    "proposals": _head("the proposal's title", "draft is never public; submitted, published, forming, active, "
                       "concluded, withdrawn, rejected, or hidden (moderated: its content blanked)") + [
        C("kind", "text", "service, development or policy"),
        C("problem", "text", "the problem it addresses"),
        C("goal", "text", "the goal it works towards"),
        C("area", "text", "the part of the municipality it concerns"),
        C("latitude", "number", "WGS 84 latitude, if placed on the map"),
        C("longitude", "number", "WGS 84 longitude, if placed on the map"),
        C("topics", "list", "its topics"),
        C("needs", "list", "the skills and resources it asks for"),
        C("language", "text", "the language it is written in (da, nb, nn, en)"),
        C("initiator_role", "text", "in which role its initiator brought it (resident, business, association, "
                                    "politician, employee); never who"),
        C("iap2_level", "text", "the municipality's promise (IAP2: inform, consult, involve, collaborate, empower)"),
        C("outcome", "text", "for a concluded proposal: implemented, adopted or not_pursued"),
        C("support_count", "integer", "how many support it"),
        C("question_count", "integer", "questions asked on it"),
        C("answer_count", "integer", "answers given to them"),
        C("comment_count", "integer", "comments and replies posted on it"),
        C("update_count", "integer", "progress updates posted on it"),
        C("experiment_count", "integer", "experiments recorded for it (the experiments dataset)", stored=False),
        C("meeting_count", "integer", "meetings held about it (the meetings dataset)", stored=False),
        C("mission_id", "uuid", "the council's mission it works towards (the missions dataset)"),
        C("hidden_reason", "text", "why the municipality hid it, if it did"),
    ] + TIMES,
    "meetings": _head("the meeting's title", "scheduled, cancelled or concluded") + [
        C("format", "text", "working_citizens_meeting, debate_salon, citizen_panel, guest_meal, theme_workshop, "
                            "task_committee or vision_process"),
        C("purpose", "text", "what the meeting is for"),
        C("promise", "text", "what the municipality promises to do with what comes out of it"),
        C("iap2_level", "text", "the IAP2 level of participation"),
        C("proposal_id", "uuid", "the proposal it is about (the proposals dataset)"),
        C("series_id", "uuid", "the series it belongs to"),
        C("starts_at", "datetime", "when it starts (UTC)"),
        C("ends_at", "datetime", "when it ends (UTC)"),
        C("time_zone", "text", "the time zone it is held in"),
        C("place_id", "uuid", "the meeting place (meeting-places.geojson)"),
        C("online", "boolean", "whether one can take part online"),
        C("capacity", "integer", "seats"),
        C("confirmed_count", "integer", "seats taken"),
        C("waitlist_count", "integer", "people waiting for a seat"),
        C("seats_left", "integer", "seats still free"),
        C("outcome_count", "integer", "outcomes recorded at it (the outcomes dataset)", stored=False),
    ] + TIMES,
    "outcomes": _head("the outcome's text", "the status of the meeting it came from (scheduled, cancelled, "
                      "concluded)") + [
        C("kind", "text", "decision, action or experiment"),
        C("due", "date", "by when, for an action"),
        C("meeting_id", "uuid", "the meeting it came from (the meetings dataset)"),
        C("proposal_id", "uuid", "the proposal it concerns (the proposals dataset)"),
    ] + TIMES,
    "experiments": _head("the experiment's hypothesis", "running, or concluded once its outcome is recorded") + [
        C("proposal_id", "uuid", "the proposal it tries a solution for (the proposals dataset)"),
        C("intervention", "text", "what is tried"),
        C("starts_on", "date", "first day"),
        C("ends_on", "date", "last day"),
        C("outcome", "text", "what came of it"),
        C("learnings", "text", "what was learned"),
    ] + TIMES,
    "agreements": _head("the title of the proposal it belongs to", "draft, or accepted once every party has "
                        "accepted the current version") + [
        C("proposal_id", "uuid", "the proposal it is for (the proposals dataset); one agreement per proposal"),
        C("version", "integer", "the current version"),
        C("parties", "list", "the parties as public: their role (initiator, municipality, partner) and "
                             "responsibilities; never who they are"),
        C("municipality_commitment", "text", "what the municipality commits to"),
        C("iap2_level", "text", "the IAP2 level the municipality promises"),
        C("decision_maker", "text", "who decides"),
        C("resources", "list", "the resources it brings together"),
        C("timeline", "list", "milestones: date and what"),
        C("accepted_by", "list", "the roles of the parties that accepted the current version"),
    ] + TIMES,
    "missions": _head("the mission's title", "published, achieved or ended (closed by the council)") + [
        C("challenge", "text", "the challenge it takes on"),
        C("goal", "text", "its goal"),
        C("horizon", "integer", "the year it aims for"),
        C("owner_committee", "text", "the council committee that owns it"),
        C("language", "text", "the language it is written in"),
        C("published_by", "object", "the politician's public office (role, name, party) or the role"),
        C("proposal_count", "integer", "proposals attached to it"),
    ] + TIMES,
    "committees": _head("the task committee's title", "formed, seated (members took their seats), delivered "
                        "(its recommendation reached the council) or closed (its work is over)") + [
        C("mission_id", "uuid", "the mission it works for (the missions dataset)"),
        C("task", "text", "its mandate's task"),
        C("questions", "list", "the questions of its mandate"),
        C("frame", "text", "its mandate's frame (budget, limits)"),
        C("deadline", "date", "its mandate's deadline"),
        C("seats", "object", "seats per group"),
        C("recruitment", "text", "how residents are recruited"),
        C("formed_by", "object", "the politician's public office, or the role"),
        C("members_by_group", "object", "members seated per group (counts, never who)"),
        C("politicians", "list", "the politicians seated (public office: name, party)"),
        C("panel_id", "text", "the citizen panel that drew its residents"),
        C("seed", "bigint", "the panel's published seed"),
        C("meeting_count", "integer", "meetings planned"),
        C("document_count", "integer", "working documents and minutes added"),
        C("recommendation", "text", "its recommendation to the council"),
        C("recommended_at", "datetime", "when it delivered it (UTC)"),
    ] + TIMES,
    "decisions": _head("the title of the case the council answers", "open (awaits the council), placed (on an "
                       "agenda) or decided") + [
        C("kind", "text", "what the case is about: proposal or recommendation"),
        C("proposal_id", "uuid", "the proposal it answers (the proposals dataset)"),
        C("committee_id", "uuid", "the committee whose recommendation it answers (the committees dataset)"),
        C("opened_at", "datetime", "when it came to the council (UTC)"),
        C("body", "text", "the council or committee that treats it"),
        C("meeting_date", "date", "the day it is on the agenda"),
        C("decision", "text", "adopted, adopted_in_part, rejected or sent_on"),
        C("reason", "text", "the reasons given with the decision"),
        C("sent_to", "text", "where it was sent on"),
        C("decided_at", "datetime", "when it was decided (UTC)"),
        C("decided_by", "object", "the politician's public office, or the role"),
    ] + TIMES,
}


def _table(dataset, columns):
    cols = []
    for column in columns:
        if not column.stored:
            continue
        if column.name == "id":
            cols.append(sa.Column("id", UUID, primary_key=True))
        elif column.name in ("municipality", "created_at", "updated_at"):
            cols.append(sa.Column(column.name, TYPES[column.kind], nullable=False))
        elif column.name == "title":
            cols.append(sa.Column("title", sa.Text, nullable=False, server_default=""))
        elif column.name.endswith("_count"):
            cols.append(sa.Column(column.name, sa.Integer, nullable=False, server_default="0"))
        else:
            cols.append(sa.Column(column.name, TYPES[column.kind]))
    if dataset == "proposals":
        cols.append(sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()))
    table = sa.Table(f"open_data_{dataset}", metadata, *cols)
    sa.Index(f"open_data_{dataset}_municipality", table.c.municipality, table.c.created_at)
    for name in LOOKED_UP.get(dataset, ()):
        sa.Index(f"open_data_{dataset}_{name}", table.c[name])
    return table


# what the datasets' queries look rows up by (counts, the meeting of an outcome)
LOOKED_UP = {"meetings": ("proposal_id",), "experiments": ("proposal_id",), "outcomes": ("meeting_id",)}


TABLES = {name: _table(name, columns) for name, columns in DATASETS.items()}
