"""Everything Samskab holds about a person (GDPR art. 15 and 20): the account here and
each backend's part, asked for at once."""
import datetime as dt

import eventlet
from nameko.amqp.publish import UndeliverableMessage
from nameko.exceptions import MethodNotFound, RemoteError, UnknownService

from . import identities
from .models import account_out

BACKENDS = ("proposals", "matching", "meetings", "notifications")
UNAVAILABLE = object()


def export(ctx, account):
    result = {"account": account_out(account), "exported_at": dt.datetime.now(dt.timezone.utc).isoformat()}
    # the linked identities: which provider vouched and when (the stored subject hash names nobody)
    result["identities"] = [{"provider": i["provider"], "label": i["label"], "issuer": i["issuer"],
                             "linked_at": i["linked_at"].isoformat()}
                            for i in identities.linked(ctx, account)["identities"]]

    def fetch(service):
        try:
            with eventlet.Timeout(ctx.gateway.rpc_timeout):
                return service, getattr(ctx.gateway, service).export_participant(str(account.id))
        except MethodNotFound:
            return service, None
        except RemoteError as exc:
            if exc.exc_type == "MethodNotFound":
                return service, None
            if exc.exc_type in ("OperationalError", "InterfaceError"):  # its database is away for now
                return service, UNAVAILABLE
            raise
        except (eventlet.Timeout, UnknownService, UndeliverableMessage):
            return service, UNAVAILABLE

    result["complete"] = True
    for service, data in eventlet.GreenPool().imap(fetch, BACKENDS):
        if data is UNAVAILABLE:
            result["complete"] = False
            result[service] = {"unavailable": "the service did not answer; ask again later for a complete export"}
        elif data is not None:
            result[service] = data
    return result
