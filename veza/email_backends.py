"""The development email backend: each message on the console as a person reads it.

Django's console backend prints the raw MIME message, where a long line (an HTML part, a
signed link) can come out quoted-printable: ``=3D`` for ``=`` and soft line breaks inside the
link, so a verification link cannot be copied from the terminal. This backend prints the
headers people need and the plain-text body as written (links intact, one per line), and only
names the HTML alternative and the attachments. Real delivery (``EMAIL_URL=smtp://…``) is not
affected.
"""

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend

RULE = "-" * 79


class ReadableConsoleEmailBackend(ConsoleEmailBackend):
    def write_message(self, message) -> None:
        lines = [
            f"Subject: {message.subject}",
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
        ]
        if message.cc:
            lines.append(f"Cc: {', '.join(message.cc)}")
        if message.bcc:
            lines.append(f"Bcc: {', '.join(message.bcc)}")
        lines += ["", str(message.body).rstrip("\n"), ""]
        for alternative in getattr(message, "alternatives", ()):
            lines.append(f"[{alternative[1]} version of the same text not shown]")
        for attachment in message.attachments:
            name = attachment[0] if isinstance(attachment, tuple) else attachment.get_filename()
            lines.append(f"[attachment: {name}]")
        self.stream.write("\n".join(lines).rstrip("\n") + "\n" + RULE + "\n")
