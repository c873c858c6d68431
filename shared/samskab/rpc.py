"""RPC per municipality: a call that names a municipality reaches only an
instance group that serves it; a call with a deadline that has passed runs nowhere.

* **Routing.**  Each service has a topic exchange ``samskab.rpc.<service>``.  An
  instance group's one queue (``samskab.<service>.rpc-requests@<group>``, or ``@<list>``
  for a group without ``INSTANCE_GROUP``) is bound
  with ``<municipality>.*`` for each municipality it serves, ``_home.*`` when it is
  the home group (``HOME_GROUP=1``, the default) and nothing else, so a call for
  aalborg is delivered to the group serving aalborg and to no other.  The gateway's
  :class:`GroupRpcProxy` publishes ``<municipality>.<method>`` when the first
  argument is a municipality of the catalogue, else ``_home.<method>``; methods
  whose data is spread over the groups (:data:`FAN_OUT`: a person's export, inbox,
  preferences; a calendar token)
  are asked of every municipality's group and the home group at once, one answer
  per group is kept and the answers are merged; the gateway remembers for a minute
  which group answered for what, so a deployment of one group is asked once.  No group for the municipality:
  the publish is returned unroutable and the caller gets ``UnknownService`` (503).
  The home group also listens on nameko's own ``nameko-rpc`` (``<service>.<method>``)
  for plain nameko clients (``ClusterRpcProxy`` in benches and scripts).
* **Answers name their group** (``group`` beside ``result`` in the reply), so a
  fan-out keeps one answer per group and a test can see who answered.
* **Deadlines.**  The proxy sends each request with its deadline (now + the
  gateway's ``RPC_TIMEOUT_SECONDS``), as the header ``nameko.deadline`` and as the
  message's TTL (``expiration``), so the broker drops it if nobody took it in time.
  :func:`samskab.service.rpc` checks the deadline when the worker starts: a call
  whose caller has already answered 503 does not run, and a paused backend does
  not carry out, later, writes the client was told had failed.
* **Transient messages.**  Requests and replies are published with confirms but not
  persistent (:data:`TRANSIENT`): a request is worth something only while its caller
  waits (its TTL is the caller's deadline) and a reply only to a caller that is still
  there, so writing them to the broker's disk is wasted.  Should the broker restart,
  the caller answers 503 and the client retries with its ``Idempotency-Key``.  Events
  keep persistent delivery (:mod:`samskab.relay`).
"""
import inspect
import logging
import sys
import time
import uuid
from urllib.parse import unquote, urlsplit

import amqp.exceptions
import eventlet
import kombu.exceptions
import kombu.serialization
from kombu import Exchange, Queue, binding
from nameko.amqp.publish import Publisher, UndeliverableMessage
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY, SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import (
    IncorrectSignature, MethodNotFound, UnknownService, UnserializableValueError, deserialize_to_instance, serialize,
)
from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, ReplyListener, Rpc, RpcConsumer, RpcProxy, ServiceProxy, get_rpc_exchange

from . import municipalities
from .errors import DomainError
from .settle import settle

log = logging.getLogger(__name__)

TRANSIENT = 1  # AMQP delivery-mode of RPC requests and replies (see the module's docstring)
HOME = "_home"  # not a municipality id (those start with a letter): cannot collide
DEADLINE = "deadline"  # worker context key; on the wire the header ``nameko.deadline``
GROUPS_FRESH_SECONDS = 60  # how long the gateway trusts what it saw of which group answers what

# Methods asked of every group at once, and how their answers are combined (see merge):
# a person's data lives where their municipalities' groups are; their choices go to every
# group (each decides for its own municipalities' notifications); a calendar token is
# known to the one group that made it.
FAN_OUT = {
    "export_participant": "deep",
    "inbox": "inbox",
    "mark_read": "deep",
    "set_preferences": "first",
    "unsubscribe": "first",
    "participant_calendar": "found",
}


@deserialize_to_instance
class DeadlinePassed(DomainError):
    """The caller gave up on this call before it started; it was not run."""

    status = 503
    title = "Service unavailable"


