"""Run one service: ``python -m samskab.run <service>``.

Patches for eventlet first, reads the environment, migrates the service's
database (unless ``MIGRATE_ON_START=0``), then runs the nameko service until
SIGTERM or SIGINT, and stops it gracefully (in-flight workers finish).
"""
from samskab import green

green.patch()

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

import eventlet  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402

from samskab import config as configuration, logs, migrate, secrets  # noqa: E402

log = logging.getLogger("samskab.run")


def service_class(service):
    module = importlib.import_module(f"{service}.service")
    return module.Service


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] not in configuration.SERVICES:
        print(f"usage: python -m samskab.run {{{'|'.join(configuration.SERVICES)}}}", file=sys.stderr)
        return 2
    service = argv[0]
    cls = service_class(service)
    try:
        config = configuration.load(service, extra=getattr(cls, "environment", None))
        configuration.check_secrets(service, config)
        if hasattr(cls, "check_config"):
            cls.check_config(config)  # the service's own settings (the gateway's identity providers)
    except (configuration.ConfigError, secrets.SecretError) as exc:
        print(f"{service}: {exc}", file=sys.stderr)
        return 2
    logs.configure(service, config["LOG_LEVEL"], config["LOG_FORMAT"])
    if config["MIGRATE_ON_START"]:
        migrate.upgrade(service, config["DATABASE_URL"])
    runner = ServiceRunner(config)
    runner.add_service(cls)
    stopping = eventlet.event.Event()

    def on_signal(signum, frame):
        if not stopping.ready():
            stopping.send(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    runner.start()
    log.info("%s started (municipalities: %s, port %s)", service, config["MUNICIPALITIES"], config["METRICS_PORT"])

    def watch():
        # A container that dies (an extension raised) must take the process with
        # it, so that the supervisor (Kubernetes, compose, make run) restarts it,
        # rather than leaving a live process that serves nothing.
        try:
            runner.wait()
        except Exception as exc:  # noqa: BLE001 - whatever killed the container
            log.error("%s died: %s: %s", service, type(exc).__name__, exc)
        if not stopping.ready():
            stopping.send("died")

    eventlet.spawn(watch)
    reason = stopping.wait()
    if reason == "died":
        runner.kill()
        return 1
    log.info("%s stopping", service)
    runner.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
