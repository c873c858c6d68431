"""The base of the typed RPC clients: one class per service, in that service's
contracts module (``ProposalsRpc`` in ``contracts/proposals.py`` …), and the only way
the gateway calls a backend.

Every method takes its arguments in one order: municipality, actor, ids, payload;
payloads are the service's input models and answers its output models, so a caller
never builds or reads a backend's dictionaries by hand.
"""


class ServiceClient:
    """Binds a service's typed methods to a ``call(service, method, *args, **kwargs)``
    function (the gateway's ``Context.call``: timeouts, 503s and routing live there)."""

    service = None

    def __init__(self, call):
        self._call = call

    def _rpc(self, method, *args, **kwargs):
        return self._call(self.service, method, *args, **kwargs)

    @staticmethod
    def _dump(payload):
        """An input model (or an already plain dict) as JSON-able data for the wire."""
        if payload is None or isinstance(payload, (dict, list)):
            return payload
        return payload.model_dump(mode="json", exclude_unset=True)


def plain(answer):
    """A typed answer (an output model, a list of them, or ``None``) as the JSON-able data
    the service sent: exactly its fields, none added.  The gateway's API bodies and the
    pages that read dictionaries use it."""
    if answer is None:
        return None
    if isinstance(answer, list):
        return [plain(item) for item in answer]
    return answer.model_dump(mode="json", exclude_unset=True)