@deserialize_to_instance
class NotServedHere(DomainError):
    """A call for a municipality this instance group does not serve."""

    status = 404
    title = "Not found"


def exchange(service):
    return Exchange(f"samskab.rpc.{service}", "topic", durable=True)


def group_name(config):
    """The instance group's name: ``INSTANCE_GROUP`` if it has one, else its municipalities."""
    if config.get("INSTANCE_GROUP"):
        return config["INSTANCE_GROUP"]
    scope = config.get("MUNICIPALITIES", "*")
    return "*" if scope == "*" else "+".join(scope)


def queue_name(service, config):
    """The group's one RPC queue.  A named group keeps it whatever it serves (a municipality
    added only binds it to one more routing key, as its event queues); an unnamed one is
    named after its list."""
    if config.get("INSTANCE_GROUP"):
        return f"samskab.{service}.rpc-requests@{config['INSTANCE_GROUP']}"
    scope = config.get("MUNICIPALITIES", "*")
    return f"samskab.{service}.rpc-requests" + ("" if scope == "*" else "@" + "+".join(scope))


def served_ids(config):
    """The municipalities this group answers for: its list, or the whole catalogue for ``*``."""
    return sorted(municipalities.served(config))


def routing_keys(config):
    keys = [f"{m}.*" for m in served_ids(config)]
    if config.get("HOME_GROUP", True):
        keys.append(f"{HOME}.*")
    return keys


def _user_of(uri):
    """The broker user of a URI, for the ``user_id`` property (RabbitMQ checks it)."""
    user = urlsplit(uri).username
    return unquote(user) if user else None


# -- the service side ---------------------------------------------------------------


class GroupRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, on the instance group's own queue and bindings."""

    def setup(self):
        if self.queue is not None:
            return
        config = self.container.config
        service = self.container.service_name
        self.group = group_name(config)
        bindings = [binding(exchange(service), routing_key=k) for k in routing_keys(config)]
        if config.get("HOME_GROUP", True):
            bindings.append(binding(get_rpc_exchange(config), routing_key=f"{service}.*"))
        self.queue = Queue(queue_name(service, config), bindings=bindings, durable=True)
        self.queue_consumer.register_provider(self)
        self._registered = True

    def get_provider_for_method(self, routing_key):
        method = routing_key.rsplit(".", 1)[-1]
        for provider in self._providers:
            if provider.method_name == method:
                return provider
        raise MethodNotFound(method)

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        try:
            result, exc_info = _respond(config, message, result, exc_info, self.group)
        except (OSError, amqp.exceptions.ConnectionError, kombu.exceptions.OperationalError) as exc:
            # No reply could be sent: the caller times out (and retries with its key); the
            # request goes back on the queue rather than taking the container down with it.
            log.warning("the reply to %s could not be sent (%s): the request is requeued",
                        message.delivery_info.get("routing_key"), exc)
            settle(self.queue_consumer.requeue_message, message, "this request")
            return result, exc_info
        settle(self.queue_consumer.ack_message, message, "this request")
        return result, exc_info

    def requeue_message(self, message):
        settle(self.queue_consumer.requeue_message, message, "this request")


