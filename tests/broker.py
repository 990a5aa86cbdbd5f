"""A real Celery broker for the tests that must see a task leave the request."""

import contextlib
import socket
import uuid

import pytest

from emn_conference.celery import app

REDIS = ("127.0.0.1", 6379)


def redis_is_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection(REDIS, timeout=0.5):
        return True
    return False


@contextlib.contextmanager
def broker(url: str):
    """Tasks go to the broker at `url`, in a queue of their own, instead of running in-process.

    Yields the queue's name; no worker listens to it, so what the test sent stays there.
    """
    queue = f"test-{uuid.uuid4().hex}"
    saved = app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue
    app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = url, False, queue
    # The connection and producer pools are made from the URL on first use.
    app._pool = app.amqp._producer_pool = None
    try:
        yield queue
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = app.amqp._producer_pool = None
        app.conf.broker_url, app.conf.task_always_eager, app.conf.task_default_queue = saved


def requires_redis(test):
    """Marks a test `redis` and skips it, saying why, where no Redis runs."""
    skip = pytest.mark.skipif(not redis_is_up(), reason="needs Redis on 127.0.0.1:6379")
    return pytest.mark.redis(skip(test))
