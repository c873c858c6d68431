"""Presenters: rows as the JSON the RPC answers carry (the shapes of the output
models in ``samskab.contracts.notifications``).  Pure."""
from email import policy as email_policy
from email.parser import BytesHeaderParser

from samskab.values import iso


def inbox_item(r):
    return {"id": str(r.id), "municipality": r.municipality, "kind": r.kind, "event_type": r.event_type,
            "subject": r.subject, "title": r.title, "body": r.body, "link": r.link,
            "created_at": iso(r.created_at), "read_at": iso(r.read_at)}


def email_delivery(r):
    """For staff: ids, status and error, never the address or the message."""
    return {"id": r.id, "participant_id": str(r.participant_id), "purpose": r.purpose, "status": r.status,
            "attempts": r.attempts, "last_error": r.last_error, "created_at": iso(r.created_at),
            "sent_at": iso(r.sent_at)}


def api_key_issued(row, key):
    return {"id": str(row["id"]), "municipality": row["municipality"], "name": row["name"], "key": key,
            "key_prefix": row["key_prefix"]}


def api_key(r):
    return {"id": str(r.id), "municipality": r.municipality, "name": r.name, "contact_email": r.contact_email,
            "key_prefix": r.key_prefix, "created_at": iso(r.created_at), "revoked_at": iso(r.revoked_at)}


def subscription(r, secret=False):
    out = {"id": str(r.id), "municipality": r.municipality, "url": r.url, "types": list(r.patterns),
           "status": r.status, "failures_in_a_row": r.failures_in_a_row,
           "disabled_reason": r.disabled_reason, "created_at": iso(r.created_at),
           "previous_secret_until": iso(r.previous_secret_until) if r.previous_secret else None}
    if secret:
        out["secret"] = r.secret
    return out


def webhook_delivery(r):
    return {"id": r.id, "event_id": str(r.event_id), "event_type": r.event_type, "status": r.status,
            "attempts": r.attempts, "last_status": r.last_status, "last_error": r.last_error,
            "created_at": iso(r.created_at), "delivered_at": iso(r.delivered_at)}


def subject_line(message):
    """The Subject header of a stored e-mail (the body is not read)."""
    try:
        return BytesHeaderParser(policy=email_policy.default).parsebytes(bytes(message))["Subject"]
    except Exception:  # a malformed stored message still shows in the export, without its subject
        return None


def export(pid, held):
    """Everything held about one person (``storage.people.everything_about``) as JSON."""
    contact = held["contact"]
    return {
        "participant_id": str(pid),
        "contact": None if contact is None else {
            "municipality": contact.municipality, "email": contact.email, "language": contact.language,
            "role": contact.role, "display_name": contact.display_name,
            "email_confirmed": contact.email_confirmed, "updated_at": iso(contact.updated_at)},
        "preferences": [{"kind": r.kind, "channel": r.channel, "frequency": r.frequency} for r in held["preferences"]],
        "notifications": [{
            "id": str(r.id), "municipality": r.municipality, "kind": r.kind, "event_type": r.event_type,
            "subject": r.subject, "title": r.title, "body": r.body, "link": r.link, "in_inbox": r.in_inbox,
            "created_at": iso(r.created_at), "read_at": iso(r.read_at)} for r in held["notifications"]],
        "digest_items": [{
            "notification_id": str(r.notification_id), "frequency": r.frequency,
            "period_start": iso(r.period_start), "period_end": iso(r.period_end),
            "digest_run_id": r.digest_run_id} for r in held["digest_items"]],
        "digest_runs": [{
            "id": r.id, "frequency": r.frequency, "period_start": iso(r.period_start),
            "period_end": iso(r.period_end), "item_count": r.item_count, "created_at": iso(r.created_at)}
            for r in held["digest_runs"]],
        "email_deliveries": [{
            "id": r.id, "kind": r.purpose, "to_address": r.to_address, "subject": subject_line(r.message),
            "status": r.status, "attempts": r.attempts, "last_error": r.last_error,
            "notification_id": str(r.notification_id) if r.notification_id else None,
            "digest_run_id": r.digest_run_id, "created_at": iso(r.created_at), "sent_at": iso(r.sent_at)}
            for r in held["email_deliveries"]],
        "memberships": [{"subject": r.subject, "relation": r.relation, "municipality": r.municipality}
                        for r in held["memberships"]],
        "api_keys_issued": [{
            "id": str(r.id), "municipality": r.municipality, "name": r.name, "key_prefix": r.key_prefix,
            "created_at": iso(r.created_at), "revoked_at": iso(r.revoked_at)} for r in held["api_keys"]],
    }
