from tests.portal.conftest import signed_in


def test_pages(team, profiles, alice, bob, carol):
    c = signed_in(alice)
    for url in [
        "/teams/",
        "/teams/platform/",
        f"/teams/platform/profiles/{profiles.readonly.pk}/",
        f"/teams/platform/profiles/{profiles.readonly.pk}/edit",
        "/teams/platform/profiles/new",
        "/teams/platform/profiles/paste",
        "/teams/platform/delete",
        "/profiles/",
        "/profiles/new",
        "/profiles/import",
        "/profiles/export",
        "/",
    ]:
        r = c.get(url)
        print(url, r.status_code)
        assert r.status_code == 200, r.content.decode()[:3000]
    print(c.get("/teams/platform/").content.decode())
