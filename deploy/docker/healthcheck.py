"""Container health check: GET /healthz on the port of the service this container runs.

The service is read from PID 1's command line (``python -m samskab.run <service>``),
its port from the same variables the service reads (HTTP_PORT for the gateway,
<SERVICE>_METRICS_PORT for the others), so one image serves every service.
Exit 0 when healthy, 1 otherwise (Docker's HEALTHCHECK contract).
"""
import os
import sys
import urllib.request

DEFAULT_PORTS = {"gateway": 8000, "proposals": 9101, "matching": 9102, "meetings": 9103, "notifications": 9104}


def service_of(cmdline):
    args = [a for a in cmdline.split("\0") if a]
    if "samskab.run" in args:
        rest = args[args.index("samskab.run") + 1:]
        if rest and rest[0] in DEFAULT_PORTS:
            return rest[0]
    return None


def port_of(service, environ):
    var = "HTTP_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"
    return int(environ.get(var, DEFAULT_PORTS[service]))


def main():
    try:
        with open("/proc/1/cmdline", encoding="utf-8") as fh:
            service = service_of(fh.read())
    except OSError:
        service = None
    service = os.environ.get("SAMSKAB_SERVICE", service)
    if service not in DEFAULT_PORTS:
        print("healthcheck: cannot tell which service runs (set SAMSKAB_SERVICE)", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{port_of(service, os.environ)}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (fixed local URL)
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"healthcheck: {url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
