"""Gunicorn's settings for production: `gunicorn -c gunicorn.conf.py emn_conference.wsgi`.

Each app server runs one gunicorn behind the reverse proxy or load balancer (README.md,
"Production"). The sizes come from the environment; the rest is fixed here on purpose.
"""

import os

from gunicorn.glogging import Logger

from emn_conference.log_safety import safe_url


def _env(name: str, default: str) -> str:
    """The variable's value; empty counts as unset (as in a copied .env.example)."""
    return os.environ.get(name) or default


wsgi_app = "emn_conference.wsgi:application"
proc_name = "emn_conference"

# Where the proxy reaches this server: a loopback or private address, never the public one.
bind = _env("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Processes, and threads in each (more than one selects the threaded worker, which also keeps
# the proxy's connections alive). Every thread may hold a database connection, so PostgreSQL
# sees up to servers x workers x threads of them.
workers = int(_env("WEB_CONCURRENCY", str(2 * (os.cpu_count() or 1) + 1)))
threads = int(_env("GUNICORN_THREADS", "2"))
worker_class = "gthread" if threads > 1 else "sync"

# A worker silent for this long is killed and replaced: long enough for the slowest page (an
# export or badge run made within the request), short enough that a stuck request does not
# hold a worker for long.
timeout = int(_env("GUNICORN_TIMEOUT", "60"))
# On restart or deploy (SIGTERM, SIGHUP), requests in progress get this long to finish.
graceful_timeout = 30
# Idle keep-alive connections are closed after this many seconds: longer than the proxy's own
# idle timeout (nginx's upstream keepalive_timeout and most load balancers': 60 s), so that
# the proxy closes first and never sends a request on a connection gunicorn is closing.
keepalive = 65
# Each worker is replaced after about this many requests (the jitter spreads the restarts so
# that the workers do not all restart at once): memory that creeps up is given back.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file in memory rather than on a disk that may stall (containers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Gunicorn's control socket (gunicornc) would live in the user's home, shared by every
# gunicorn of that user: the process manager restarts and scales this one instead.
control_socket_disable = True

# Access log on stdout, error log on stderr: the process manager (systemd, the container
# runtime) collects both. The access log never holds a query string or a secret part of a
# path (SafeAccessLogger below), whatever access_log_format says.
accesslog = "-"
errorlog = "-"
loglevel = _env("GUNICORN_LOG_LEVEL", "info")
# Apache's combined format, with the request line rebuilt from its cleaned path, and the time
# taken in milliseconds.
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

# Headers whose whole value is a credential.
SECRET_HEADERS = {"cookie", "set-cookie", "authorization", "proxy-authorization"}
# Headers holding a URL of this site, cleaned like the request's own.
URL_HEADERS = {"referer", "location"}


class SafeAccessLogger(Logger):
    """Gunicorn's logger, with every atom that could carry a secret cleaned or removed."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # The path as the client sent it (still percent-encoded, so one request is one line).
        path = safe_url(environ.get("RAW_URI") or environ.get("PATH_INFO") or "")
        atoms["U"] = path
        atoms["r"] = f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}"
        atoms["q"] = "-"
        atoms["f"] = safe_url(environ.get("HTTP_REFERER", "-"))
        for key in list(atoms):
            if key.endswith("}e"):
                # The WSGI environment repeats all of it (QUERY_STRING, RAW_URI, HTTP_COOKIE…).
                del atoms[key]
            elif key.endswith(("}i", "}o")):
                header = key[1:-2]
                if header in SECRET_HEADERS:
                    atoms[key] = "-"
                elif header in URL_HEADERS:
                    atoms[key] = safe_url(atoms[key])
        return atoms


logger_class = SafeAccessLogger
