"""An SMTP server on loopback for tests and benches that run real worker processes."""

import socketserver
import threading
import time


class MailServer(socketserver.ThreadingTCPServer):
    """Just enough SMTP on loopback to receive mail; while `stalled`, a connection gets no greeting, so the
    worker hangs inside the task as it would on a mail server that stopped answering."""

    daemon_threads = allow_reuse_address = True

    def __init__(self):
        self.stalled, self.messages, self.connections = threading.Event(), [], 0
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            server = self.server
            server.connections += 1
            if server.stalled.is_set():
                time.sleep(30)
                return
            self.wfile.write(b"220 test\r\n")
            data = None
            for raw in self.rfile:
                line = raw.decode(errors="replace").rstrip("\r\n")
                if data is not None:
                    if line == ".":
                        server.messages.append("\n".join(data))
                        data = None
                        self.wfile.write(b"250 queued\r\n")
                    else:
                        data.append(line)
                elif line.upper().startswith("DATA"):
                    data = []
                    self.wfile.write(b"354 go on\r\n")
                elif line.upper().startswith("QUIT"):
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 ok\r\n")
