"""The demo's mail (`make run`): each message printed in the terminal as a person reads it (to, subject, the text
and the names of its attachments), not as MIME with base64 attachments."""

import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

RULE = "─" * 78


class ReadableConsoleBackend(BaseEmailBackend):
    _lock = threading.Lock()

    def send_messages(self, messages):
        with self._lock:
            for message in messages:
                attachments = [getattr(item, "filename", None) or item[0] for item in message.attachments
                               if not isinstance(item, str)]
                lines = [RULE, f"Mail aan {', '.join(message.to)}", f"Onderwerp: {message.subject}", "",
                         message.body.rstrip()]
                invitations = [mimetype.partition("method=")[2] for _content, mimetype in
                               getattr(message, "alternatives", []) if mimetype.startswith("text/calendar")]
                if invitations:
                    lines += ["", "Voor de agenda: " + ", ".join(invitations)]
                if attachments:
                    lines += ["", "Bijlagen: " + ", ".join(attachments)]
                sys.stdout.write("\n".join([*lines, RULE, ""]) + "\n")
            sys.stdout.flush()
        return len(messages)
