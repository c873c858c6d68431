"""``make run``: the whole platform on this machine, with demo data.

RabbitMQ at AMQP_URI (started locally if installed and silent); PostgreSQL at
POSTGRES_URL, or an embedded PostgreSQL under var/postgres when none is given.
Each service runs as its own process, as it would in production; e-mail goes
to a sink that writes .eml files under var/mail.  Ctrl-C stops everything.
"""
from samskab import green

green.patch()

import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import requests  # noqa: E402

from samskab import config as configuration, devservices, migrate, secrets  # noqa: E402

ROOT = devservices.ROOT
SERVICES = ("proposals", "matching", "meetings", "notifications", "gateway")


def say(message):
    print(f"samskab: {message}", flush=True)


def has_service(name):
    return os.path.exists(os.path.join(ROOT, "services", name, "service.py"))


def development_secrets(env):
    """The signing keys of this checkout: made once under var/secrets.env (mode 0600), then reused,
    so sessions survive a restart.  They are development keys: only make run accepts them."""
    sys.path.insert(0, os.path.join(ROOT, "scripts"))
    import make_secrets

    path = os.path.join(ROOT, "var", "secrets.env")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    made = make_secrets.write(path, make_secrets.NAMES, development=True)
    if made:
        say(f"generated development secrets {', '.join(made)} in var/secrets.env (kept for this checkout)")
    for name, value in make_secrets.read(path).items():
        env.setdefault(name, value)
    env[secrets.DEV_FLAG] = "1"


def dev_oidc_provider(env):
    """The development OpenID provider's settings into ``env``, and its command (scripts/dev_oidc.py)."""
    import dev_oidc
    import make_secrets

    path = os.path.join(ROOT, "var", "secrets.env")

    def write_keys(names):
        make_secrets.write(path, names, development=True)
        return make_secrets.read(path)

    return dev_oidc.configure(env, ROOT, write_keys, say)


def main():
    env = dict(os.environ)
    try:
        env["AMQP_URI"] = devservices.rabbitmq(env.get("AMQP_URI"))
    except devservices.Unavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    env.update(devservices.broker_users(env["AMQP_URI"], say=say))  # a broker user per service, says what it did
    embedded = None
    if not env.get("POSTGRES_URL") and not all(env.get(f"{s.upper()}_DATABASE_URL") for s in SERVICES):
        say("no POSTGRES_URL given: starting an embedded PostgreSQL under var/postgres")
        env["POSTGRES_URL"], embedded = devservices.embedded_postgres()
    os.makedirs(os.path.join(ROOT, "var", "mail"), exist_ok=True)
    env.setdefault("NOTIFICATIONS_SMTP_HOST", "127.0.0.1")
    env.setdefault("NOTIFICATIONS_SMTP_PORT", "1025")
    env["MIGRATE_ON_START"] = "0"
    development_secrets(env)
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "shared"), os.path.join(ROOT, "services")])
    running = [s for s in SERVICES if has_service(s)]
    for service in running:
        say(f"migrating {service}")
        migrate.upgrade(service, configuration.database_url(service, env))

    children = []
    logdir = os.path.join(ROOT, "var", "log")
    os.makedirs(logdir, exist_ok=True)

    def start(name, argv):
        log = open(os.path.join(logdir, f"{name}.log"), "ab")
        children.append((name, subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)))

    oidc_provider = dev_oidc_provider(env)  # before the gateway starts: it reads the provider's settings
    if oidc_provider:
        start("oidc-provider", oidc_provider)
    if os.path.exists(os.path.join(ROOT, "services", "notifications", "mailsink.py")):
        start("mailsink", [sys.executable, "-m", "notifications.mailsink", "--port", env["NOTIFICATIONS_SMTP_PORT"],
                           "--folder", os.path.join(ROOT, "var", "mail")])
    for service in running:
        start(service, [sys.executable, "-m", "samskab.run", service])

    port = int(env.get("HTTP_PORT", 8000))
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                break
        except requests.RequestException:
            pass
        for name, proc in children:
            if proc.poll() is not None:
                say(f"{name} exited with {proc.returncode}; see var/log/{name}.log")
                stop(children)
                return 1
        time.sleep(0.5)
    else:
        say("the platform did not become ready in 60 s; see var/log/*.log")

    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "seed_demo.py"), url], env=env, check=False)
    say(f"ready: {url}  (logs in var/log, e-mail in var/mail; Ctrl-C stops)")
    stopping = []
    signal.signal(signal.SIGINT, lambda *a: stopping.append(1))
    signal.signal(signal.SIGTERM, lambda *a: stopping.append(1))
    while not stopping:
        for name, proc in children:
            if proc.poll() is not None:
                say(f"{name} stopped unexpectedly ({proc.returncode}); see var/log/{name}.log")
                stopping.append(1)
        time.sleep(0.5)
    stop(children)
    if embedded is not None:
        embedded.cleanup()
    return 0


def stop(children):
    say("stopping")
    for _, proc in children:
        if proc.poll() is None:
            proc.terminate()
    for _, proc in children:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    sys.exit(main())
