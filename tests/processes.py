"""Real processes for end-to-end tests: started in a session of their own, logged to a file.

Each process leads its own process group (`start_new_session`), so that stopping or killing
it reaches its children too: gunicorn's workers, Celery's pool processes and its scheduler.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

BASE_DIR = Path(__file__).resolve().parent.parent

T = TypeVar("T")

# Settings the test gives explicitly: none may leak in from the shell that runs pytest.
_OWN_VARIABLES = ("DJANGO_", "CELERY_", "OUTBOX_", "GUNICORN_", "WEB_CONCURRENCY")
_OWN_NAMES = {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "EMAIL_URL", "SITE_URL"}


def clean_environment(**variables: str) -> dict[str, str]:
    """The current environment without the project's settings, plus `variables`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(_OWN_VARIABLES) and name not in _OWN_NAMES
    }
    env["PYTHONUNBUFFERED"] = "1"
    env.update(variables)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reachable(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_until(predicate: Callable[[], T], *, timeout: float, what: str, every=0.2) -> T:
    """Polls `predicate` until it returns something true; fails saying what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(every)


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> str:
    """Runs a management command to completion; fails with its output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(
            f"manage.py {args[0]} exited with {result.returncode}:\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


class Process:
    """A long-running command with its log; can be started again after it stopped."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str], log: Path):
        self.name = name
        self.args = args
        self.env = env
        self.log = log
        self.popen: subprocess.Popen | None = None
        self._log_offset = 0

    def start(self) -> None:
        self._log_offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.popen = subprocess.Popen(
                self.args,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def output_since_start(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self._log_offset)
            return log.read().decode(errors="replace")

    def wait_for_output(self, text: str, *, timeout: float) -> None:
        def seen() -> bool:
            if not self.running:
                raise RuntimeError(f"{self.name} exited:\n{self.tail()}")
            return text in self.output_since_start()

        wait_until(seen, timeout=timeout, what=f"{self.name} printing {text!r}")

    def kill(self) -> None:
        """SIGKILL to the whole group, as when the machine loses the process."""
        self._signal_group(signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def terminate(self) -> None:
        """Asks the group to stop (several processes can be asked at once, then stopped)."""
        self._signal_group(signal.SIGTERM)

    def stop(self, timeout: float = 10) -> None:
        """Asks the group to stop, then kills what is left of it."""
        if self.popen is None:
            return
        self.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        # Children that outlived their parent are still in the group.
        self.kill()

    def _signal_group(self, signum: int) -> None:
        if self.popen is None:
            return
        # The leader's pid is the group's id (start_new_session); the group may be gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)

    def tail(self, lines: int = 80) -> str:
        if not self.log.exists():
            return "(no output)"
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return "\n".join(text)
