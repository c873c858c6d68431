"""Moderation in the public copies: when staff hide something, its content is blanked
in the public log's earlier events (so the catch-up log, the Atom feed and open data,
all read from that log, no longer carry it).  Pure: takes and returns envelopes.

The hidden event itself is public: it tells AMQP and webhook subscribers which
event's content to blank in their own copies (see ``PublicHidden`` in the contracts).
"""
import copy
from dataclasses import dataclass

HIDDEN = ("samskab.proposal.hidden", "samskab.proposal.attachment_hidden", "samskab.meeting.comment_hidden",
          "samskab.meeting.attachment_hidden")

# What a blanked field becomes: the same JSON type, no content.
BLANK = {"title": "", "problem": "", "goal": "", "body": "", "area": None}


@dataclass(frozen=True)
class Target:
    types: tuple   # the public event types that carried the content
    key: str       # the field of their data naming it
    value: str     # the hidden target's id
    fields: tuple  # the fields blanked


PROPOSAL_TYPES = ("samskab.proposal.submitted", "samskab.proposal.published", "samskab.proposal.updated",
                  "samskab.proposal.status_changed")

# target_type → (event types, the field naming the target, the fields with its content)
TARGETS = {
    "proposal": (PROPOSAL_TYPES, "id", ("title", "problem", "goal", "area")),
    # a hidden question takes its answers with it: they may quote it, and they name it by question_id
    "question": (("samskab.proposal.question_asked", "samskab.proposal.question_answered"), "question_id", ("body",)),
    "answer": (("samskab.proposal.question_answered",), "answer_id", ("body",)),
    "update": (("samskab.proposal.progress_posted",), "update_id", ("body",)),
    # a hidden picture or file (proposal.attachment_hidden names it by attachment_id)
    "attachment": (("samskab.proposal.attachment_added",), "attachment_id", ("alt", "caption")),
    # a hidden picture or file on a meeting (meeting.attachment_hidden, by attachment_id and meeting_id)
    "meeting_attachment": (("samskab.meeting.attachment_added",), "attachment_id", ("alt", "caption")),
    # a hidden comment under a meeting (meeting.comment_hidden names it by comment_id)
    "meeting_comment": (("samskab.meeting.comment_posted", "samskab.meeting.comment_edited"), "comment_id", ("body",)),
}


def target_of(hidden_data):
    """What a ``…hidden`` event's data asks to blank, or ``None`` for a kind not kept here."""
    if hidden_data.get("attachment_id"):
        kind = "meeting_attachment" if hidden_data.get("meeting_id") else "attachment"
        hidden_data = {"target_type": kind, "target_id": hidden_data["attachment_id"]}
    elif hidden_data.get("comment_id") and hidden_data.get("meeting_id"):
        hidden_data = {"target_type": "meeting_comment", "target_id": hidden_data["comment_id"]}
    found = TARGETS.get(str(hidden_data.get("target_type")))
    if found is None or not hidden_data.get("target_id"):
        return None
    types, key, fields = found
    return Target(types, key, str(hidden_data["target_id"]), fields)


def redact(envelope, target, hidden_event_id):
    """A copy of ``envelope`` with the target's content blanked and ``redactedby`` (a
    CloudEvents extension attribute) naming the hidden event."""
    result = copy.deepcopy(envelope)
    data = result.get("data") or {}
    for name in target.fields:
        if name in data:
            data[name] = BLANK.get(name, "")
    result["redactedby"] = str(hidden_event_id)
    return result
