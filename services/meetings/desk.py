"""The registration desk: group commit for registrations, one queue per meeting and process."""
import eventlet.event
from nameko.extensions import DependencyProvider

from samskab.errors import Conflict


class RegistrationDesk(DependencyProvider):
    """Group commit for registrations, one queue per meeting and process.

    When many people register for one meeting at once, the first worker to
    arrive becomes the meeting's leader: it takes everything queued so far and
    decides it in one transaction under the meeting's row lock, then the next
    batch, until the queue is empty.  The others wait for their own result.
    One transaction per batch instead of per person is what keeps a popular
    meeting from queueing every worker on its row lock.  eventlet switches
    only on I/O, so the queue needs no lock of its own.
    """

    def setup(self):
        self.queues = {}
        self.leading = set()
        self.max_batch = 500

    def get_dependency(self, worker_ctx):
        return self

    def submit(self, key, item, decide_batch):
        done = eventlet.event.Event()
        self.queues.setdefault(key, []).append((item, done))
        if key not in self.leading:
            self.leading.add(key)
            try:
                while self.queues.get(key):
                    queue = self.queues[key]
                    batch, self.queues[key] = queue[:self.max_batch], queue[self.max_batch:]
                    try:
                        results = decide_batch(key, [i for i, _ in batch])
                    except Exception as exc:  # the whole batch failed (closed, not found …)
                        results = [exc] * len(batch)
                    for (_, event), result in zip(batch, results):
                        event.send(result)
                self.queues.pop(key, None)
            finally:
                self.leading.discard(key)
                # If the leader itself fails, nobody queued behind it waits forever.
                for _, event in self.queues.pop(key, []):
                    if not event.ready():
                        event.send(Conflict("registration was interrupted; try again"))
        result = done.wait()
        if isinstance(result, Exception):
            raise result
        return result
