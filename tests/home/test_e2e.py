import pytest
from django.core.management import call_command

from accounts import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_demo_member_logs_in_and_sees_the_dashboard(portal, page, artifacts):
    call_command("seed_demo")

    page.goto(f"{portal.url}/")
    page.get_by_role("link", name="ログイン").first.click()
    page.get_by_label("メールアドレス").fill(demo.MEMBER)
    page.get_by_label("パスワード").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()

    page.wait_for_url(f"{portal.url}/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "ダッシュボード"
    assert page.get_by_role("heading", name="公益財団法人石川県産業創出支援機構").is_visible()
    assert page.get_by_text("正会員").first.is_visible()
    page.screenshot(path=artifacts / "member-dashboard.png", full_page=True)
    assert (artifacts / "member-dashboard.png").stat().st_size > 10_000

    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Dashboard"
