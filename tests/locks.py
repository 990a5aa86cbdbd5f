"""Another connection holding a row lock, as a concurrent request would (PostgreSQL tests)."""

import contextlib
import threading

from django.db import connection, transaction


@contextlib.contextmanager
def row_locked_elsewhere(model, pk):
    """Holds `SELECT … FOR UPDATE` on the row in another thread until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                model.objects.select_for_update().get(pk=pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert locked.wait(10), "the other connection never got the lock"
        yield
    finally:
        release.set()
        other.join()
