"""The notifications service's own Prometheus counters (the backbone's event and
outbox metrics come from the common library)."""
from prometheus_client import Counter

NOTIFICATIONS_CREATED = Counter("samskab_notifications_created_total", "Notifications created", ["kind"])
EMAILS = Counter("samskab_emails_total", "E-mail delivery attempts by outcome", ["outcome"])
EMAILS_FAILED = Counter("samskab_emails_failed_total",
                        "E-mails given up on for good (refused, or out of attempts)")
DIGESTS = Counter("samskab_digests_total", "Digests made")
WEBHOOK_ATTEMPTS = Counter("samskab_webhook_attempts_total", "Webhook delivery attempts by outcome",
                           ["outcome"])
WEBHOOKS_FAILED = Counter("samskab_webhook_deliveries_failed_total",
                          "Webhook deliveries given up on for good")
WEBHOOKS_DISABLED = Counter("samskab_webhooks_disabled_total", "Webhook subscriptions disabled")
