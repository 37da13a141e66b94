import os
from urllib.parse import urlsplit


def server_url(database: str = "postgres") -> str:
    """DATABASE_URL, pointed at another database on the same PostgreSQL server."""
    return urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{database}").geturl()
