"""The files panel's endpoints (console/terminal/files.py) with a real session and CSRF:
listing, downloads (a folder as a zip), delete, mkdir, and chunked uploads that resume
after a cut-off, respect the quota and the size limit, and never show a partial file.
The cast is the teams one: Alice owns `platform`, Bob is a member, Carol its auditor,
Charlie an outsider."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from console.api.tokens import create_token
from console.teams.models import Team
from console.workspace.archive import zip_folder
from console.workspace.models import WorkspaceReservation, WorkspaceUpload
from console.workspace.service import Workspace
from tests.teams.conftest import carol, dana, team  # noqa: F401 (the team's cast, fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def storage(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    settings.STORAGES = {
        **settings.STORAGES,
        "workspace": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "allow_overwrite": True},
        },
    }
    return root


def signed_in(user: Any) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/")  # the terminal page sets the CSRF cookie
    return client


def csrf(client: Client) -> dict[str, str]:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **csrf(client))


def put_chunk(
    client: Client, upload_id: str, data: bytes, first: int, size: int, last: int | None = None
) -> Any:
    last = first + len(data) - 1 if last is None else last
    return client.put(
        f"/files/uploads/{upload_id}",
        data,
        content_type="application/octet-stream",
        HTTP_CONTENT_RANGE=f"bytes {first}-{last}/{size}",
        **csrf(client),
    )


def put_file(user: Any, name: str, data: bytes) -> None:
    ws = Workspace(user)
    ws.write(ws.locate(name), [data])


def body(response: Any) -> bytes:
    # The download streams through an async iterator (for the ASGI server); iterating the
    # response from this sync test reads it whole, which is what the test wants.
    return b"".join(response)


def names(client: Client, path: str = "") -> list[str]:
    response = client.get("/files/list", {"path": path})
    assert response.status_code == 200, response.content
    return [entry["name"] for entry in response.json()["entries"]]


# ---- listing and downloads ----------------------------------------------------------------


def test_it_lists_a_folder_with_sizes_dates_kinds_and_the_quota(alice: Any):
    put_file(alice, "policy.json", b'{"Version": "2012-10-17"}')
    client = signed_in(alice)
    assert post(client, "/files/mkdir", {"path": "docs"}).status_code == 201
    listing = client.get("/files/list").json()
    assert listing["shown"] == "~" and listing["writable"] is True
    entries = {e["name"]: e for e in listing["entries"]}
    assert entries["policy.json"]["kind"] == "file" and entries["policy.json"]["size"] == 25
    assert entries["policy.json"]["modified"].startswith("20")
    assert entries["docs"]["kind"] == "folder"
    usage = listing["usage"][0]
    assert (usage["place"], usage["used"], usage["quota"]) == ("~", 25, 1024**3)


def test_it_downloads_a_file_as_an_attachment_with_a_safe_name(alice: Any):
    put_file(alice, 'we"ird name é.txt', b"hello\n")
    client = signed_in(alice)
    response = client.get("/files/download", {"path": 'we"ird name é.txt'})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Length"] == "6"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''we%22ird%20name%20%C3%A9.txt")
    assert body(response) == b"hello\n"
    head = client.head("/files/download", {"path": "missing.txt"})
    assert head.status_code == 404


def test_it_downloads_a_folder_as_a_zip(alice: Any):
    ws = Workspace(alice)
    ws.make_dir(ws.locate("site"))
    ws.make_dir(ws.locate("site/css"))
    put_file(alice, "site/index.html", b"<h1>hi</h1>")
    put_file(alice, "site/css/a.css", b"h1{}" * 40000)
    response = signed_in(alice).get("/files/download", {"path": "site"})
    assert response.status_code == 200
    assert 'filename="site.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == ["site/css/a.css", "site/index.html"]
    assert archive.read("site/css/a.css") == b"h1{}" * 40000


def test_a_file_deleted_before_its_download_is_a_clear_404(alice: Any):
    put_file(alice, "gone.txt", b"x")
    client = signed_in(alice)
    assert post(client, "/files/delete", {"path": "gone.txt"}).status_code == 200
    response = client.get("/files/download", {"path": "gone.txt"})
    assert response.status_code == 404
    assert response.json()["error"] == "gone.txt: No such file or directory"


def test_a_file_deleted_while_a_folder_is_zipped_is_left_out(alice: Any):
    ws = Workspace(alice)
    ws.make_dir(ws.locate("d"))
    put_file(alice, "d/a.txt", b"a")
    put_file(alice, "d/b.txt", b"b")
    content = zip_folder(ws, ws.locate("d"))  # what the download streams
    first = next(content)  # the archive has started: a.txt is in it
    ws.remove_file(ws.locate("d/b.txt"))
    data = first + b"".join(content)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["d/a.txt"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/etc/passwd", "absolute paths are not allowed"),
        ("../../etc/passwd", "'..' would leave your workspace"),
        ("a\x1b[31mb", "names with control characters are not allowed"),
        (".~ws-folder", "kept for the console"),
    ],
)
def test_paths_out_of_the_workspace_are_refused_with_the_reason(alice: Any, path: str, message: str):
    response = signed_in(alice).get("/files/download", {"path": path})
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "\x1b" not in response.json()["error"]


def test_changes_need_the_csrf_token(alice: Any):
    put_file(alice, "keep.txt", b"x")
    client = signed_in(alice)
    response = client.post("/files/delete", json.dumps({"path": "keep.txt"}), content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf"
    assert names(client) == ["keep.txt"]


def test_the_anonymous_get_nothing(alice: Any):
    put_file(alice, "secret.txt", b"x")
    response = Client().get("/files/list")
    assert response.status_code == 401
    assert Client().get("/files/download", {"path": "secret.txt"}).status_code == 401


def test_an_api_token_reads_and_writes_without_csrf(alice: Any):
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(alice)}"}
    made = client.post(
        "/files/mkdir", json.dumps({"path": "from-api"}), content_type="application/json", **auth
    )
    assert made.status_code == 201
    assert [e["name"] for e in client.get("/files/list", **auth).json()["entries"]] == ["from-api"]
    bad = client.get("/files/list", HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401


# ---- who reaches what ---------------------------------------------------------------------


def test_another_users_files_are_never_reachable(alice: Any, bob: Any):
    put_file(alice, "mine.txt", b"alice's")
    bobs = signed_in(bob)
    assert names(bobs) == []
    for path in ("mine.txt", "../1/mine.txt", f"../{alice.pk}/mine.txt", f"~/../{alice.pk}/mine.txt"):
        response = bobs.get("/files/download", {"path": path})
        assert response.status_code in (400, 404), path
        assert b"alice's" not in response.content
    assert post(bobs, "/files/delete", {"path": "mine.txt"}).status_code == 404
    assert names(signed_in(alice)) == ["mine.txt"]


def test_another_users_upload_does_not_exist(alice: Any, bob: Any):
    alices = signed_in(alice)
    started = post(alices, "/files/uploads", {"path": "a.bin", "size": 10}).json()
    bobs = signed_in(bob)
    assert bobs.get(f"/files/uploads/{started['id']}").status_code == 404
    assert put_chunk(bobs, started["id"], b"0123456789", 0, 10).status_code == 404
    assert WorkspaceUpload.objects.get(pk=started["id"]).offset == 0


@pytest.fixture
def team_file(team: Team, bob: Any) -> Team:  # noqa: F811
    put_file(bob, "team/platform/plan.txt", b"step one\n")
    return team


@pytest.mark.parametrize(
    ("who", "reads", "writes"),
    [("alice", True, True), ("bob", True, True), ("carol", True, False), ("charlie", False, False)],
)
def test_team_folders_follow_the_roles(team_file: Team, who: str, reads: bool, writes: bool, request: Any):
    client = signed_in(request.getfixturevalue(who))
    download = client.get("/files/download", {"path": "team/platform/plan.txt"})
    assert download.status_code == (200 if reads else 404)
    if reads:
        assert body(download) == b"step one\n"
        assert client.get("/files/list", {"path": "team/platform"}).json()["writable"] is writes
    made = post(client, "/files/mkdir", {"path": "team/platform/new"})
    assert made.status_code == (201 if writes else 403 if reads else 404)
    started = post(client, "/files/uploads", {"path": "team/platform/up.txt", "size": 3})
    assert started.status_code == (201 if writes else 403 if reads else 404)
    removed = post(client, "/files/delete", {"path": "team/platform/plan.txt"})
    assert removed.status_code == (200 if writes else 403 if reads else 404)


def test_an_auditor_cannot_finish_an_upload_started_as_a_member(team_file: Team, bob: Any):
    """Rights are asked at every chunk: Bob, made auditor mid-upload, cannot go on."""
    from console.teams.models import Membership, Role

    client = signed_in(bob)
    started = post(client, "/files/uploads", {"path": "team/platform/big.bin", "size": 4}).json()
    assert put_chunk(client, started["id"], b"ab", 0, 4).status_code == 200
    Membership.objects.filter(team=team_file, user=bob).update(role=Role.AUDITOR)
    refused = put_chunk(client, started["id"], b"cd", 2, 4)
    assert refused.status_code == 403
    assert "big.bin" not in names(client, "team/platform")


# ---- uploads ------------------------------------------------------------------------------


def test_an_upload_in_chunks_becomes_the_file_only_when_complete(alice: Any):
    client = signed_in(alice)
    data = b"0123456789" * 3
    started = post(client, "/files/uploads", {"path": "notes.txt", "size": len(data)})
    assert started.status_code == 201
    upload_id = started.json()["id"]
    assert put_chunk(client, upload_id, data[:10], 0, len(data)).json()["offset"] == 10
    assert names(client) == []  # not a file until its last byte is in
    assert put_chunk(client, upload_id, data[10:20], 10, len(data)).json()["offset"] == 20
    done = put_chunk(client, upload_id, data[20:], 20, len(data)).json()
    assert done["done"] is True and done["entry"]["size"] == 30 and done["shown"] == "~/notes.txt"
    assert body(client.get("/files/download", {"path": "notes.txt"})) == data
    assert not WorkspaceUpload.objects.exists() and not WorkspaceReservation.objects.exists()


def test_an_upload_cut_off_halfway_resumes_from_the_servers_offset(alice: Any, storage: Path):
    client = signed_in(alice)
    data = bytes(range(256)) * 40
    upload_id = post(client, "/files/uploads", {"path": "blob.bin", "size": len(data)}).json()["id"]
    assert put_chunk(client, upload_id, data[:4000], 0, len(data)).status_code == 200
    # The connection drops halfway through the next chunk: the server got only part of it.
    cut = put_chunk(client, upload_id, data[4000:6000], 4000, len(data), last=7999)
    assert cut.status_code == 400
    assert "cut off" in cut.json()["error"]
    assert names(client) == []
    assert not any(p.name == "blob.bin" for p in storage.rglob("*"))
    # The browser asks where the server stands and goes on from there.
    status = client.get(f"/files/uploads/{upload_id}")
    assert (status.json()["offset"], status["Upload-Offset"]) == (4000, "4000")
    # A chunk sent twice (its answer was lost) is refused with the offset to go on from.
    again = put_chunk(client, upload_id, data[:4000], 0, len(data))
    assert again.status_code == 409 and again.json()["offset"] == 4000
    assert put_chunk(client, upload_id, data[4000:], 4000, len(data)).json()["done"] is True
    assert body(client.get("/files/download", {"path": "blob.bin"})) == data


def test_an_upload_over_quota_is_refused_before_a_byte_is_sent(alice: Any, settings: Any):
    settings.CONSOLE_WORKSPACE_QUOTA = 1000
    put_file(alice, "old.bin", b"x" * 600)
    client = signed_in(alice)
    refused = post(client, "/files/uploads", {"path": "new.bin", "size": 500})
    assert refused.status_code == 413
    assert refused.json()["error"] == (
        "new.bin: Disk quota exceeded (your workspace would go over its quota of 1000; 600 is in use)"
    )
    # The quota is held upfront: a second upload cannot take the room the first reserved.
    first = post(client, "/files/uploads", {"path": "a.bin", "size": 300})
    assert first.status_code == 201
    assert post(client, "/files/uploads", {"path": "b.bin", "size": 300}).status_code == 413
    assert client.get("/files/list").json()["usage"][0]["used"] == 900
    assert client.delete(f"/files/uploads/{first.json()['id']}", **csrf(client)).status_code == 204
    assert post(client, "/files/uploads", {"path": "b.bin", "size": 300}).status_code == 201


def test_an_upload_larger_than_the_limit_is_refused(alice: Any, settings: Any):
    settings.CONSOLE_UPLOAD_MAX_BYTES = 100
    refused = post(signed_in(alice), "/files/uploads", {"path": "big.iso", "size": 101})
    assert refused.status_code == 413
    assert refused.json()["error"] == "big.iso: File too large (the most one upload takes is 100)"


def test_a_chunk_larger_than_a_chunk_may_be_is_refused(alice: Any, settings: Any):
    settings.CONSOLE_UPLOAD_CHUNK_BYTES = 4
    client = signed_in(alice)
    upload_id = post(client, "/files/uploads", {"path": "c.bin", "size": 8}).json()["id"]
    assert put_chunk(client, upload_id, b"12345678", 0, 8).status_code == 413


@pytest.mark.parametrize(
    ("path", "status"),
    [("ok\x07.txt", 400), ("/abs.txt", 400), ("../x.txt", 400), ("nofolder/x.txt", 404), ("", 400)],
)
def test_bad_upload_targets_are_refused_with_a_message(alice: Any, path: str, status: int):
    response = post(signed_in(alice), "/files/uploads", {"path": path, "size": 3})
    assert response.status_code == status
    assert response.json()["error"]


def test_an_empty_file_is_done_at_once(alice: Any):
    client = signed_in(alice)
    done = post(client, "/files/uploads", {"path": "empty.txt", "size": 0})
    assert done.status_code == 200 and done.json()["done"] is True
    assert names(client) == ["empty.txt"]


def test_a_malformed_range_or_body_is_a_message_not_a_traceback(alice: Any):
    client = signed_in(alice)
    upload_id = post(client, "/files/uploads", {"path": "r.bin", "size": 4}).json()["id"]
    no_range = client.put(
        f"/files/uploads/{upload_id}", b"abcd", content_type="application/octet-stream", **csrf(client)
    )
    assert no_range.status_code == 400 and "Content-Range" in no_range.json()["error"]
    wrong_total = put_chunk(client, upload_id, b"abcd", 0, 5)
    assert wrong_total.status_code == 400
    assert client.get("/files/uploads/not-a-uuid").status_code == 404
    junk = client.post("/files/uploads", b"{", content_type="application/json", **csrf(client))
    assert junk.status_code == 400
