"""A real IMAP server on 127.0.0.1 for the bounce tests: Debian's Dovecot, run in the foreground.

``dovecot_server`` writes a throwaway configuration into a temporary directory — a passwd-file for
one mailbox user, a self-signed certificate for 127.0.0.1, maildir storage, logs — picks two free
ports (STARTTLS on one, implicit TLS on the other), starts ``dovecot -F -c CONF`` and stops it after.
Plain-text logins are only accepted after TLS. When the tests run as root (CI), the mailbox user is
``nobody`` (Dovecot refuses UID 0 for mail), so the directory is made traversable for it; run
unprivileged, every Dovecot process runs as the current user, without chroot.

Without Dovecot the tests skip locally and fail under ``CI=true`` (``.ci/run`` installs
``dovecot-imapd``).
"""

from __future__ import annotations

import grp
import imaplib
import ipaddress
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ..services import missing
from .smtp_loopback import free_port

USER, PASSWORD = "bounces", "imap test password 7"


@dataclass(frozen=True)
class Dovecot:
    """A running test server: where it listens and how to log in."""

    host: str
    starttls_port: int
    tls_port: int
    user: str
    password: str
    ca_file: Path
    log_file: Path

    def context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate (and nothing else)."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    @contextmanager
    def client(self) -> Iterator[imaplib.IMAP4_SSL]:
        """A logged-in IMAP connection over implicit TLS, for arranging and inspecting the mailbox."""
        conn = imaplib.IMAP4_SSL(self.host, self.tls_port, ssl_context=self.context(), timeout=20)
        try:
            conn.login(self.user, self.password)
            yield conn
        finally:
            conn.logout()

    def append(self, folder: str, *messages: bytes) -> None:
        """Deliver messages into a folder (created when missing)."""
        with self.client() as conn:
            conn.create(folder)  # NO when it exists: fine
            for data in messages:
                typ, detail = conn.append(folder, None, None, data)
                assert typ == "OK", detail

    def folder(self, folder: str) -> list[tuple[bytes, set[str]]]:
        """Every message in a folder with its flags, read without changing anything."""
        with self.client() as conn:
            typ, _ = conn.select(folder, readonly=True)
            if typ != "OK":
                return []
            typ, data = conn.uid("SEARCH", "ALL")
            uids = data[0].decode().split() if data and data[0] else []
            found = []
            for uid in uids:
                typ, fetched = conn.uid("FETCH", uid, "(FLAGS BODY.PEEK[])")
                raw = b""
                meta = b""
                for item in fetched:
                    if isinstance(item, tuple):
                        meta += item[0]
                        raw = item[1]
                    elif isinstance(item, bytes):
                        meta += item
                flags = meta.split(b"FLAGS (", 1)[1].split(b")", 1)[0].decode().split()
                found.append((raw, set(flags)))
            return found


def _dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(p, os.X_OK)), None
    )


def _certificate(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eurasiawatch test imap")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _config(root: Path, *, cert: Path, key: Path, starttls: int, tls: int, extra: str) -> Path:
    if os.geteuid() == 0:
        mail_user = pwd.getpwnam("nobody")
        internal = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
        chroot = ""
    else:  # unprivileged: every process runs as the current user, and nothing can chroot
        mail_user = pwd.getpwuid(os.getuid())
        group = grp.getgrgid(mail_user.pw_gid).gr_name
        internal = (
            f"default_internal_user = {mail_user.pw_name}\ndefault_login_user = {mail_user.pw_name}\n"
            f"default_internal_group = {group}\nservice anvil {{\n  chroot =\n}}\n"
        )
        chroot = "  chroot =\n"
    mail = root / "mail"
    mail.mkdir()
    os.chown(mail, mail_user.pw_uid, mail_user.pw_gid)
    users = root / "users"
    users.write_text(
        f"{USER}:{{PLAIN}}{PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{mail}/{USER}::\n",
        encoding="utf-8",
    )
    conf = root / "dovecot.conf"
    conf.write_text(
        f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = yes
auth_mechanisms = plain login
first_valid_uid = {mail_user.pw_uid}
{internal}passdb {{
  driver = passwd-file
  args = {users}
}}
userdb {{
  driver = passwd-file
  args = {users}
}}
mail_location = maildir:{mail}/%u
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {starttls}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls}
    ssl = yes
  }}
}}
{extra}""",
        encoding="utf-8",
    )
    return conf


def _wait_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                "dovecot exited: "
                + (process.stdout.read().decode(errors="replace") if process.stdout else "")
                + (log.read_text(errors="replace") if log.exists() else "")
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not listen on 127.0.0.1:{port} within 20 s")


@contextmanager
def dovecot_server(extra_config: str = "") -> Iterator[Dovecot]:
    """Start Dovecot with a temporary configuration; skip (fail under CI=true) when it is missing."""
    binary = _dovecot_binary()
    if binary is None:
        message = "dovecot is not installed (Debian package dovecot-imapd)"
        missing(message)
    root = Path(tempfile.mkdtemp(prefix="ew-dovecot-"))
    root.chmod(0o755)  # the mail user (nobody, when root runs the tests) must reach its maildir
    process: subprocess.Popen[bytes] | None = None
    try:
        cert, key = _certificate(root)
        starttls, tls = free_port(), free_port()
        conf = _config(root, cert=cert, key=key, starttls=starttls, tls=tls, extra=extra_config)
        process = subprocess.Popen(
            [binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        _wait_listening(tls, process, root / "dovecot.log")
        _wait_listening(starttls, process, root / "dovecot.log")
        yield Dovecot("127.0.0.1", starttls, tls, USER, PASSWORD, cert, root / "dovecot.log")
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
        shutil.rmtree(root, ignore_errors=True)
