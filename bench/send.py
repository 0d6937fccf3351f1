"""Messages per second to a loopback SMTP server: send_edition (DKIM + ledger) vs a bare aiosmtplib loop.

Both send the same messages to the same aiosmtpd server (in its own process) with the same
concurrency; the baseline has no ledger and no signature (its messages are built beforehand, so it
measures SMTP alone). The two alternate for ROUNDS rounds (a fresh ledger each time) and the ratio
of each round is printed with the median: on a shared machine the load changes from second to
second, and alternating keeps both sides of a ratio under the same load. Also times DKIM signing
alone: ours on ``cryptography`` against dkimpy. Run: ``.venv/bin/python bench/send.py [N] [ROUNDS]``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiosmtplib
import dkim
from cryptography.hazmat.primitives import serialization

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.deliver.fakes import FakeSubscribers  # noqa: E402
from tests.deliver.smtp_loopback import NOW, free_port, rendered_edition, rsa_key  # noqa: E402

from eurasiawatch.clock import Clock  # noqa: E402
from eurasiawatch.config import Settings  # noqa: E402
from eurasiawatch.deliver.dkim import DkimKey, sign_message  # noqa: E402
from eurasiawatch.deliver.message import MessageTemplate, new_verp_tag  # noqa: E402
from eurasiawatch.deliver.options import Relay, SendOptions  # noqa: E402
from eurasiawatch.deliver.sender import approve_edition, send_edition  # noqa: E402
from eurasiawatch.deliver.smtp import SmtpMailer  # noqa: E402
from eurasiawatch.records import RenderedEdition  # noqa: E402
from eurasiawatch.store import open_database  # noqa: E402

SERVER = """
import sys, time
from aiosmtpd.controller import Controller
class H:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
"""
CONCURRENCY = 8


async def bare(port: int, messages: list[tuple[str, str, bytes]]) -> None:
    queue = list(messages)

    async def worker() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
        await smtp.connect()
        while queue:
            sender, rcpt, data = queue.pop()
            await smtp.sendmail(sender, [rcpt], data)
        await smtp.quit()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux); 0 elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ours(
    edition: RenderedEdition, options: SendOptions, subs: FakeSubscribers, key: DkimKey, n: int
) -> tuple[float, float]:
    """Messages per second of send_edition with a fresh SQLite ledger and RSA DKIM (and its CPU s)."""
    with tempfile.TemporaryDirectory() as tmp, open_database(Settings(data_dir=tmp)) as db:
        db.upgrade()
        approve_edition(db, edition, slot=None, approved_by="bench", clock=Clock())
        t0, c0 = time.perf_counter(), time.process_time()
        report = send_edition(
            db,
            "bench",
            mailer=SmtpMailer(options.relays),
            recipients=subs.recipients,
            options=options,
            keys=(key,),
        )
        rate, cpu = n / (time.perf_counter() - t0), time.process_time() - c0
        assert report.status.counts["sent"] == n, report.status.counts
    return rate, cpu


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert server.stdout is not None and server.stdout.readline().startswith(b"ready")
    key = rsa_key()
    options = SendOptions(
        relays=(Relay(host="127.0.0.1", port=port, connections=CONCURRENCY),), concurrency=CONCURRENCY
    )
    subs = FakeSubscribers.numbered(n)
    edition = rendered_edition("bench")
    # the same messages, unsigned, for the baseline
    template = MessageTemplate.build(edition, options)
    messages = []
    for r in subs.active.values():
        out = template.render(
            address=r.address, token=r.token, verp=new_verp_tag(), now=NOW, keys=(), timestamp=0
        )
        messages.append((out.envelope_from, out.recipient, out.data))
    rates: list[tuple[float, float]] = []
    cpu: list[
        tuple[float, float, float, float]
    ] = []  # ms per message: (bare client, its server, ours, server)
    try:
        for _ in range(rounds):
            c0, s0, t0 = time.process_time(), cpu_seconds(server.pid), time.perf_counter()
            asyncio.run(bare(port, messages))
            bare_rate = n / (time.perf_counter() - t0)
            c1, s1 = time.process_time(), cpu_seconds(server.pid)
            our_rate, our_cpu = ours(edition, options, subs, key, n)
            rates.append((bare_rate, our_rate))
            s2 = cpu_seconds(server.pid)
            cpu.append((1000 * (c1 - c0) / n, 1000 * (s1 - s0) / n, 1000 * our_cpu / n, 1000 * (s2 - s1) / n))
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    raw = messages[0][2]
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    reps = 300
    t0 = time.perf_counter()
    for _ in range(reps):
        sign_message(raw, (key,), timestamp=0)
    ours_sign = (time.perf_counter() - t0) / reps * 1000
    t0 = time.perf_counter()
    for _ in range(reps):
        dkim.sign(raw, b"sel1", b"eurasiawatch.example", pem, canonicalize=(b"relaxed", b"relaxed"))
    dkimpy_sign = (time.perf_counter() - t0) / reps * 1000
    print(f"messages: {n}, concurrency {CONCURRENCY}, message size {len(raw)} bytes, {rounds} rounds")
    for i, (bare_rate, our_rate) in enumerate(rates, 1):
        print(
            f"round {i}: bare aiosmtplib loop (no ledger, no DKIM) {bare_rate:7.1f} msg/s, "
            f"send_edition (SQLite ledger + RSA DKIM) {our_rate:7.1f} msg/s, ratio {our_rate / bare_rate:.2f}"
        )
    for i, (bc, bs, oc, os_) in enumerate(cpu, 1):
        print(
            f"round {i}: CPU per message: bare client {bc:.2f} ms (server {bs:.2f} ms), "
            f"send_edition {oc:.2f} ms, all threads (server {os_:.2f} ms)"
        )
    ratio = statistics.median(o / b for b, o in rates)
    print(f"median ratio: {ratio:.2f} (target >= 0.6)")
    print(f"DKIM signing per message: ours {ours_sign:.2f} ms, dkimpy {dkimpy_sign:.2f} ms")


if __name__ == "__main__":
    main()