def _respond(config, message, result, exc_info, group):
    """nameko's reply, plus the answering group and the ``user_id``."""
    error = serialize(exc_info[1]) if exc_info is not None else None
    serializer = kombu.serialization.registry.type_to_name[message.properties["content_type"]]
    try:
        kombu.serialization.dumps(result, serializer)
    except Exception:
        exc_info = sys.exc_info()
        error = serialize(UnserializableValueError(result))
        result = None
    uri = config[AMQP_URI_CONFIG_KEY]
    extra = {"user_id": _user_of(uri)} if _user_of(uri) else {}
    publisher = Publisher(uri, ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
    publisher.publish(
        {"result": result, "error": error, "group": group}, serializer=serializer,
        exchange=get_rpc_exchange(config), routing_key=message.properties["reply_to"],
        correlation_id=message.properties.get("correlation_id"), delivery_mode=TRANSIENT, **extra,
    )
    return result, exc_info


class GroupRpc(Rpc):
    rpc_consumer = GroupRpcConsumer()

    def check_signature(self, args, kwargs):
        # The method is wrapped by samskab.service.rpc: check the arguments against the original.
        fn = inspect.unwrap(getattr(self.container.service_cls, self.method_name))
        try:
            inspect.getcallargs(fn, None, *args, **kwargs)
        except TypeError as exc:
            raise IncorrectSignature(str(exc))


class CallInfo(DependencyProvider):
    """What :func:`samskab.service.rpc` checks before a call runs: its deadline and
    the municipalities this group serves (``None``: all)."""

    def setup(self):
        scope = self.container.config.get("MUNICIPALITIES", "*")
        self.served = None if scope == "*" else frozenset(scope)

    def get_dependency(self, worker_ctx):
        try:
            deadline = float(worker_ctx.data.get(DEADLINE))
        except (TypeError, ValueError):
            deadline = None
        return deadline, self.served


def takes_municipality(fn):
    params = list(inspect.signature(fn).parameters)
    return len(params) > 1 and params[1] == "municipality"


def check_call(fn, service, args, kwargs):
    """Refuse a call whose deadline passed, or for a municipality this group does not serve."""
    info = getattr(service, "rpc_call", None)
    if not isinstance(info, tuple):
        return  # not run by a container (a unit test calling the method)
    deadline, served = info
    if deadline is not None and time.time() > deadline:
        log.warning("%s: not run, its deadline passed %.1fs ago", fn.__name__, time.time() - deadline)
        raise DeadlinePassed(f"{fn.__name__}: the caller's deadline passed before the call started")
    if served is not None and takes_municipality(fn):
        municipality = args[0] if args else kwargs.get("municipality")
        if municipality not in served:
            raise NotServedHere(f"this instance group does not serve the municipality {municipality!r}")


# -- the caller's side ----------------------------------------------------------------


class SettlingReplyListener(ReplyListener):
    """nameko's reply listener, acking each reply as :func:`samskab.settle.settle` does: a reply
    that arrives just before a broker restart must not kill the caller (CI saw the gateway die so)."""

    def handle_message(self, body, message):
        settle(self.queue_consumer.ack_message, message, "this reply")
        client_event = self._reply_events.pop(message.properties.get("correlation_id"), None)
        if client_event is not None:
            client_event.send(body)


class GroupRpcProxy(RpcProxy):
    """``RpcProxy(service)`` that routes by municipality and sends deadlines."""

    rpc_reply_listener = SettlingReplyListener()

    def setup(self):
        config = self.container.config
        self.known = frozenset(municipalities.catalogue(config.get("MUNICIPALITY_CATALOG", "")))
        self.timeout = float(config.get("RPC_TIMEOUT_SECONDS", 10))
        self.groups = {}  # target -> (answering group, when): a fan-out asks each group once

    def remember(self, target, group):
        if group is not None:
            self.groups[target] = (group, time.monotonic())

    def fan_out_targets(self):
        """One target per group seen answering in the last GROUPS_FRESH_SECONDS, and every
        target whose group is not known (so a group added or moved since is asked too)."""
        now, chosen, covered = time.monotonic(), [], set()
        for target in sorted(self.known) + [HOME]:
            group, seen = self.groups.get(target, (None, 0.0))
            if group is None or now - seen > GROUPS_FRESH_SECONDS:
                chosen.append(target)
            elif group not in covered:
                covered.add(group)
                chosen.append(target)
        return chosen

    def get_dependency(self, worker_ctx):
        return GroupServiceProxy(worker_ctx, self.target_service, self.rpc_reply_listener, self, **self.options)


class GroupServiceProxy(ServiceProxy):
    def __init__(self, worker_ctx, service_name, reply_listener, owner, **options):
        super().__init__(worker_ctx, service_name, reply_listener, **options)
        self.owner = owner

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return GroupMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener, self.owner,
                                **self.options)


