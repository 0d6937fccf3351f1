"""SpamAssassin's verdict on the rendered sample edition, exactly as the loopback server received it.

The edition goes through the real path: ``render_edition`` → ``send_edition`` (DKIM-signed, with
the ledger) → aiosmtpd on loopback; the bytes the server accepted are fed to Debian's
``spamassassin -L -t`` (local tests only: no network). No header is added or invented on the way.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace

from eurasiawatch.clock import Clock
from eurasiawatch.deliver.options import Relay, SendOptions
from eurasiawatch.deliver.sender import approve_edition, send_edition
from eurasiawatch.deliver.smtp import SmtpMailer
from eurasiawatch.render import render_edition
from eurasiawatch.render.sample import sample_edition

from ..services import missing
from .fakes import FakeSubscribers
from .smtp_loopback import NOW, rsa_key, smtp_server

MAX_SCORE = 2.5


def _spamassassin() -> str:
    path = shutil.which("spamassassin")
    if path is None:
        message = "spamassassin is not installed (Debian package spamassassin)"
        missing(message)
    return path


def test_the_sample_edition_scores_low_with_spamassassin(fresh_db, tmp_path) -> None:
    spamassassin = _spamassassin()
    rendered = render_edition(sample_edition())
    approve_edition(
        fresh_db, replace(rendered, edition_id="sa"), slot=NOW, approved_by="editor", clock=Clock()
    )
    subs = FakeSubscribers.numbered(1)
    with smtp_server() as (sink, port):
        options = SendOptions(relays=(Relay(host="127.0.0.1", port=port, timeout=5),))
        report = send_edition(
            fresh_db,
            "sa",
            mailer=SmtpMailer(options.relays),
            recipients=subs.recipients,
            options=options,
            keys=(rsa_key(),),
            record_bounce=subs.record_bounce,
        )
    assert report.status.counts["sent"] == 1
    received = sink.received[0].data
    (tmp_path / "as-received.eml").write_bytes(received)
    done = subprocess.run(
        [spamassassin, "-L", "-t"],
        input=received,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    out = done.stdout.decode("utf-8", "replace")
    status = re.search(
        r"^X-Spam-Status: (\w+), score=(-?[\d.]+) required=[\d.]+ tests=(.*?)\s+autolearn",
        out,
        re.MULTILINE | re.DOTALL,
    )
    assert status, out[:2000]
    score = float(status.group(2))
    rules = sorted(r.strip() for r in status.group(3).replace("\n", " ").split(",") if r.strip())
    print(f"SpamAssassin score {score}, rules: {', '.join(rules)}")
    assert score <= MAX_SCORE, (score, rules)
