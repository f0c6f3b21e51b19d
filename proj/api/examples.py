"""An example of every API operation's request and answer, keyed by operationId.

``proj.api.schema.TallyAutoSchema`` attaches them; ``proj/tests/test_schema.py`` checks that
every operation has one and that each example matches its own schema.
"""

from drf_spectacular.utils import OpenApiExample

from visits.renderers import csv_lines

_USER = {
    "id": 7,
    "email": "ada@example.com",
    "name": "Ada",
    "created_at": "2026-11-02T09:30:00Z",
}
_API_KEY = {
    "id": 3,
    "name": "Reporting script",
    "prefix": "tly_Xq3v9sLk",
    "created_at": "2026-11-02T09:31:00Z",
    "last_used_at": None,
}
_SITE = {
    "id": 2,
    "domain": "example.com",
    "name": "Example",
    "timezone": "Europe/Paris",
    "public": False,
    "excluded_ips": ["203.0.113.0/24"],
    "created_at": "2026-11-02T09:35:00Z",
    "owner": "ada@example.com",
    "role": "owner",
    "tracking_snippet": '<script defer data-domain="example.com" '
    'src="https://tally.example.net/js/script.js"></script>',
}
_MEMBER = {
    "user_id": 8,
    "email": "grace@example.com",
    "name": "Grace",
    "role": "viewer",
    "created_at": "2026-11-03T14:00:00Z",
}
_VISIT = {
    "id": 1042,
    "site": 2,
    "timestamp": "2026-11-21T13:05:12.345000Z",
    "name": "pageview",
    "session_id": 5823400199345512,
    "hostname": "example.com",
    "path": "/pricing",
    "referrer": "news.ycombinator.com",
    "source": "Hacker News",
    "utm_source": "",
    "utm_medium": "",
    "utm_campaign": "",
    "utm_term": "",
    "utm_content": "",
    "country": "FR",
    "region": "Île-de-France",
    "city": "Paris",
    "postal_code": "",
    "latitude": 48.8534,
    "longitude": 2.3488,
    "browser": "Firefox",
    "browser_version": "133.0",
    "os": "Linux",
    "os_version": "",
    "device": "Desktop",
    "props": {"plan": "pro"},
    "interactive": True,
}
_CSV = "".join(csv_lines(list(_VISIT), [_VISIT.values()]))
_STATS_QUERY = {
    "site_id": "example.com",
    "metrics": ["visitors", "pageviews", "bounce_rate"],
    "date_range": "7d",
    "dimensions": ["visit:source"],
    "filters": [["is", "visit:country", ["FR", "DE"]]],
    "order_by": [["visitors", "desc"]],
    "include": {"total_rows": True, "comparisons": {"mode": "previous_period"}},
    "pagination": {"limit": 2, "offset": 0},
}
_STATS_RESULT = {
    "results": [
        {
            "metrics": [120, 310, 41],
            "dimensions": ["Google"],
            "comparison": {
                "dimensions": ["Google"],
                "metrics": [100, 250, 45],
                "change": [20, 24, -4],
            },
        },
        {
            "metrics": [35, 60, 57],
            "dimensions": ["Direct / None"],
            "comparison": {
                "dimensions": ["Direct / None"],
                "metrics": [0, 0, 0],
                "change": [35, 100, 57],
            },
        },
    ],
    "meta": {
        "total_rows": 6,
        "comparison_date_range": ["2026-11-08T00:00:00+01:00", "2026-11-14T23:59:59+01:00"],
    },
    "query": {
        "site_id": "example.com",
        "metrics": ["visitors", "pageviews", "bounce_rate"],
        "date_range": ["2026-11-15T00:00:00+01:00", "2026-11-21T23:59:59+01:00"],
        "dimensions": ["visit:source"],
        "filters": [["is", "visit:country", ["FR", "DE"]]],
        "order_by": [["visitors", "desc"]],
        "include": {
            "total_rows": True,
            "time_labels": False,
            "comparisons": {"mode": "previous_period"},
        },
        "pagination": {"limit": 2, "offset": 0},
    },
}
_TIME_SERIES_QUERY = {
    "site_id": "example.com",
    "metrics": ["visitors"],
    "date_range": ["2026-11-01", "2026-11-03"],
    "dimensions": ["time:day"],
    "include": {"time_labels": True},
}
_TIME_SERIES_RESULT = {
    "results": [
        {"metrics": [14], "dimensions": ["2026-11-01"]},
        {"metrics": [9], "dimensions": ["2026-11-03"]},
    ],
    "meta": {"time_labels": ["2026-11-01", "2026-11-02", "2026-11-03"]},
    "query": {
        "site_id": "example.com",
        "metrics": ["visitors"],
        "date_range": ["2026-11-01T00:00:00+01:00", "2026-11-03T23:59:59+01:00"],
        "dimensions": ["time:day"],
        "filters": [],
        "order_by": [["time:day", "asc"]],
        "include": {"total_rows": False, "time_labels": True, "comparisons": None},
        "pagination": {"limit": 10000, "offset": 0},
    },
}
_EVENT = {
    "name": "pageview",
    "url": "https://example.com/pricing?utm_source=newsletter",
    "domain": "example.com",
    "referrer": "https://news.ycombinator.com/",
    "props": {"plan": "pro", "logged_in": True},
}
_SERVER_VISIT = {
    "site": 2,
    "name": "pageview",
    "url": "https://example.com/pricing",
    "ip": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "timestamp": "2026-11-21T13:05:12Z",
}
_INDEX = {
    "name": "Tally analytics API",
    "links": {
        "register": "https://tally.example.net/api/accounts/register/",
        "login": "https://tally.example.net/api/accounts/login/",
        "sites": "https://tally.example.net/api/sites/",
        "health": "https://tally.example.net/api/health/",
        "schema": "https://tally.example.net/api/schema/",
        "docs": "https://tally.example.net/api/docs/",
    },
}


