"""The member pages: who sees which issue, endorsing and moderation shown, the blocks that
share an issue, the submission form, search with kana folding, and query budgets."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Organisation, RegionalBlock
from proposals import services
from proposals.models import Endorsement, Submission, SubmissionAttachment
from tests import factories
from tests.sample_files import another_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    return factories.make_call()


def _body(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def test_who_sees_which_issue(client, call, member, outsider, organisation, other_organisation,
                              applicant, secretariat_with_mfa):  # fmt: skip
    public = factories.make_submission(
        call, organisation, member, title="公開の課題", visibility="public"
    )
    members_only = factories.make_submission(call, organisation, member, title="会員限定の課題")
    draft = factories.make_submission(
        call, organisation, member, title="下書きの課題", status="draft"
    )
    withdrawn = factories.make_submission(
        call, organisation, member, title="取り下げた課題", status="withdrawn"
    )
    seen = {
        None: {public},
        applicant: {public},
        outsider: {public, members_only},
        member: {public, members_only, draft, withdrawn},
        secretariat_with_mfa: {public, members_only, draft, withdrawn},
    }
    everything = {public, members_only, draft, withdrawn}
    for user, visible in seen.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        listing = _body(client, reverse("proposals:call", args=[call.pk]))
        for submission in everything:
            assert (submission.title in listing) == (submission in visible), (user, submission)
            url = reverse("proposals:submission", args=[submission.pk])
            assert client.get(url).status_code == (200 if submission in visible else 404)


def test_a_hidden_endorsement_shows_nothing_of_its_text(
    client, call, member, outsider, organisation, secretariat
):
    submission = factories.make_submission(call, organisation, member)
    endorsement = services.endorse(submission.pk, outsider, "秘密の事情を書いたコメント")
    services.hide(endorsement, secretariat, "個人情報")
    client.force_login(member)
    body = _body(client, reverse("proposals:submission", args=[submission.pk]))
    assert "事務局により非表示" in body
    assert "秘密の事情" not in body
    assert "個人情報" not in body  # nor the reason
    assert "ASTEM" in body  # the endorsement itself stands


def test_the_blocks_sharing_an_issue_are_counted(client, call, member, organisation):
    kansai = RegionalBlock.objects.create(name="関西", name_en="Kansai", order=5)
    submission = factories.make_submission(call, organisation, member)
    for n in range(3):
        endorser = factories.make_organisation(f"関西財団{n}", block=kansai)
        user = factories.make_user(f"kansai{n}@example.jp")
        factories.make_person(endorser, user=user)
        services.endorse(submission.pk, user, "")
    hokuriku_peer = factories.make_organisation("北陸財団")
    peer = factories.make_user("peer@example.jp")
    factories.make_person(hokuriku_peer, user=peer)
    services.endorse(submission.pk, peer, "")
    counted = {b.name: b.institutions for b in services_blocks(submission)}
    assert counted == {"北陸": 2, "関西": 3}
    client.force_login(member)
    body = _body(client, reverse("proposals:submission", args=[submission.pk]))
    assert "関西: 3" in body
    assert "北陸: 2" in body


def services_blocks(submission):
    from proposals.selectors import sharing_blocks

    return sharing_blocks(submission)


def test_a_member_writes_a_draft_with_an_attachment_then_submits(
    client, call, member, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member)
    theme = call.themes.first()
    ministry = factories.ministry()
    data = {
        "theme": theme.pk,
        "title": "産学連携の人材",
        "background": "",
        "request": "",
        "supporting_data": "",
        "visibility": "members",
        "ministries": [ministry.pk],
        "attachment": SimpleUploadedFile("データ.pdf", another_pdf(1), "application/pdf"),
        "save": "1",
    }
    response = client.post(reverse("proposals:new", args=[call.pk]), data)
    draft = Submission.objects.get(organisation=organisation)
    assert response.status_code == 302
    assert draft.status == "draft"
    assert draft.attachments.get().name == "データ.pdf"
    # Submitting without the texts is refused and keeps the draft.
    data.update(attachment="", submit="1", version=draft.version)
    del data["save"]
    client.post(reverse("proposals:edit", args=[draft.pk]), data)
    assert Submission.objects.get(pk=draft.pk).status == "draft"
    data.update(background="人材が不足", request="支援を", version=draft.version + 1)
    response = client.post(reverse("proposals:edit", args=[draft.pk]), data)
    assert response.status_code == 302
    submitted = Submission.objects.get(pk=draft.pk)
    assert (submitted.status, submitted.background) == ("submitted", "人材が不足")
    attachment = submitted.attachments.get()
    download = client.get(reverse("proposals:attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_form_is_refused_to_a_class_the_call_does_not_ask(client, member):
    call = factories.make_call(classes=[factories.academic_class()])
    client.force_login(member)
    assert client.get(reverse("proposals:new", args=[call.pk])).status_code == 403
    assert client.post(reverse("proposals:new", args=[call.pk]), {}).status_code == 403
    assert not Submission.objects.exists()


def test_endorsing_from_the_page(client, call, member, outsider, organisation):
    submission = factories.make_submission(call, organisation, member)
    client.force_login(outsider)
    url = reverse("proposals:submission", args=[submission.pk])
    assert "当機関も同様の課題あり" in _body(client, url)  # the suggested comment
    client.post(reverse("proposals:endorse", args=[submission.pk]), {"comment": "同様の課題"})
    client.post(reverse("proposals:endorse", args=[submission.pk]), {"comment": "二度目"})
    endorsement = Endorsement.objects.get()
    assert (endorsement.organisation.short_name, endorsement.comment) == ("ASTEM", "同様の課題")
    client.force_login(member)  # the submitter has no endorse form for its own issue
    endorse_action = f'action="{reverse("proposals:endorse", args=[submission.pk])}"'
    assert endorse_action not in _body(client, url)


SEARCHES = [
    ("ｶﾀｶﾅ", True),  # half-width katakana finds katakana
    ("かたかな", True),  # hiragana finds katakana
    ("カタカナ", True),
    ("ＤＸ", True),  # full-width Latin finds half-width
    ("dx 人材", True),  # every word, any case
    ("ひらがな", False),
]


@pytest.mark.parametrize(("query", "found"), SEARCHES)
def test_search_folds_kana_and_width(client, call, member, organisation, query, found):
    factories.make_submission(
        call, organisation, member, title="カタカナ表記のDX人材", visibility="public"
    )
    body = _body(client, reverse("proposals:search") + "?" + _query(q=query))
    assert ("カタカナ表記のDX人材" in body) == found


def _query(**params):
    from urllib.parse import urlencode

    return urlencode(params)


def test_search_filters_by_theme_block_ministry_and_year(client, member, organisation):
    call = factories.make_call()
    older = factories.make_call(fiscal_year=2025, title="令和7年度の募集")
    funding = factories.proposal_theme("財源", "Funding")
    mext = factories.ministry("文部科学省", "MEXT")
    kansai = RegionalBlock.objects.create(name="関西", name_en="Kansai")
    kansai_org = factories.make_organisation("関西財団", block=kansai)
    factories.make_submission(call, organisation, member, title="北陸の人材課題")
    factories.make_submission(call, organisation, member, title="北陸の財源課題", theme=funding,
                              ministries=[mext])  # fmt: skip
    factories.make_submission(call, kansai_org, member, title="関西の人材課題")
    factories.make_submission(older, organisation, member, title="昨年度の課題")
    client.force_login(member)
    cases = [
        ({"theme": funding.pk}, {"北陸の財源課題"}),
        ({"block": kansai.pk}, {"関西の人材課題"}),
        ({"ministry": mext.pk}, {"北陸の財源課題"}),
        ({"year": 2025}, {"昨年度の課題"}),
        ({"year": 2026, "q": "人材課題"}, {"北陸の人材課題", "関西の人材課題"}),
    ]
    titles = {"北陸の人材課題", "北陸の財源課題", "関西の人材課題", "昨年度の課題"}
    for params, expected in cases:
        body = _body(client, reverse("proposals:search") + "?" + _query(**params))
        assert {title for title in titles if title in body} == expected, params


def test_my_institutions_issues_list_drafts_too(client, call, member, outsider, organisation):
    factories.make_submission(call, organisation, member, title="自機関の下書き", status="draft")
    client.force_login(member)
    assert "自機関の下書き" in _body(client, reverse("proposals:mine"))
    client.force_login(outsider)
    assert "自機関の下書き" not in _body(client, reverse("proposals:mine"))


def _grow(call, author_org, author, n):
    """n submissions from n institutions (two blocks), each endorsed by two others, and the
    author's own issue endorsed by all n, one of them hidden, with n attachments."""
    organisations = factories.bulk_organisations(n + 2, prefix="課題財団")
    kansai = RegionalBlock.objects.create(name="関西", name_en="Kansai")
    Organisation.objects.filter(pk__in=[o.pk for o in organisations[::2]]).update(block=kansai)
    ministry = factories.ministry()
    for n_, organisation in enumerate(organisations[:n]):
        submission = factories.make_submission(
            call, organisation, author, title=f"課題{n_}", ministries=[ministry]
        )
        for other in organisations[n : n + 2]:
            Endorsement.objects.create(
                submission=submission, organisation=other, created_by=author, comment="同様"
            )
    own = factories.make_submission(call, author_org, author)
    Endorsement.objects.bulk_create(
        Endorsement(submission=own, organisation=o, created_by=author, comment="同様の課題あり")
        for o in organisations[:n]
    )
    services.hide(own.endorsements.first(), author, "理由")
    SubmissionAttachment.objects.bulk_create(
        SubmissionAttachment(
            submission=own,
            file=f"proposals/attachments/x{k}",
            name=f"資料{k}.pdf",
            content_type="application/pdf",
            size=100,
            sha256="0" * 64,
            uploaded_by=author,
        )
        for k in range(n)
    )
    return own


