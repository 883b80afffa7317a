import pytest
from django.core.management import call_command

from accounts import demo
from members import fiscal
from members.models import MembershipYear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_raises_units_and_downloads_the_invoice(portal, page, artifacts):
    call_command("seed_demo")
    this_year = fiscal.current_fiscal_year()

    page.goto(f"{portal.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(demo.MEMBER)
    page.get_by_label("パスワード").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{portal.url}/dashboard/")

    page.get_by_role("navigation", name="メインナビゲーション").get_by_role(
        "link", name="会費"
    ).click()
    page.get_by_role("link", name="次年度の口数を選ぶ").click()
    page.get_by_label("口数").fill("3")
    page.get_by_role("button", name="口数を保存").click()
    assert page.get_by_text(f"{this_year + 1}年度の口数を保存しました。").is_visible()
    assert page.get_by_text("150,000円").first.is_visible()
    page.screenshot(path=artifacts / "member-units.png", full_page=True)
    year = MembershipYear.objects.get(
        organisation__name="公益財団法人石川県産業創出支援機構", fiscal_year=this_year + 1
    )
    assert (year.units, year.votes, year.amount_due) == (3, 3, 150000)

    page.get_by_role("navigation", name="メインナビゲーション").get_by_role(
        "link", name="会費"
    ).click()
    link = page.get_by_role("link", name=f"請求書 {this_year}-").first
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    assert download_info.value.suggested_filename.startswith(f"invoice-{this_year}-")
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.screenshot(path=artifacts / "member-dues.png", full_page=True)