class GroupMethodProxy(MethodProxy):
    def __init__(self, worker_ctx, service_name, method_name, reply_listener, owner, **options):
        self.owner = owner
        super().__init__(worker_ctx, service_name, method_name, reply_listener, **options)

    def target(self, args, kwargs):
        """The municipality a call names (its first argument, if one of the catalogue), else the home group."""
        first = args[0] if args else kwargs.get("municipality")
        return first if isinstance(first, str) and first in self.owner.known else HOME

    def __call__(self, *args, **kwargs):
        if self.method_name in FAN_OUT:
            return self.fan_out(args, kwargs)
        target = self.target(args, kwargs)
        reply = self.send(target, args, kwargs)
        try:
            return reply.result()
        finally:
            self.owner.remember(target, reply.group)

    def call_async(self, *args, **kwargs):
        return self.send(self.target(args, kwargs), args, kwargs)

    def send(self, target, args, kwargs):
        timeout = self.owner.timeout
        ex = exchange(self.service_name)
        reply_to = self.reply_listener.routing_key
        correlation_id = str(uuid.uuid4())
        headers = self.get_message_headers(self.worker_ctx)
        headers[f"nameko.{DEADLINE}"] = repr(time.time() + timeout)
        user = _user_of(self.amqp_uri)
        reply_event = self.reply_listener.get_reply_event(correlation_id)
        try:
            self.publisher.publish(
                {"args": args, "kwargs": kwargs}, exchange=ex, routing_key=f"{target}.{self.method_name}",
                mandatory=True, reply_to=reply_to, correlation_id=correlation_id, extra_headers=headers,
                expiration=timeout, declare=[ex], delivery_mode=TRANSIENT, **({"user_id": user} if user else {}),
            )
        except UndeliverableMessage:
            self.reply_listener._reply_events.pop(correlation_id, None)
            raise UnknownService(self.service_name)
        return _Reply(reply_event)

    def fan_out(self, args, kwargs):
        """Ask every municipality's group and the home group; one answer per group, merged."""
        pending = []
        for target in self.owner.fan_out_targets():
            try:
                pending.append((target, self.send(target, args, kwargs)))
            except UnknownService:
                continue  # no group serves that municipality
        if not pending:
            raise UnknownService(self.service_name)
        answers, errors = {}, []

        def wait(sent):
            target, reply = sent
            try:
                return reply, reply.result(), None
            except Exception as exc:  # a remote error: kept, raised below unless another group found it
                return reply, None, exc
            finally:
                self.owner.remember(target, reply.group)

        for reply, result, error in eventlet.GreenPool().imap(wait, pending):
            if error is not None:
                errors.append(error)
            else:
                answers.setdefault(reply.group, result)
        how = FAN_OUT[self.method_name]
        if errors and not (how == "found" and answers):
            raise errors[0]
        return merge(how, list(answers.values()), args, kwargs)


class _Reply:
    def __init__(self, event):
        self.event = event
        self.body = None

    @property
    def group(self):
        return (self.body or {}).get("group")

    def result(self):
        from nameko.exceptions import deserialize

        if self.body is None:
            self.body = self.event.wait()
        if self.body.get("error"):
            raise deserialize(self.body["error"])
        return self.body["result"]


# -- merging a fan-out's answers ---------------------------------------------------------


def merge(how, answers, args, kwargs):
    if how == "inbox":
        return _merge_inbox(answers, args, kwargs)
    if how in ("first", "found"):
        return answers[0]
    return _merge_deep(answers)


def _merge_deep(answers):
    """Dicts merged key by key, lists joined, numbers added, other values: the first given."""
    answers = [a for a in answers if a is not None]
    if not answers:
        return None
    first = answers[0]
    if all(isinstance(a, dict) for a in answers):
        keys = list(dict.fromkeys(k for a in answers for k in a))
        return {k: _merge_deep([a[k] for a in answers if k in a]) for k in keys}
    if all(isinstance(a, list) for a in answers):
        return [item for a in answers for item in a]
    if all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in answers):
        return sum(answers)
    return first


def _merge_inbox(answers, args, kwargs):
    limit = args[1] if len(args) > 1 else kwargs.get("limit", 50)
    limit = max(1, min(int(limit), 200))
    items = sorted((i for a in answers for i in a.get("items", [])), key=lambda i: i.get("created_at") or "",
                   reverse=True)
    return {"unread": sum(a.get("unread", 0) for a in answers), "items": items[:limit]}