@pytest.mark.parametrize("extra", [2, 40])
def test_pages_within_a_fixed_query_budget(
    client, call, member, organisation, extra, django_assert_max_num_queries
):
    submission = _grow(call, organisation, member, extra)
    draft = factories.make_submission(call, organisation, member, status="draft")
    client.force_login(member)
    pages = {
        reverse("proposals:index"): 8,
        reverse("proposals:call", args=[call.pk]): 9,
        reverse("proposals:submission", args=[submission.pk]): 11,
        reverse("proposals:search") + "?q=課題": 12,
        reverse("proposals:mine"): 9,
        reverse("proposals:edit", args=[draft.pk]): 11,
    }
    for url, budget in pages.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ja", ["この課題を共有するブロック", "地域の現状（背景）", "人材育成", "北陸: 1 機関"]),
        ("en", ["Blocks sharing this issue", "Situation in the region",
                "Human resources development", "Hokuriku: 1 institution"]),
    ],
)  # fmt: skip
def test_an_issue_page_in_both_languages(client, call, member, organisation, language, expected):
    submission = factories.make_submission(call, organisation, member)
    client.force_login(member)
    client.cookies["django_language"] = language
    body = _body(client, reverse("proposals:submission", args=[submission.pk]))
    for text in expected:
        assert text in body


