"""The words of a meeting: levels, kinds, groups, formats, statuses."""
from typing import Annotated, Literal

from pydantic import StringConstraints

from ... import vocabulary
from ...text import Visible

Iap2 = vocabulary.one_of(vocabulary.Iap2)
Kind = vocabulary.one_of(vocabulary.Kind)
Group = vocabulary.one_of(vocabulary.Role)  # seats are held for people acting in a role
FormatId = Literal[
    "working_citizens_meeting", "debate_salon", "citizen_panel", "guest_meal",
    "theme_workshop", "task_committee", "vision_process",
]
MeetingStatus = Literal["scheduled", "cancelled", "concluded"]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]
OutcomeKind = Literal["decision", "action", "experiment"]

Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Visible]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), Visible]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=50000)]
