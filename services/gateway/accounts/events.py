"""The participant events the accounts layer emits (contracts in ``samskab.contracts.participants``)."""
from samskab.contracts.participants import ParticipantRegistered, ParticipantUpdated


def participant_registered(uow, row):
    uow.emit(ParticipantRegistered.event_type, municipality=row["municipality"],
             subject=f"participants/{row['id']}",
             data={k: row[k] for k in ("id", "municipality", "role", "language", "email", "display_name")})


def participant_updated(uow, row):
    uow.emit(ParticipantUpdated.event_type, municipality=row.municipality, subject=f"participants/{row.id}", data={
        "id": row.id, "municipality": row.municipality, "role": row.role, "language": row.language,
        "email": row.email, "display_name": row.display_name,
        "email_confirmed": row.email_confirmed_at is not None,
    })
