"""A Redis on loopback for tests (Debian's redis-server): a real one, never a mock."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time

import redis

from bench.common import free_port


class ThrowawayRedis:
    """A Redis on loopback whose data survives `stop` and `start` (a snapshot in its own folder), as a Redis
    restarted with persistence does."""

    def __init__(self, folder):
        self.port, self.folder = free_port(), folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.start()

    def start(self):
        self.process = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "no", "--loglevel", "warning"], stdout=subprocess.DEVNULL)
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), 1):
                return
            time.sleep(0.05)

    def stop(self):
        """Everything it holds is written to disk first; then it is gone (connections refused)."""
        redis.Redis(port=self.port).save()
        self.process.kill()
        self.process.wait(timeout=30)

    def pause(self):
        """Its connections hang, as over a broken network."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)

    def close(self):
        os.kill(self.process.pid, signal.SIGCONT)
        self.process.terminate()
        self.process.wait(timeout=30)
