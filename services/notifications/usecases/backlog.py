"""Working through a backlog of due work in timer ticks."""
import time

# A timer tick works through a backlog for at most this long, so a stopping
# service is never kept waiting by a long backlog; the next tick goes on.
TICK_BUDGET_SECONDS = 15.0


def work_through(step, budget=TICK_BUDGET_SECONDS):
    """Call ``step()`` (which returns ``(done, worth_another_pass)``) until it says
    stop or ``budget`` seconds are spent; the sum of what was done."""
    total, started = 0, time.monotonic()
    while time.monotonic() - started < budget:
        done, again = step()
        total += done
        if not again:
            break
    return total
