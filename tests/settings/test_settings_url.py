"""normalize_access_url and origin_of."""

from __future__ import annotations

import pytest

from coder_catalog.settings import AccessURLError, normalize_access_url, origin_of


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://coder.example.com", "https://coder.example.com"),
        ("https://coder.example.com/", "https://coder.example.com"),
        ("https://coder.example.com///", "https://coder.example.com"),
        ("HTTPS://Coder.Example.COM/", "https://coder.example.com"),
        ("  https://coder.example.com/  ", "https://coder.example.com"),
        ("http://coder.example.com:80/", "http://coder.example.com"),
        ("https://coder.example.com:443", "https://coder.example.com"),
        ("https://coder.example.com:8443/", "https://coder.example.com:8443"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://example.com/Coder/Sub/", "https://example.com/Coder/Sub"),
        ("http://[::1]:7080/", "http://[::1]:7080"),
        ("https://10.0.0.5", "https://10.0.0.5"),
    ],
)
def test_normalize_access_url(given: str, expected: str) -> None:
    assert normalize_access_url(given) == expected


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("ftp://coder.example.com", "must start with http:// or https://"),
        ("coder.example.com", "must start with http:// or https:// (e.g. https://coder.example.com)"),
        ("https://user:secret@coder.example.com", "must not contain credentials (user:password@)"),
        ("https://coder.example.com/?a=b", "must not have a query (?...) or a fragment (#...)"),
        ("https://coder.example.com/#top", "must not have a query (?...) or a fragment (#...)"),
        ("https://coder.example.com?", "must not have a query (?...) or a fragment (#...)"),
        ("https:///path", "has no host name"),
        ("https://coder.example.com:99999", "has an invalid port"),
        ("https://coder.example.com:port", "has an invalid port"),
        ("https://coder example.com", "must not contain spaces"),
    ],
)
def test_normalize_access_url_rejects(given: str, problem: str) -> None:
    with pytest.raises(AccessURLError) as caught:
        normalize_access_url(given)
    assert caught.value.problem == problem
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith('Coder URL "')
    assert caught.value.for_key("deployment.accessUrl").startswith('deployment.accessUrl "')


def test_credentials_are_masked_in_messages() -> None:
    with pytest.raises(AccessURLError) as caught:
        normalize_access_url("https://alice:hunter2@coder.example.com")
    assert "hunter2" not in str(caught.value)
    assert "***@coder.example.com" in str(caught.value)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://coder.example.com/some/path", "https://coder.example.com"),
        ("HTTPS://CODER.example.com:443/x?y#z", "https://coder.example.com"),
        ("http://coder.example.com:80", "http://coder.example.com"),
        ("http://coder.example.com:8080/", "http://coder.example.com:8080"),
        ("https://[::1]:443/", "https://[::1]"),
    ],
)
def test_origin_of(given: str, expected: str) -> None:
    assert origin_of(given) == expected


@pytest.mark.parametrize("given", ["mailto:a@b.c", "coder.example.com", "https://"])
def test_origin_of_rejects(given: str) -> None:
    with pytest.raises(ValueError):
        origin_of(given)