def _request(summary: str, value) -> OpenApiExample:
    return OpenApiExample(summary, value=value, request_only=True)


def _response(summary: str, value, status: int = 200) -> OpenApiExample:
    return OpenApiExample(summary, value=value, response_only=True, status_codes=[str(status)])


EXAMPLES: dict[str, list[OpenApiExample]] = {
    "root_retrieve": [_response("The entry points", _INDEX)],
    "api_retrieve": [_response("The entry points", _INDEX)],
    "api_health_retrieve": [
        _response("Healthy", {"status": "ok", "database": "ok"}),
        _response("Database down", {"status": "error", "database": "error"}, 503),
    ],
    "api_ping_retrieve": [_response("Alive", {"status": "ok"})],
    "api_accounts_register_create": [
        _request(
            "Register",
            {"email": "ada@example.com", "password": "correct horse battery", "name": "Ada"},
        ),
        _response("Registered and signed in", _USER, 201),
    ],
    "api_accounts_login_create": [
        _request("Sign in", {"email": "ada@example.com", "password": "correct horse battery"}),
        _response("Signed in", _USER),
    ],
    "api_accounts_csrf_retrieve": [
        _response("A token", {"csrf_token": "k3Jq0xU1cQ0nZr5mGv9yT2wLhB7dE4sA"})
    ],
    "api_accounts_me_retrieve": [_response("The signed-in user", _USER)],
    "api_accounts_me_partial_update": [
        _request("Rename", {"name": "Ada Lovelace"}),
        _response("Renamed", {**_USER, "name": "Ada Lovelace"}),
    ],
    "api_accounts_me_password_create": [
        _request(
            "Change the password",
            {"current_password": "correct horse battery", "new_password": "a new long passphrase"},
        ),
    ],
    "api_accounts_keys_list": [_response("The user's keys", _API_KEY)],
    "api_accounts_keys_create": [
        _request("Name a new key", {"name": "Reporting script"}),
        _response(
            "The new key, with its secret shown this once",
            {**_API_KEY, "key": "tly_Xq3v9sLkP0aV3bN8cM2dQ7eR1fS6gT4hU9iW5jY0kZ"},
            201,
        ),
    ],
    "api_sites_list": [_response("The sites the caller can see", _SITE)],
    "api_sites_create": [
        _request(
            "Add a site",
            {"domain": "example.com", "name": "Example", "timezone": "Europe/Paris"},
        ),
        _response("The new site, owned by the caller", {**_SITE, "excluded_ips": []}, 201),
    ],
    "api_sites_retrieve": [_response("A site", _SITE)],
    "api_sites_partial_update": [
        _request("Make the stats public", {"public": True}),
        _response("The changed site", {**_SITE, "public": True}),
    ],
    "api_sites_members_list": [_response("The site's members", _MEMBER)],
    "api_sites_members_create": [
        _request("Share with a registered user", {"email": "grace@example.com", "role": "viewer"}),
        _response("The new member", _MEMBER, 201),
    ],
    "api_sites_members_partial_update": [
        _request("Change the role", {"role": "admin"}),
        _response("The changed member", {**_MEMBER, "role": "admin"}),
    ],
    "api_visits_list": [
        _response("A page of visits", _VISIT),
        OpenApiExample(
            "Every matching visit as CSV (?format=csv)",
            value=_CSV,
            response_only=True,
            status_codes=["200"],
            media_type="text/csv",
        ),
    ],
    "api_visits_retrieve": [_response("A visit", _VISIT)],
    "api_visits_create": [
        _request("One visit", _SERVER_VISIT),
        _request(
            "A batch (all or nothing)",
            [_SERVER_VISIT, {**_SERVER_VISIT, "url": "https://example.com/"}],
        ),
        _response("Recorded", {"recorded": 1, "dropped": []}, 201),
        _response(
            "One of two dropped", {"recorded": 1, "dropped": [{"index": 1, "reason": "bot"}]}, 201
        ),
    ],
    "api_event_create": [
        _request("A pageview", _EVENT),
        OpenApiExample(
            "A pageview sent as text/plain (no CORS preflight)",
            value=_EVENT,
            request_only=True,
            media_type="text/plain",
        ),
        _response("Accepted", {"status": "accepted"}, 202),
    ],
    "api_v2_query_create": [
        _request("Top sources, compared with the week before", _STATS_QUERY),
        _response("Top sources, compared with the week before", _STATS_RESULT),
        _request("Visitors per day, every day labelled", _TIME_SERIES_QUERY),
        _response("Visitors per day, every day labelled", _TIME_SERIES_RESULT),
    ],
    "api_v1_stats_realtime_visitors_retrieve": [_response("Visitors now", 4)],
}
