"""Files for looking at a rendered edition outside a mail client: the two email parts, a ``.eml``
message (multipart/alternative with the charts as multipart/related inline parts) and a preview
page whose ``cid:`` images point at PNG files beside it.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from ..records import RenderedEdition

__all__ = ["email_files", "preview_message"]


def preview_message(rendered: RenderedEdition, *, sender: str = "briefing@example.invalid") -> bytes:
    """The edition as one MIME message, as a subscriber would receive it (addresses are placeholders)."""
    msg = EmailMessage(policy=SMTP)
    msg["Subject"] = rendered.subject
    msg["From"] = sender
    msg["To"] = "reader@example.invalid"
    msg.set_content(rendered.text, cte="quoted-printable")
    msg.add_alternative(rendered.email_html, subtype="html", cte="quoted-printable")
    html_part = next(part for part in msg.iter_parts() if part.get_content_type() == "text/html")
    assert isinstance(html_part, EmailMessage)
    for cid, mime, data in rendered.inline_parts:
        maintype, subtype = mime.split("/", 1)
        html_part.add_related(data, maintype, subtype, cid=f"<{cid}>", disposition="inline")
    return msg.as_bytes()


def email_files(rendered: RenderedEdition) -> dict[str, bytes]:
    """``email.html``, ``email.txt``, ``email.eml`` and ``email-preview.html`` with its chart files."""
    preview = rendered.email_html
    files: dict[str, bytes] = {}
    for i, (cid, mime, data) in enumerate(rendered.inline_parts, start=1):
        name = f"email-part-{i}.{mime.split('/', 1)[1]}"
        files[name] = data
        preview = preview.replace(f'"cid:{cid}"', f'"{name}"')
    files["email.html"] = rendered.email_html.encode("utf-8")
    files["email.txt"] = rendered.text.encode("utf-8")
    files["email.eml"] = preview_message(rendered)
    files["email-preview.html"] = preview.encode("utf-8")
    return files
