"""Run a service as its container would, but as a plain process on this machine.

The command and environment come from docker-compose.yml (the same image and
command every service runs in Kubernetes); hosts that only exist inside
compose (rabbitmq, postgres, mailpit) are replaced by this machine's servers,
ports by free ones, and the database by a fresh one per run.
"""
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

import requests
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def dockerfile_cmd():
    """The image's default command (exec form), as a list."""
    import json

    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("CMD "):
            return json.loads(line[4:])
    raise LookupError("the Dockerfile has no CMD")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_variable(service):
    return "HTTP_PORT" if service == "gateway" else f"{service.upper()}_METRICS_PORT"


def local_environment(compose_env, service, *, amqp_uri, postgres_url, database_url, port):
    """compose's environment for ``service`` with this machine's broker, database and a free port."""
    env = {k: str(v) for k, v in compose_env.items()}
    # compose's service connects as its own broker user; here, the test's broker and vhost instead
    own = env.pop(f"{service.upper()}_AMQP_URI")
    compose_amqp = urlparse(re.sub(r"\$\{[^}]*\}", "password", own))  # as compose interpolates it
    assert compose_amqp.hostname == "rabbitmq" and compose_amqp.username == f"samskab-{service}", own
    env["AMQP_URI"] = amqp_uri
    env["POSTGRES_URL"] = postgres_url
    env[f"{service.upper()}_DATABASE_URL"] = database_url
    env[port_variable(service)] = str(port)
    for key, value in list(env.items()):
        if value == "mailpit":
            env[key] = "127.0.0.1"
    return env


class ServiceProcess:
    """One service process; its output goes to ``log_path``."""

    def __init__(self, argv, env, log_path, port):
        self.port = port
        self.log_path = log_path
        base = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
        base["PYTHONPATH"] = os.pathsep.join([str(ROOT / "shared"), str(ROOT / "services")])
        self.log = open(log_path, "wb")
        # ``python`` in the image is the image's interpreter; here, the virtualenv's.
        argv = [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]
        self.proc = subprocess.Popen(argv, env={**base, **env}, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def output(self):
        self.log.flush()
        return pathlib.Path(self.log_path).read_text(encoding="utf-8", errors="replace")[-4000:]

    def get(self, path, timeout=2):
        return requests.get(f"http://127.0.0.1:{self.port}{path}", timeout=timeout)

    def wait_until(self, path, seconds=90):
        """The first 200 answer of ``path``; fails with the process's output when there is none."""
        deadline = time.monotonic() + seconds
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"exited with {self.proc.returncode} before {path} answered:\n{self.output()}")
            try:
                response = self.get(path)
                if response.status_code == 200:
                    return response
                last = f"{response.status_code} {response.text[:200]}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.25)
        raise AssertionError(f"{path} did not answer 200 within {seconds}s (last: {last}):\n{self.output()}")

    def terminate(self, seconds=45):
        """SIGTERM, as Kubernetes and docker stop send; the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(seconds)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"did not stop within {seconds}s of SIGTERM:\n{self.output()}")
        self.log.close()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if not self.log.closed:
            self.log.close()
