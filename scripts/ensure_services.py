"""Make sure a RabbitMQ (with its management API) and a PostgreSQL are there for the tests.

Starts the machine's servers when installed and stopped.  With no broker to
be had, it exits with one sentence saying what to install.
"""
import sys

from samskab import devservices


def main():
    try:
        devservices.rabbitmq()
        devservices.rabbitmq_management()
    except devservices.Unavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    url = devservices.machine_postgres()
    print(f"broker: ok; PostgreSQL: {url or 'embedded (var/postgres)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