def test_a_file_that_is_not_an_accepted_type_is_refused_and_nothing_saved(
    client, call, member, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member)
    data = {
        "theme": call.themes.first().pk,
        "title": "課題",
        "visibility": "members",
        "attachment": SimpleUploadedFile(
            "page.pdf", b"<html><script>x</script>", "application/pdf"
        ),
        "save": "1",
    }
    response = client.post(reverse("proposals:new", args=[call.pk]), data)
    assert response.status_code == 200
    assert "ファイルの内容が受け付けている形式ではありません" in response.content.decode()
    assert not Submission.objects.exists()


def test_removing_a_file_deleting_a_draft_and_withdrawing(
    client, call, member, organisation, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(member)
    draft = factories.make_submission(call, organisation, member, status="draft")
    attachment = services.add_attachment(
        draft.pk, SimpleUploadedFile("a.pdf", another_pdf(2), "application/pdf"), member
    )
    client.post(reverse("proposals:remove_attachment", args=[attachment.pk]))
    assert not draft.attachments.exists()
    client.post(reverse("proposals:discard", args=[draft.pk]))
    assert not Submission.objects.filter(pk=draft.pk).exists()
    submitted = factories.make_submission(call, organisation, member)
    client.post(reverse("proposals:discard", args=[submitted.pk]))  # refused: withdraw it
    client.post(reverse("proposals:withdraw", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.status == "withdrawn"


def test_the_calls_offer_the_form_only_where_the_class_may_submit(client, member):
    open_call = factories.make_call()
    academic_only = factories.make_call(classes=[factories.academic_class()], title="学術のみ")
    closed = factories.make_call(open_now=False, title="受付前の募集")
    client.force_login(member)
    body = _body(client, reverse("proposals:index"))
    assert reverse("proposals:new", args=[open_call.pk]) in body
    assert reverse("proposals:new", args=[academic_only.pk]) not in body
    assert reverse("proposals:new", args=[closed.pk]) not in body
    assert reverse("proposals:new", args=[open_call.pk]) in _body(
        client, reverse("proposals:call", args=[open_call.pk])
    )
    assert reverse("proposals:new", args=[academic_only.pk]) not in _body(
        client, reverse("proposals:call", args=[academic_only.pk])
    )
