"""In Debian's Chromium, in Japanese: a member's designated voter votes on the two items of
a general assembly and changes one vote; another organisation gives its proxy to the chair;
the voter is asked before a ballot leaving an item unmarked is cast; the secretariat, logged
in with TOTP in a window of its own, is refused the close until it
records the chair's votes, then closes; the voter's page offers no voting any more and the
results page shows the outcome by votes, which differs from the one a headcount would give.

The roll: 甲 5 votes, 乙 1, 丙 1, 丁 2 (9 votes, 4 members; every one takes part, so the
quorum of more than half the votes is reached).

- 第1号議案 (ordinary: more than half of the votes exercised): 甲 for, 乙 and 丙 against,
  丁's proxy to the chair, who votes for. By votes 7 for to 2 against: passed, although by
  headcount it is 2 to 2.
- 第2号議案 (special: at least two thirds of the votes and half of the members): 甲 against
  (after first voting for), 乙 and 丙 for, the chair abstains. By headcount 2 for to 1
  against, but by votes 2 for to 5 against: not passed.
"""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from assemblies import services
from assemblies.models import Ballot, Participation
from tests import browsing, factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def ja(message: str, context: str = "") -> str:
    """The portal's text in Japanese (the source string while the catalogue lacks it)."""
    with translation.override("ja"):
        return pgettext(context, message) if context else gettext(message)


def window(browser, base, user, next_url, *, totp_secret=None, viewport=DESKTOP):
    """A browser window of its own, logged in as `user` through the real form."""
    page = browser.new_context(locale="ja-JP", viewport=viewport).new_page()
    browsing.log_in(
        page, base, user.email, factories.PASSWORD, next_url=next_url, totp_secret=totp_secret
    )
    return page


def radio(page, item, choice):
    return page.locator(f"input[type=radio][name='item_{item.pk}'][value='{choice}']")


def item_card(page, item):
    return page.locator("fieldset", has=page.get_by_text(item.title, exact=True))


