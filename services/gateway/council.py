"""The council's steps that span services (issue 22), for the API and the pages alike:
a committee's residents drawn by the matching service's panel from the open
applications, and its meetings planned in the meetings service (format
``task_committee``).  The proposals service keeps the committee and decides who may
do what; these functions only bring the other services in."""
import secrets

from samskab.contracts.matching import PanelRequest
from samskab.contracts.meetings import NewMeeting
from samskab.contracts.proposals import CouncilRpc, Seating
from samskab.errors import Conflict, Forbidden


def council(ctx):
    return CouncilRpc(ctx.call)


def draw_members(ctx, municipality, committee_id, seed=None, quotas=None):
    """Draw the free residents' seats by lot (the matching service's panels) from the open
    resident applications, then seat those drawn, with the panel's id and seed."""
    rpc = council(ctx)
    committee = rpc.get_committee(municipality, ctx.actor, committee_id)
    if committee.applications is None or "seat" not in committee.allowed:  # shown to the council and staff only
        raise Forbidden("only the municipality's politicians and staff may draw a committee's members")
    pool = [a for a in committee.applications if a.status == "applied" and a.group == "resident"]
    free = committee.seats.get("resident", 0) - committee.members_by_group.get("resident", 0)
    if free <= 0 or not pool:
        raise Conflict("no free residents' seats or no open applications to draw from")
    size = min(free, len(pool))
    request = PanelRequest(
        purpose=committee.title[:200], size=size, seed=seed if seed is not None else secrets.randbits(31),
        volunteers=[{"id": a.id, "features": {"group": "resident", **a.features}} for a in pool],
        quotas={"group": {"resident": {"min": size, "max": size}}, **(quotas or {})})
    panel = ctx.matching.select_panel(municipality, ctx.actor, request)
    return rpc.seat_members(municipality, ctx.actor, committee_id,
                            Seating(drawn=panel.members, panel_id=panel.id, seed=panel.seed))


def plan_meeting(ctx, municipality, committee_id, when):
    """One of the committee's meetings, in the meetings service (a series per committee,
    seats reserved by group as the mandate says), linked to the committee."""
    rpc = council(ctx)
    committee = rpc.get_committee(municipality, ctx.actor, committee_id)
    number = len(committee.meetings) + 1
    series = None
    if committee.meetings:
        series = ctx.meetings.get(municipality, ctx.actor, committee.meetings[0].meeting_id).series_id
    seats = {group: n for group, n in committee.seats.items() if n > 0}
    meeting = ctx.meetings.schedule(municipality, ctx.actor, NewMeeting(
        title=(when.get("title") or f"{committee.title} · {number}")[:200], format="task_committee",
        purpose=" ".join(committee.questions)[:4000] or committee.task, promise=committee.task[:4000],
        iap2_level="empower", series_id=series, starts_at=when["starts_at"], ends_at=when["ends_at"],
        place_id=when.get("place_id"), online_url=when.get("online_url"), capacity=max(1, sum(seats.values())),
        reserved=seats))
    return rpc.add_committee_meeting(municipality, ctx.actor, committee_id,
                                     {"meeting_id": meeting.id, "starts_at": meeting.starts_at})
