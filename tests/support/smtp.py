"""A real SMTP server in the test process (aiosmtpd), collecting what the app sends."""

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    """A TCP port nothing is listening on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """Messages delivered to the in-process SMTP server, with helpers to read them."""

    def __init__(self):
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self._messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        """Messages sent to `address`, oldest first."""
        return [m for m in self.messages if m["To"] == address]

    def last_to(self, address: str) -> EmailMessage:
        """The newest message to `address`; fails the test if there is none."""
        found = self.to(address)
        assert found, f"no email was sent to {address}; sent: {[m['To'] for m in self.messages]}"
        return found[-1]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def link(self, message: EmailMessage, path_fragment: str) -> str:
        """The first link in `message` whose path contains `path_fragment`."""
        for url in re.findall(r"https?://\S+", self.body(message)):
            if path_fragment in url:
                return url
        raise AssertionError(f"no link containing {path_fragment!r} in:\n{self.body(message)}")


class SMTPServer:
    """Start and stop aiosmtpd on a free loopback port."""

    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def start(self) -> "SMTPServer":
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
