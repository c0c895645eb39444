"""Tables of the shared helpers (they import no app of the project)."""

from __future__ import annotations

from django.db import models


class RateLimitCounter(models.Model):
    """Requests counted per key and fixed time window, shared by every worker process.

    The key is a keyed hash of scope and client address: raw IP addresses are never stored.
    """

    key = models.CharField(max_length=64)
    window_start = models.BigIntegerField()
    # Each database connection counts in a row of its own (``amg_portal.ratelimit``): requests on
    # one key (a room behind one address) never wait for each other's row lock. The count of a
    # key and window is the sum over its shards.
    shard = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # Created by the organisation app before the limiter became a shared helper; the table
        # kept its name (migrations organisation 0007 and amg_portal 0001 move only the model).
        db_table = "organisation_ratelimitcounter"
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start", "shard"], name="ratelimitcounter_unique_shard"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="organisation_rl_window_idx")]

    def __str__(self) -> str:
        return f"{self.key[:8]}… @{self.window_start}: {self.count}"


class DataGeneration(models.Model):
    """One row whose number grows with every statement that writes the organisation's data
    (``amg_portal.generation``): what is drawn from that data can be kept until it grows."""

    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.n)
