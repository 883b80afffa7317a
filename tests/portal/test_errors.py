import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "ページが見つかりません"), ("en", "Page not found")]
)
def test_404_in_the_site_look(client, language, title):
    client.cookies["django_language"] = language
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert title in body
    assert 'id="main"' in body
    assert "vendor/bootstrap/css/bootstrap.min.css" in body


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "アクセスが拒否されました"), ("en", "Access denied")]
)
def test_403_in_the_site_look(client, applicant, language, title):
    client.force_login(applicant)
    client.cookies["django_language"] = language
    response = client.get(reverse("dues:index"))
    assert response.status_code == 403
    assert title in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "エラーが発生しました"), ("en", "Something went wrong")]
)
def test_500_in_the_site_look(language, title):
    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert title in response.content.decode()
