"""The test doubles' HTTP server: a double's state and its request handler on a loopback port, in a thread
(`with SomeDoubleServer() as server: …`), or in the foreground for the demo (`serve_forever`)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    def __init__(self, double, handler: type[BaseHTTPRequestHandler], *, port: int = 0):
        self.double = double
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), type("BoundHandler", (handler,), {"double": double}))
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def serve_until_interrupted(self) -> None:
        with self:
            try:
                self.thread.join()
            except KeyboardInterrupt:
                pass
