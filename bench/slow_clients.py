"""Check that clients trickling their request bodies cannot stop the service answering.

Run as ``.venv/bin/python bench/slow_clients.py`` (``--help`` lists the options). It starts
gunicorn as ``make run`` does (``gunicorn.conf.py``, DEBUG off, plain HTTP) on a free port,
against DATABASE_URL or the embedded server; arguments after ``--`` go to gunicorn, so
``-- --worker-class sync --threads 1`` serves as Tally 0.1.0 did and shows the fault.
Then CLIENTS connections each send the headers of a ``POST /api/event`` and one byte of its
body every INTERVAL seconds, while ``GET /api/ping/`` is asked once a second. Exits 0 when
every ping answered within the limit, 1 when one did not, 2 when the server would not start.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY_BYTES = 1000  # announced in Content-Length; only a few of them are ever sent


def free_port() -> int:
    """Return a TCP port nobody listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int, gunicorn_args: list[str], log: Path) -> subprocess.Popen:
    """Start gunicorn with the project's configuration, its output going to ``log``."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS_ONLY": "0",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        *gunicorn_args,
        "proj.wsgi",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)


def ping(base: str, timeout: float) -> float | None:
    """Return the seconds ``GET /api/ping/`` took, or None when it failed or timed out."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"{base}/api/ping/", timeout=timeout) as response:
            response.read()
    except OSError:
        return None
    return time.monotonic() - started


def wait_until_up(base: str, server: subprocess.Popen, seconds: float) -> bool:
    """Wait for the server to answer a ping; False when it exits or takes too long."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        if ping(base, timeout=1.0) is not None:
            return True
        time.sleep(0.3)
    return False


def trickle(port: int, interval: float, stop: threading.Event) -> None:
    """Send a POST's headers, then one byte of its body every ``interval`` seconds."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(
            b"POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n"
            b"Content-Length: " + str(BODY_BYTES).encode() + b"\r\n\r\n{"
        )
        while not stop.wait(interval):
            try:
                connection.sendall(b" ")
            except OSError:  # the server gave up on us, as it may
                return


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Read the command line; what follows ``--`` is for gunicorn."""
    ours, gunicorn_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if ("--" in argv) else (argv, [])
    )
    parser = argparse.ArgumentParser(
        prog="bench/slow_clients.py", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--clients", type=int, default=2, help="slow connections (2)")
    parser.add_argument(
        "--interval", type=float, default=3.0, help="seconds between body bytes (3)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the pings go on (15)")
    parser.add_argument(
        "--limit-ms", type=float, default=1000.0, help="slowest acceptable ping in ms (1000)"
    )
    return parser.parse_args(ours), gunicorn_args


def main(argv: list[str]) -> int:
    """Serve, trickle, ping; print each ping and the verdict."""
    args, gunicorn_args = parse_args(argv)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"tally-slow-clients-{port}.log"
    server = start_server(port, gunicorn_args, log)
    stop = threading.Event()
    try:
        if not wait_until_up(base, server, seconds=120.0):
            print(f"bench/slow_clients: the server did not start; its log: {log}")
            return 2
        clients = [
            threading.Thread(target=trickle, args=(port, args.interval, stop), daemon=True)
            for _ in range(args.clients)
        ]
        for client in clients:
            client.start()
        time.sleep(1.0)  # let the slow requests reach the workers first
        print(
            f"{args.clients} clients sending a body byte every {args.interval:g} s; "
            f"GET /api/ping/ once a second for {args.seconds:g} s:"
        )
        timeout = max(args.limit_ms / 1000 * 5, 5.0)
        answers = []
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            seconds = ping(base, timeout=timeout)
            answers.append(seconds)
            print("  no answer" if seconds is None else f"  {seconds * 1000:.0f} ms")
            time.sleep(max(0.0, 1.0 - (seconds or timeout)))
        slow = [s for s in answers if s is None or s * 1000 > args.limit_ms]
        verdict = "PASS" if not slow else "FAIL"
        print(
            f"{verdict}: {len(answers) - len(slow)} of {len(answers)} pings answered within "
            f"{args.limit_ms:.0f} ms (server log: {log})"
        )
        return 0 if not slow else 1
    finally:
        stop.set()
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
