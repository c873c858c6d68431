"""The notifications service's configuration: its environment variables with their
defaults, read once per container, and timers whose interval is a setting."""
from nameko.extensions import DependencyProvider
from nameko.timer import Timer

from samskab import metrics, municipalities

from . import smtp

ENVIRONMENT = {
    "PUBLIC_URL": "http://localhost:8000",
    "NOTIFICATIONS_SECRET": "",  # no key built in: samskab.run refuses a start without one (samskab.secrets)
    "NOTIFICATIONS_SMTP_HOST": "localhost",
    "NOTIFICATIONS_SMTP_PORT": "1025",
    "NOTIFICATIONS_SMTP_TLS": "none",
    "NOTIFICATIONS_SMTP_USER": "",
    "NOTIFICATIONS_SMTP_PASSWORD": "",
    "NOTIFICATIONS_SMTP_CA_FILE": "",
    "NOTIFICATIONS_SMTP_TIMEOUT_SECONDS": "10",
    "NOTIFICATIONS_MAIL_FROM": "Samskab <noreply@samskab.localhost>",
    "NOTIFICATIONS_MAIL_MAX_ATTEMPTS": "10",
    "NOTIFICATIONS_MAIL_BACKOFF_SECONDS": "5",
    "NOTIFICATIONS_MAIL_BATCH": "500",
    "NOTIFICATIONS_SMTP_CONNECTIONS": "4",
    "NOTIFICATIONS_POLL_SECONDS": "1",
    "NOTIFICATIONS_DIGEST_POLL_SECONDS": "60",
    "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE": "0",
    "NOTIFICATIONS_WEBHOOK_ALLOWED_NETWORKS": "",
    "NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS": "8",
    "NOTIFICATIONS_WEBHOOK_DISABLE_AFTER": "8",
    "NOTIFICATIONS_WEBHOOK_BACKOFF_SECONDS": "5",
    "NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS": "5",
    "NOTIFICATIONS_WEBHOOK_CONCURRENCY": "20",
    "NOTIFICATIONS_WEBHOOK_HOLD_SECONDS": "259200",
    "OPEN_DATA_LICENCE": "https://creativecommons.org/licenses/by/4.0/",
}


def flag(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def load(config):
    """The settings object the use cases read (``s.NOTIFICATIONS_SMTP_HOST`` …), with
    the municipality catalogue; a bad SMTP security setting stops the start."""
    value = {name: config.get(name, default) for name, default in ENVIRONMENT.items()}
    value["catalogue"] = municipalities.catalogue(config.get("MUNICIPALITY_CATALOG", ""))
    value["metrics"] = metrics.for_service("notifications")
    settings = type("NotificationSettings", (), value)()
    smtp.check(settings)
    return settings


class Settings(DependencyProvider):
    """Configuration with the service's defaults (tests pass only what they change)."""

    def setup(self):
        self.value = load(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.value


class ConfiguredTimer(Timer):
    """A nameko timer whose interval is a configuration setting."""

    def __init__(self, setting, **kwargs):
        self.setting = setting
        super().__init__(interval=float(ENVIRONMENT[setting]), **kwargs)

    def setup(self):
        self.interval = float(self.container.config.get(self.setting, ENVIRONMENT[self.setting]))


every = ConfiguredTimer.decorator