def result_cells(page, item) -> list[str]:
    """The results table's cells of one item: outcome, votes for/against/abstain,
    headcount for/against/abstain, threshold."""
    row = page.locator(
        "table tbody tr", has=page.get_by_role("rowheader", name=item.title, exact=True)
    )
    expect(row).to_have_count(1)
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def no_wider_than_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_votes_proxy_to_the_chair_close_and_weighted_results(portal, browser, page, artifacts):
    assembly, entries, voters, items = factories.voting_assembly(
        {"甲財団": 5, "乙財団": 1, "丙財団": 1, "丁財団": 2},
        secret_ballot=False,  # an open ballot: the voter's page shows the recorded choices
    )
    first, second = items["ordinary"], items["special"]
    office = factories.make_user("office@example.jp", is_staff=True, is_superuser=True)
    secret = browsing.with_totp(office)
    for user in (*voters.values(), office):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # 乙 and 丙 vote through the service, as their voters' own browsers would.
    for name in ("乙財団", "丙財団"):
        services.cast(entries[name].pk, {first.pk: "against", second.pk: "for"}, voters[name])
    base = portal.url
    detail = reverse("assemblies:detail", args=[assembly.pk])
    live = reverse("assemblies:live", args=[assembly.pk])
    results = reverse("assemblies:results", args=[assembly.pk])

    # 甲's designated voter opens the assembly: Japanese, both items, a radio per choice.
    browsing.log_in(page, base, voters["甲財団"].email, factories.PASSWORD, next_url=detail)
    expect(page.locator("h1")).to_contain_text(assembly.title)
    expect(page.locator("h1")).to_contain_text(ja("Voting open"))
    expect(page.get_by_text(first.title, exact=True)).to_be_visible()
    expect(page.get_by_text(second.title, exact=True)).to_be_visible()
    for choice in ("for", "against", "abstain"):
        expect(page.get_by_label(ja(choice), exact=True)).to_have_count(2)
    expect(item_card(page, first).get_by_label(ja("for"), exact=True)).to_be_visible()
    page.screenshot(path=artifacts / "assembly-vote.png", full_page=True)

    # The same page on a phone, in the voter's session.
    phone = browser.new_context(
        storage_state=page.context.storage_state(),
        locale="ja-JP",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    ).new_page()
    phone.goto(f"{base}{detail}")
    expect(phone.locator("h1")).to_contain_text(assembly.title)
    expect(radio(phone, second, "abstain")).to_be_visible()
    assert no_wider_than_phone(phone)
    phone.screenshot(path=artifacts / "assembly-vote-phone.png", full_page=True)
    phone.context.close()

    # 甲 votes for on both items, then changes its vote on the second to against.
    record = page.get_by_role("button", name=ja("Record my organisation's votes"))
    recorded = ja(
        "Your organisation's votes are recorded. You can change them until voting closes."
    )
    # Only the first marked: the page asks first, naming the second; nothing is cast.
    radio(page, first, "for").check()
    record.click()
    unmarked = page.locator(
        ".alert-warning", has=page.get_by_text(ja("These items are not marked:"))
    )
    expect(unmarked).to_contain_text(second.title)
    expect(unmarked).not_to_contain_text(first.title)
    expect(radio(page, first, "for")).to_be_checked()
    page.screenshot(path=artifacts / "assembly-unmarked.png", full_page=True)
    assert not Ballot.objects.filter(voter=entries["甲財団"]).exists()
    radio(page, second, "for").check()
    page.get_by_role("button", name=ja("Record my organisation's votes")).click()
    expect(page.get_by_text(recorded)).to_be_visible()
    expect(item_card(page, first)).to_contain_text(f"{ja('Recorded vote')}: {ja('for')}")
    expect(item_card(page, second)).to_contain_text(f"{ja('Recorded vote')}: {ja('for')}")
    expect(radio(page, second, "for")).to_be_checked()

    radio(page, second, "against").check()
    record.click()
    expect(page.get_by_text(recorded)).to_be_visible()
    expect(item_card(page, first)).to_contain_text(f"{ja('Recorded vote')}: {ja('for')}")
    expect(item_card(page, second)).to_contain_text(f"{ja('Recorded vote')}: {ja('against')}")
    expect(radio(page, first, "for")).to_be_checked()
    expect(radio(page, second, "against")).to_be_checked()
    ballots = Ballot.objects.filter(voter=entries["甲財団"])
    assert dict(ballots.values_list("item__order", "choice")) == {1: "for", 2: "against"}
    # Having voted, 甲 can no longer give a proxy.
    expect(page.locator("#proxy-heading")).to_be_visible()
    expect(
        page.get_by_text(
            ja("Your organisation takes part already, so it cannot also give a proxy.")
        )
    ).to_be_visible()
    expect(page.locator("select[name=holder]")).to_have_count(0)
    page.screenshot(path=artifacts / "assembly-voted.png", full_page=True)

    # 丁's designated voter gives its proxy to the chair instead of voting.
    proxy = window(browser, base, voters["丁財団"], detail)
    proxy.get_by_label(ja("Give the proxy to")).select_option("chair")
    proxy.get_by_role("button", name=ja("Give the proxy")).click()
    expect(proxy.get_by_text(ja("Your organisation's proxy is recorded."))).to_be_visible()
    expect(proxy.get_by_text(ja("proxy to the chair"), exact=True)).to_be_visible()
    expect(proxy.get_by_role("button", name=ja("Withdraw the proxy"))).to_be_visible()
    expect(proxy.locator("input[type=radio]")).to_have_count(0)  # the proxy votes, not 丁
    proxy.screenshot(path=artifacts / "assembly-proxy.png", full_page=True)
    assert Participation.objects.get(entry=entries["丁財団"]).mode == "proxy_chair"
    proxy.context.close()

    # The secretariat (a window of its own: a TOTP code is good for one login) tries to
    # close: refused, the chair has not voted the proxies yet.
    desk = window(browser, base, office, live, totp_secret=secret)
    expect(desk.locator("h1")).to_contain_text(assembly.title)
    close = desk.get_by_role("button", name=ja("Close the vote"))
    close.click()
    expect(
        desk.get_by_text(
            ja("Record the chair's vote on every item first: proxies were given to the chair.")
        )
    ).to_be_visible()
    assembly.refresh_from_db()
    assert assembly.closed_at is None

    # The chair votes the proxies: for on the first item, abstain on the second; the live
    # figures count them with 丁's two votes.
    radio(desk, first, "for").check()
    radio(desk, second, "abstain").check()
    desk.get_by_role("button", name=ja("Record the chair's votes")).click()
    expect(desk.get_by_text(ja("The chair's votes are recorded."))).to_be_visible()
    expect(radio(desk, first, "for")).to_be_checked()
    assert result_cells(desk, first)[1:7] == ["7", "2", "0", "2", "2", "0"]
    desk.screenshot(path=artifacts / "assembly-live.png", full_page=True)

    close.click()
    expect(desk.get_by_text(ja("Voting is closed; the results are final."))).to_be_visible()
    expect(desk.locator("h1")).to_contain_text(ja("Voting closed"))
    expect(desk.get_by_role("button", name=ja("Close the vote"))).to_have_count(0)
    assembly.refresh_from_db()
    assert assembly.closed_at is not None
    desk.context.close()

    # 甲's voter: no voting form any more, only the recorded votes and the results.
    page.reload()
    expect(page.locator("h1")).to_contain_text(ja("Voting closed"))
    expect(page.locator("input[type=radio]")).to_have_count(0)
    expect(page.locator("form[action$='/vote/']")).to_have_count(0)
    expect(page.locator("form[action$='/proxy/']")).to_have_count(0)
    expect(page.get_by_role("button", name=ja("Record my organisation's votes"))).to_have_count(0)
    expect(item_card(page, second)).to_contain_text(f"{ja('Recorded vote')}: {ja('against')}")
    page.screenshot(path=artifacts / "assembly-closed.png", full_page=True)

    # The results, weighted by votes: the first item passes 7 to 2 though the headcount is
    # 2 to 2; the second fails 2 to 5 though the headcount is 2 to 1 for it.
    page.get_by_role("link", name=ja("See the results")).click()
    page.wait_for_url(f"{base}{results}")
    expect(page.locator("h1")).to_contain_text(assembly.title)
    expect(page.get_by_text(ja("Quorum reached"), exact=True)).to_be_visible()
    expect(page.locator(".alert-warning")).to_have_count(0)  # not provisional: final
    assert result_cells(page, first) == [
        ja("carried", "resolution"),
        *["7", "2", "0"],
        *["2", "2", "0"],
        first.threshold.name,
    ]
    assert result_cells(page, second) == [
        ja("rejected", "resolution"),
        *["2", "5", "2"],
        *["2", "1", "1"],
        second.threshold.name,
    ]
    page.screenshot(path=artifacts / "assembly-results.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert no_wider_than_phone(page)
    page.screenshot(path=artifacts / "assembly-results-phone.png", full_page=True)
