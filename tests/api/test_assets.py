"""/static compressed and cached (app/api/assets.py): versioned URLs for a
year, gzip for text, ETags and 304s, whole files only, nothing outside."""

from __future__ import annotations

import gzip
import re
from typing import Any

from app.api.assets import IMMUTABLE, static_version
from app.api.templating import STATIC_DIR, STATIC_URL

GZIP = {"accept-encoding": "gzip"}
PLAIN = {"accept-encoding": "identity"}


def raw(client: Any, path: str, headers: dict[str, str]) -> Any:
    """The answer as sent (httpx would gunzip it)."""
    with client.stream("GET", path, headers=headers) as response:
        body = b"".join(response.iter_raw())
    return response, body


def test_the_pages_name_every_static_file_under_the_version(client: Any) -> None:
    assert STATIC_URL == f"/static/{static_version(STATIC_DIR)}"
    for page in ("/", "/embed?source=x*2&x=1", "/docs"):
        html = client.get(page).text
        named = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert named, page
        assert all(url.startswith(STATIC_URL + "/") for url in named), (page, named)


def test_a_versioned_file_is_cached_for_a_year_and_compressed(client: Any) -> None:
    path = f"{STATIC_URL}/vendor/codemirror-6.0.2.bundle.min.js"
    response, body = raw(client, path, GZIP)
    assert response.status_code == 200
    assert response.headers["cache-control"] == IMMUTABLE
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    original = (STATIC_DIR / "vendor" / "codemirror-6.0.2.bundle.min.js").read_bytes()
    assert gzip.decompress(body) == original
    assert len(body) < len(original) / 2.5  # 466 KB to about 155 KB
    plain, plain_body = raw(client, path, PLAIN)
    assert "content-encoding" not in plain.headers and plain_body == original
    assert plain.headers["etag"] != response.headers["etag"]


def test_unversioned_and_old_urls_revalidate(client: Any) -> None:
    for path in ("/static/app.js", "/static/v-000000000000/app.js"):
        response = client.get(path, headers=GZIP)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-cache"
        again = client.get(path, headers={**GZIP, "if-none-match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


def test_small_and_binary_files_are_sent_as_they_are(client: Any) -> None:
    favicon, body = raw(client, f"{STATIC_URL}/favicon.svg", GZIP)
    assert favicon.status_code == 200 and "content-encoding" not in favicon.headers
    assert body == (STATIC_DIR / "favicon.svg").read_bytes()


def test_nothing_outside_static_and_no_ranges(client: Any) -> None:
    for path in ("/static/../app/main.py", f"{STATIC_URL}/../../pyproject.toml", "/static/nope.js"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
    whole = client.get(f"{STATIC_URL}/app.css")
    ranged = client.get(f"{STATIC_URL}/app.css", headers={"range": "bytes=0-10"})
    assert ranged.status_code == 200 and ranged.content == whole.content
    assert "accept-ranges" not in whole.headers


def test_the_gallery_is_compressed_and_revalidated(client: Any) -> None:
    """/api/v1/examples, fetched by every page: gzipped, and a 304 on a return visit."""
    first = client.get("/api/v1/examples", headers={"accept-encoding": "gzip"})
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    assert first.headers["cache-control"] == "no-cache" and first.json()["examples"]
    again = client.get(
        "/api/v1/examples",
        headers={"accept-encoding": "gzip", "if-none-match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""
    plain = client.get("/api/v1/examples", headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == first.json()
    assert plain.headers["etag"] != first.headers["etag"]
