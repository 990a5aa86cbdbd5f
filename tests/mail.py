"""Mail servers for the tests: a down one, one that refuses, one that hangs, and a real sink."""

import contextlib
import email
import email.policy
import smtplib
import socket
import threading
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from django.core.mail.backends.base import BaseEmailBackend

from tests.processes import free_port


class DownEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingEmailBackend(BaseEmailBackend):
    """A server that answers 550 for every recipient: trying again cannot help."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused(
            {to: (550, b"5.1.1 No such user") for m in email_messages for to in m.to}
        )


@dataclass
class Sink:
    """What a real SMTP server (aiosmtpd) received."""

    port: int
    messages: list[email.message.Message] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def smtp_sink():
    sink = Sink(port=free_port())
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@contextlib.contextmanager
def hanging_smtp_server():
    """Accepts connections and never says a word, like a mail server that has hung."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    stop = threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in accepted:
            connection.close()
        listener.close()
