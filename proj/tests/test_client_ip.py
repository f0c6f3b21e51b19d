"""The client address behind trusted proxies."""

import pytest
from django.test import RequestFactory

from proj.api.client_ip import client_ip


def request_from(peer: str, forwarded: str | None = None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=peer, **headers)


class ClientIpTest:
    @pytest.mark.parametrize(
        ("peer", "forwarded", "expected"),
        [
            ("203.0.113.9", None, "203.0.113.9"),
            ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # untrusted peer: header ignored
            ("127.0.0.1", None, "127.0.0.1"),
            ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
            ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # spoofed left part
            ("127.0.0.1", "198.51.100.1, 10.0.0.2", "198.51.100.1"),  # chain of proxies
            ("::1", "2001:db8::7", "2001:db8::7"),
            ("::ffff:127.0.0.1", "198.51.100.1", "198.51.100.1"),  # dual-stack peer
            ("::ffff:203.0.113.9", None, "203.0.113.9"),
            ("127.0.0.1", "not-an-ip", "127.0.0.1"),
            ("127.0.0.1", "", "127.0.0.1"),
            ("", None, ""),
        ],
    )
    def test_client_ip(self, settings, peer, forwarded, expected):
        settings.TRUSTED_PROXIES = ["127.0.0.1/32", "::1/128", "10.0.0.0/8"]

        assert client_ip(request_from(peer, forwarded)) == expected

    def test_client_ip_all_hops_trusted(self, settings):
        settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/8"]

        assert client_ip(request_from("127.0.0.1", "10.0.0.3")) == "10.0.0.3"
