"""scripts/check_port.py, which `make run` runs first: is the port free, and who holds it."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.check_port import busy_message, holders, main, port_is_free


@pytest.fixture
def listening_port():
    """Listen on a free port of 127.0.0.1 and return the port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


@pytest.fixture
def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port


def own_command() -> str:
    return Path("/proc/self/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()


class PortIsFreeTest:
    def test_port_is_free_listening(self, listening_port):
        assert port_is_free("127.0.0.1", listening_port) is False

    def test_port_is_free_unused(self, free_port):
        assert port_is_free("127.0.0.1", free_port) is True


class HoldersTest:
    def test_holders_own_listener(self, listening_port):
        assert holders(listening_port) == [(os.getpid(), own_command())]

    def test_holders_names_parent_not_child(self):
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            child = subprocess.Popen(  # inherits the listening socket, as a worker does
                [sys.executable, "-c", "import time; time.sleep(30)"],
                pass_fds=[listener.fileno()],
            )
            try:
                found = holders(listener.getsockname()[1])
            finally:
                child.kill()
                child.wait()

        assert found == [(os.getpid(), own_command())]

    def test_holders_unused(self, free_port):
        assert holders(free_port) == []


class BusyMessageTest:
    def test_busy_message_holder_known(self):
        message = busy_message("127.0.0.1", 8000, [(4242, "gunicorn: master [proj.wsgi]")])

        assert message == (
            "Port 8000 on 127.0.0.1 is already in use by process 4242 (gunicorn: master "
            "[proj.wsgi]). Stop it, or choose another port: PORT=8001 make run"
        )

    def test_busy_message_holder_unknown(self):
        message = busy_message("127.0.0.1", 8000, [])

        assert message == (
            "Port 8000 on 127.0.0.1 is already in use by another process "
            "(`ss -ltnp 'sport = :8000'` may say which). Stop it, or choose another port: "
            "PORT=8001 make run"
        )


class MainTest:
    def test_main_busy(self, listening_port, capsys):
        status = main(["127.0.0.1", str(listening_port)])

        assert status == 1
        assert capsys.readouterr().err == (
            f"Port {listening_port} on 127.0.0.1 is already in use by process {os.getpid()} "
            f"({own_command()}). Stop it, or choose another port: "
            f"PORT={listening_port + 1} make run\n"
        )

    def test_main_free(self, free_port, capsys):
        status = main(["127.0.0.1", str(free_port)])

        assert status == 0
        assert capsys.readouterr().err == ""

    def test_main_usage(self, capsys):
        status = main(["127.0.0.1"])

        assert status == 2
        assert capsys.readouterr().err == "usage: scripts/check_port.py HOST PORT\n"
