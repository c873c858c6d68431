"""What every nameko service of Samskab has: a ``ping`` for readiness checks."""
from nameko.rpc import rpc


class ServiceBase:
    @rpc
    def ping(self):
        return "pong"
