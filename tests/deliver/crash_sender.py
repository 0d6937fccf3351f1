"""The sender the crash test kills: ``python -m tests.deliver.crash_sender DATA_DIR PORT N``."""

from __future__ import annotations

import sys

from eurasiawatch.clock import Clock
from eurasiawatch.config import Settings
from eurasiawatch.deliver.options import Relay, SendOptions
from eurasiawatch.deliver.sender import send_edition
from eurasiawatch.deliver.smtp import SmtpMailer
from eurasiawatch.store import open_database

from .fakes import FakeSubscribers


def main() -> None:
    data_dir, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    options = SendOptions(relays=(Relay(host="127.0.0.1", port=port, connections=2),), concurrency=2)
    subs = FakeSubscribers.numbered(n)
    with open_database(Settings(data_dir=data_dir)) as db:
        report = send_edition(
            db,
            "crash",
            mailer=SmtpMailer(options.relays),
            recipients=subs.recipients,
            options=options,
            clock=Clock(),
            holder="crash-sender",  # the same holder after each kill: it takes its own lease back
        )
    print(report.status.counts)


if __name__ == "__main__":
    main()
