#!/usr/bin/env python3
"""Check that a TCP port is free to listen on, and say which process holds it when not.

Usage: scripts/check_port.py HOST PORT. `make run` runs it before migrating, so that a busy
port is found at once rather than after the whole setup. Exits 0 when the port is free, 1
with one line naming the holder (as far as /proc shows it) when it is not. Standard library
only: it runs before the virtualenv matters.
"""

import errno
import os
import socket
import sys
from pathlib import Path

PROC = Path("/proc")
_LISTEN = "0A"  # the TCP state LISTEN in /proc/net/tcp


def port_is_free(host: str, port: int) -> bool:
    """Bind the port as gunicorn would (SO_REUSEADDR); True when that works."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def listening_inodes(port: int, proc: Path = PROC) -> set[str]:
    """Return the inodes of the sockets listening on the port, from /proc/net/tcp and tcp6."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == _LISTEN and fields[9] != "0":
                inodes.add(fields[9])
    return inodes


def holders(port: int, proc: Path = PROC) -> list[tuple[int, str]]:
    """Return (pid, command line) of the processes whose sockets listen on the port.

    A server's workers inherit its listening socket; only the first process of such a family
    (gunicorn's master) is named. Processes of other users cannot be looked into without
    privileges; they are left out.
    """
    wanted = {f"socket:[{inode}]" for inode in listening_inodes(port, proc)}
    found = {}
    for entry in proc.iterdir() if wanted else ():
        if not entry.name.isdigit():
            continue
        try:
            if not _socket_links(entry) & wanted:
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            parent = _parent_pid(entry)
        except OSError:  # gone meanwhile, or not ours to read
            continue
        found[int(entry.name)] = (parent, command)
    return sorted((pid, command) for pid, (parent, command) in found.items() if parent not in found)


def _parent_pid(process: Path) -> int:
    """Return the process's parent's pid, from its status file."""
    for line in (process / "status").read_text().splitlines():
        if line.startswith("PPid:"):
            return int(line.split()[1])
    return 0


def _socket_links(process: Path) -> set[str]:
    """Return what the process's file descriptors point at, skipping any closed meanwhile."""
    links = set()
    for fd in (process / "fd").iterdir():
        try:
            links.add(os.readlink(fd))
        except OSError:
            continue
    return links


def busy_message(host: str, port: int, found: list[tuple[int, str]]) -> str:
    """Say that the port is busy, by whom when known, and how to serve on another."""
    if found:
        who = ", ".join(f"process {pid} ({command})" for pid, command in found)
    else:
        who = f"another process (`ss -ltnp 'sport = :{port}'` may say which)"
    return (
        f"Port {port} on {host} is already in use by {who}. Stop it, or choose another "
        f"port: PORT={port + 1} make run"
    )


def main(argv: list[str]) -> int:
    """Check the port given on the command line; print why it is busy."""
    if len(argv) != 2 or not argv[1].isdigit():
        sys.stderr.write("usage: scripts/check_port.py HOST PORT\n")
        return 2
    host, port = argv[0], int(argv[1])
    if port_is_free(host, port):
        return 0
    sys.stderr.write(busy_message(host, port, holders(port)) + "\n")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
