"""In Debian's Chromium, in Japanese, on the portal as `make run` runs it: two member
institutions submit their issues through the pages, a third endorses one, the secretariat
groups both into an item of the year's proposal in the admin, members comment on the draft,
the secretariat makes the final version (its worker renders it) and a member downloads the
.docx, which opens with python-docx and holds the item."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.utils import translation
from django.utils.translation import gettext
from docx import Document
from playwright.sync_api import expect

from members.models import RegionalBlock
from proposals.models import Citation, DraftComment, Endorsement, Submission
from tests import browsing, factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(message)


def _member(name, email, **fields):
    organisation = factories.make_organisation(name, **fields)
    user = factories.make_user(email)
    factories.make_person(organisation, user=user, email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return organisation, user


def _submit(page, base, user, call, title):
    browsing.log_in(page, base, user.email, factories.PASSWORD,
                    next_url=f"/proposals/calls/{call.pk}/new/")  # fmt: skip
    page.locator("#id_theme").select_option(label="人材育成")
    page.locator("#id_title").fill(title)
    page.locator("#id_background").fill("地域の中小企業で技能人材が不足している。")
    page.locator("#id_request").fill("人材育成への支援の拡充を求める。")
    page.get_by_label("経済産業省").check()
    page.get_by_role("button", name=ja("Save and submit")).click()
    expect(page.get_by_text(ja("Your issue is submitted."))).to_be_visible()
    browsing.log_out(page, base)
    return Submission.objects.get(title=title, status="submitted")


def _reload_until(page, locator, timeout_s=90):
    """The worker renders the version after the request: reload until it is listed."""
    for _attempt in range(timeout_s):
        if locator.count():
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(locator.first).to_be_visible()


def test_submit_endorse_group_comment_and_download_the_docx(portal, browser, page, artifacts):
    base = portal.url
    call = factories.make_call()
    factories.ministry()
    _first, first_user = _member("北陸ものづくり財団", "first@example.jp")
    _second, second_user = _member("京都産業支援機構", "second@example.jp")
    kinki = RegionalBlock.objects.get_or_create(name="近畿", defaults={"name_en": "Kinki"})[0]
    third, third_user = _member("近畿イノベーション財団", "third@example.jp", block=kinki)
    office = factories.make_user("office@example.jp", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=office, email=office.email, verified=True, primary=True)
    secret = browsing.with_totp(office)
    proposal = factories.make_proposal(comments_open=True, title="令和8年度 国への提言（案）")

    # 1. Two members submit their issues through the pages.
    first = _submit(page, base, first_user, call, "技能人材の不足")
    second = _submit(page, base, second_user, call, "デジタル人材の育成")

    # 2. A third institution endorses the first issue.
    browsing.log_in(page, base, third_user.email, factories.PASSWORD,
                    next_url=f"/proposals/issues/{first.pk}/")  # fmt: skip
    page.locator("#id_comment").fill("当機関も同様の課題あり")
    page.locator("main").get_by_role("button", name=ja("Endorse"), exact=True).click()
    expect(page.get_by_text(ja("Your institution endorses this issue."))).to_be_visible()
    assert Endorsement.objects.get().organisation == third
    browsing.log_out(page, base)

    # 3. The secretariat (in its own browser, logged in once: a TOTP code is used once)
    # groups both issues into an item in the admin.
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    browsing.log_in(desk, base, office.email, factories.PASSWORD,
                    next_url="/admin/proposals/proposalitem/add/", totp_secret=secret)  # fmt: skip
    desk.locator("#id_proposal").select_option(label=proposal.title)
    desk.locator("#id_theme").select_option(label="人材育成")
    desk.locator("#id_title").fill("地域の人材育成への支援の拡充")
    desk.locator("#id_text").fill("地域の技能人材・デジタル人材の育成を、複数年度で支援されたい。")
    desk.locator("#id_citations-0-submission").select_option(label=first.title)
    desk.locator("input[name=_continue]").click()
    desk.locator("#id_citations-1-submission").select_option(label=second.title)
    desk.locator("input[name=_continue]").click()
    expect(desk.locator("body")).to_contain_text("京都産業支援機構")
    desk.screenshot(path=artifacts / "proposals-admin-item.png", full_page=True)
    item = proposal.items.get()
    assert set(Citation.objects.filter(item=item).values_list("submission", flat=True)) == {
        first.pk,
        second.pk,
    }

    # 4. Members comment on the draft, item by item; each sees the other's comment.
    for user, text in ((third_user, "賛成です。"), (second_user, "財源にも触れてください。")):
        browsing.log_in(page, base, user.email, factories.PASSWORD,
                        next_url=f"/proposals/items/{item.pk}/")  # fmt: skip
        expect(page.locator("main")).to_contain_text("北陸ものづくり財団")
        page.locator("#id_text").fill(text)
        page.get_by_role("button", name=ja("Post the comment")).click()
        expect(page.get_by_text(ja("Your comment is posted."))).to_be_visible()
        browsing.log_out(page, base)
    assert DraftComment.objects.filter(item=item).count() == 2

    # 5. The secretariat makes the final version; a member downloads the .docx.
    desk.goto(f"{base}/admin/proposals/proposal/")
    desk.locator(f"input[name=_selected_action][value='{proposal.pk}']").check()
    desk.locator("select[name=action]").select_option("make_final_version")
    desk.locator("button[name=index]").click()
    expect(desk.locator(".messagelist")).to_be_visible()

    browsing.log_in(page, base, first_user.email, factories.PASSWORD,
                    next_url=f"/proposals/proposals/{proposal.pk}/")  # fmt: skip
    link = page.get_by_role("link", name=ja("Word (.docx)"))
    _reload_until(page, link)
    page.screenshot(path=artifacts / "proposals-final-version.png", full_page=True)
    href = page.evaluate("(link) => link.href", link.first.element_handle())
    response = page.request.get(href)
    assert response.status == 200, href
    paragraphs = [p.text for p in Document(io.BytesIO(response.body())).paragraphs]
    assert proposal.title in paragraphs
    assert any("地域の人材育成への支援の拡充" in text for text in paragraphs)
    assert "北陸ものづくり財団（北陸）" in paragraphs
    assert "京都産業支援機構（北陸）" in paragraphs
