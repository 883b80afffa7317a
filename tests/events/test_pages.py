"""The members' and the public's event pages: the list, an event, registering (two clicks
for a contact, colleagues too), the user's registrations, cancelling, offers, materials,
the .ics file and the private calendar feed."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from events import eligibility, selectors, services
from events.models import CalendarFeed, Event, Material, Registration
from members.models import RegionalBlock
from tests import factories
from tests.factories import participant

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _body(response) -> str:
    return response.content.decode()


def _register_user(event, user, n=1, **options):
    """A registration of `user` as the participant (services, as the page calls them)."""
    return services.register(
        event.pk, [participant(n, user=user, email=user.email)], registered_by=user, **options
    )[0]


def _english(client):
    client.cookies["django_language"] = "en"


# --- The events page -----------------------------------------------------------------------


def test_public_events_are_listed_for_anonymous_visitors_with_the_fee_tax_included(client):
    public = factories.make_event(title="公開研修")
    factories.make_event(title="会員限定研修", open_to_public=False)
    factories.make_event(title="下書き研修", published=False)
    body = _body(client.get(reverse("events:index")))
    assert "公開研修" in body
    assert "会員限定研修" not in body
    assert "下書き研修" not in body
    assert "5,500円（税込）" in body  # 5,000 yen and 10% tax, for members
    assert "11,000円（税込）" in body  # the non-member rate
    assert reverse("events:detail", args=[public.pk]) in body


def test_members_see_members_only_events_and_places_left(client, member):
    factories.make_event(title="会員限定研修", open_to_public=False, capacity=3)
    client.force_login(member)
    body = _body(client.get(reverse("events:index")))
    assert "会員限定研修" in body
    assert "残り 3 席" in body


def test_a_full_event_says_so_and_takes_the_waiting_list(client):
    event = factories.make_event(capacity=1)
    services.register(event.pk, [participant(1)], registered_by=None)
    assert "満席（キャンセル待ち）" in _body(client.get(reverse("events:index")))


def test_a_full_session_counts_for_a_training_but_not_where_sessions_are_chosen(client):
    training = factories.make_event(title="研修", sessions=2, capacity=5)
    exchange = factories.make_event(title="交換会", kind="exchange", sessions=2, capacity=5)
    for event in (training, exchange):
        small = event.sessions.order_by("starts_at").first()
        small.capacity = 1
        small.save()
        services.register(event.pk, [participant(event.pk)], registered_by=None)
    left = {
        e.title: e.places_left for e in client.get(reverse("events:index")).context["upcoming"]
    }
    assert left == {"研修": 0, "交換会": 4}  # the exchange's second session has 4 places
    detail = client.get(reverse("events:detail", args=[training.pk]))
    assert "満席（キャンセル待ち）" in _body(detail)


def test_upcoming_and_past_events_are_apart(client):
    factories.make_event(title="これからの研修")
    factories.make_event(title="終わった交換会", kind="exchange", starts_in_days=-30)
    response = client.get(reverse("events:index"))
    assert [e.title for e in response.context["upcoming"]] == ["これからの研修"]
    assert [e.title for e in response.context["past"]] == ["終わった交換会"]


def test_filters_by_kind_block_and_month(client):
    kansai = RegionalBlock.objects.create(name="近畿", name_en="Kinki")
    training = factories.make_event(title="研修A", starts_in_days=40)
    factories.make_event(title="交換会B", kind="exchange", block=kansai, starts_in_days=5)
    url = reverse("events:index")

    def titles(**query):
        return {e.title for e in client.get(url, query).context["upcoming"]}

    assert titles() == {"研修A", "交換会B"}
    assert titles(kind="exchange") == {"交換会B"}
    assert titles(block=kansai.pk) == {"交換会B"}
    month = timezone.localtime(training.sessions.get().starts_at)  # 35 days later: another month
    assert titles(month=f"{month:%Y-%m}") == {"研修A"}
    assert titles(kind="exchange", month=f"{month:%Y-%m}") == set()
    form = client.get(url).context["form"]
    assert f"{month:%Y-%m}" in dict(form.fields["month"].choices)
    assert titles(month="1999-01") == {"研修A", "交換会B"}  # not a choice: ignored, no 500


def test_the_filters_are_labelled_selects(client):
    body = _body(client.get(reverse("events:index")))
    for name in ("kind", "block", "month"):
        assert re.search(rf'<label\s+for="id_{name}"', body)
        assert f'<select name="{name}"' in body


# --- An event ------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_asked_to_log_in_and_sent_back(client):
    event = factories.make_event(co_hosts="経済産業省\n公益財団法人石川県産業創出支援機構")
    detail = reverse("events:detail", args=[event.pk])
    body = _body(client.get(detail))
    assert "ログインして申し込む" in body
    assert f"/accounts/login/?next={detail.replace('/', '%2F')}" in body
    assert f"/accounts/signup/?next={detail.replace('/', '%2F')}" in body
    assert "経済産業省<br>公益財団法人石川県産業創出支援機構" in body


def test_a_member_only_event_is_not_found_for_anonymous_visitors(client):
    event = factories.make_event(open_to_public=False)
    assert client.get(reverse("events:detail", args=[event.pk])).status_code == 404


def test_the_description_is_sanitised_markdown(client):
    event = factories.make_event(description="# 概要\n\n<script>alert(1)</script>**重要**")
    body = _body(client.get(reverse("events:detail", args=[event.pk])))
    assert "<strong>重要</strong>" in body
    assert "<script>alert(1)" not in body


def test_a_participant_sees_their_status_and_the_calendar_file(client, applicant):
    event = factories.make_event()
    _register_user(event, applicant)
    client.force_login(applicant)
    response = client.get(reverse("events:detail", args=[event.pk]))
    assert response.context["own"].status == "registered"
    assert reverse("events:ics", args=[event.pk]) in _body(response)


# --- Eligibility ---------------------------------------------------------------------------


def _roles(user):
    from members.permissions import roles_of

    return roles_of(user)


def test_a_contact_of_a_class_not_allowed_is_refused_saying_who_may(member):
    associate = factories.make_class("associate", "flat", flat_amount=10000)
    event = factories.make_event(open_to_public=False)
    event.classes.set([associate])
    result = eligibility.eligibility(event, member, _roles(member))
    assert result.kind == eligibility.REFUSED
    assert str(associate) in str(result.reason)


def test_a_contact_of_an_allowed_class_registers_at_the_member_rate(member, organisation):
    event = factories.make_event()
    result = eligibility.eligibility(event, member, _roles(member))
    assert result.member and result.organisation == organisation
    assert result.contact.user == member


def test_anyone_logged_in_registers_a_public_event_at_the_non_member_rate(applicant):
    event = factories.make_event()
    assert eligibility.eligibility(event, applicant, _roles(applicant)).kind == "public"
    event.open_to_public = False
    event.save()
    assert eligibility.eligibility(event, applicant, _roles(applicant)).kind == "refused"


def test_an_event_for_no_class_lets_a_contact_register_as_the_public(member):
    event = factories.make_event()
    event.classes.clear()
    assert eligibility.eligibility(event, member, _roles(member)).kind == "public"


def test_the_refused_register_page_says_who_may_register(client):
    event = factories.make_event(open_to_public=False)  # full members (正会員) only
    observers = factories.make_organisation(
        "オブザーバー財団", membership_class=factories.make_class("observer", "none")
    )
    user = factories.make_user("observer@example.jp")
    factories.make_person(observers, user=user, email="observer@example.jp")
    client.force_login(user)
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 403
    assert "申し込めるのは会員（正会員）の担当者のみです。" in _body(response)
    assert "form" not in response.context
    response = client.post(reverse("events:register", args=[event.pk]), {"include_self": "on"})
    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_members_only_event_refuses_a_non_member(client, applicant):
    event = factories.make_event(open_to_public=False)
    client.force_login(applicant)
    # Logged-in users see published events; registering is refused with the rule.
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 403


# --- Registering ---------------------------------------------------------------------------


def test_a_contact_registers_in_two_clicks(client, member, organisation):
    event = factories.make_event()
    client.force_login(member)
    detail = _body(client.get(reverse("events:detail", args=[event.pk])))
    register = reverse("events:register", args=[event.pk])
    assert f'href="{register}"' in detail  # click 1: 申し込む
    page = client.get(register)
    assert page.status_code == 200
    assert "この内容で申し込む" in _body(page)
    assert page.context["form"]["include_self"].value() is True
    data = {
        "include_self": "on",
        "extra-TOTAL_FORMS": "3",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "3",
    }
    response = client.post(register, data, follow=True)  # click 2: この内容で申し込む
    assert response.redirect_chain[-1][0] == reverse("events:mine")
    registration = Registration.objects.get(event=event)
    assert registration.status == "registered"
    assert registration.member and registration.fee == 5000
    assert registration.organisation == organisation
    assert registration.user == member and registration.person == member.person
    assert registration.registered_by == member
    assert "申し込みました" in _body(response)


def _rows(*typed):
    data = {
        "extra-TOTAL_FORMS": "3",
        "extra-INITIAL_FORMS": "0",
        "extra-MIN_NUM_FORMS": "0",
        "extra-MAX_NUM_FORMS": "3",
    }
    for n, row in enumerate(typed):
        data.update({f"extra-{n}-{key}": value for key, value in row.items()})
    return data


def test_a_contact_registers_colleagues_checked_and_typed_on_one_invoice(
    client, member, organisation
):
    event = factories.make_event()
    colleague = factories.make_person(organisation, family_name="佐藤", given_name="一郎")
    factories.make_person(organisation, family_name="無連絡", email="")  # no address: not offered
    gone = factories.make_person(organisation, family_name="退職")
    gone.left_on = timezone.localdate()
    gone.save()
    client.force_login(member)
    page = client.get(reverse("events:register", args=[event.pk]))
    offered = {p.pk for p in page.context["form"].fields["colleagues"].queryset}
    assert offered == {colleague.pk}
    typed = {
        "family_name": "田中",
        "given_name": "次郎",
        "family_name_kana": "たなか",
        "given_name_kana": "ジロウ",
        "email": "tanaka@example.jp",
    }
    data = {**_rows(typed), "colleagues": [colleague.pk], "one_invoice": "on"}
    response = client.post(reverse("events:register", args=[event.pk]), data)
    assert response.status_code == 302
    registrations = Registration.objects.filter(event=event).order_by("email")
    assert {r.email for r in registrations} == {colleague.email, "tanaka@example.jp"}
    assert all(r.member and r.organisation == organisation for r in registrations)
    assert all(r.one_invoice_per_institution for r in registrations)
    typed_row = registrations.get(email="tanaka@example.jp")
    assert typed_row.family_name_kana == "タナカ"  # hiragana typed, stored in katakana
    assert registrations.get(email=colleague.email).person == colleague


def test_nobody_chosen_is_a_form_error(client, member):
    event = factories.make_event()
    client.force_login(member)
    response = client.post(reverse("events:register", args=[event.pk]), _rows())
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Registration.objects.exists()


def test_a_typed_colleague_needs_every_field(client, member):
    event = factories.make_event()
    client.force_login(member)
    response = client.post(
        reverse("events:register", args=[event.pk]),
        _rows({"family_name": "田中", "given_name": "次郎"}),
    )
    assert response.status_code == 200
    assert set(response.context["rows"][0].errors) == {
        "family_name_kana",
        "given_name_kana",
        "email",
    }
    assert not Registration.objects.exists()


def test_registering_twice_is_a_form_error_not_a_500(client, member):
    event = factories.make_event()
    client.force_login(member)
    url = reverse("events:register", args=[event.pk])
    client.post(url, {**_rows(), "include_self": "on"})
    response = client.post(url, {**_rows(), "include_self": "on"})  # a second tab
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()  # nobody left to register
    assert "このイベントにはすでに申し込んでいます。" in _body(response)
    assert Registration.objects.count() == 1


def test_a_full_event_puts_the_contact_on_the_waiting_list_and_says_so(client, member):
    event = factories.make_event(capacity=1)
    services.register(event.pk, [participant(1)], registered_by=None)
    client.force_login(member)
    response = client.post(
        reverse("events:register", args=[event.pk]), {**_rows(), "include_self": "on"}, follow=True
    )
    assert Registration.objects.get(email="member@example.jp").status == "waiting"
    assert "キャンセル待ち" in _body(response)


def test_a_non_member_registers_themself_at_the_non_member_rate(client, applicant):
    event = factories.make_event()
    client.force_login(applicant)
    url = reverse("events:register", args=[event.pk])
    page = client.get(url)
    assert page.context["form"]["email"].value() == "applicant@example.jp"
    data = {
        "family_name": "一般",
        "given_name": "花子",
        "family_name_kana": "イッパン",
        "given_name_kana": "ハナコ",
        "email": "applicant@example.jp",
        "affiliation": "株式会社サンプル",
        "affiliation_kana": "かぶしきがいしゃさんぷる",
        "department": "企画部",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    registration = Registration.objects.get()
    assert not registration.member and registration.fee == 10000
    assert registration.organisation is None
    assert registration.user == applicant
    assert registration.affiliation_kana == "カブシキガイシャサンプル"


def test_sessions_are_chosen_for_an_exchange_meeting_but_not_a_training(client, member):
    exchange = factories.make_event(kind="exchange", sessions=2)
    training = factories.make_event(sessions=3)
    client.force_login(member)
    page = client.get(reverse("events:register", args=[training.pk]))
    assert "sessions" not in page.context["form"].fields
    page = client.get(reverse("events:register", args=[exchange.pk]))
    field = page.context["form"].fields["sessions"]
    first, second = exchange.sessions.order_by("starts_at")
    assert field.initial == [first.pk, second.pk]
    assert "10:00" in dict(field.choices)[first.pk]  # in the portal's time zone
    response = client.post(
        reverse("events:register", args=[exchange.pk]),
        {**_rows(), "include_self": "on", "sessions": [second.pk]},
    )
    assert response.status_code == 302
    seats = Registration.objects.get().seats.values_list("session_id", flat=True)
    assert list(seats) == [second.pk]


def test_the_one_invoice_choice_is_only_offered_with_a_fee(client, member):
    event = factories.make_event(member_fee=0)
    client.force_login(member)
    page = client.get(reverse("events:register", args=[event.pk]))
    assert "one_invoice" not in page.context["form"].fields


def test_registration_closed_sends_back_to_the_event(client, member):
    event = factories.make_event(registration_closes_at=timezone.now() - timedelta(hours=1))
    client.force_login(member)
    response = client.get(reverse("events:register", args=[event.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("events:detail", args=[event.pk])


# --- My registrations, cancelling, offers ----------------------------------------------------


def test_mine_lists_own_registered_and_institution_registrations(
    client, member, organisation, other_organisation
):
    event = factories.make_event()
    past = factories.make_event(title="過去の交換会", starts_in_days=-20)
    Event.objects.filter(pk=past.pk).update(
        registration_opens_at=timezone.now() - timedelta(days=60)
    )
    colleague_registration = services.register(
        event.pk, [participant(1)], registered_by=None, organisation=organisation, member=True
    )[0]
    services.register(
        event.pk, [participant(2)], registered_by=None, organisation=other_organisation
    )
    Registration.objects.create(
        event=past,
        status="registered",
        organisation=organisation,
        family_name="過去",
        given_name="太郎",
        email="past@example.jp",
    )
    client.force_login(member)
    response = client.get(reverse("events:mine"))
    assert [r.pk for r in response.context["upcoming"]] == [colleague_registration.pk]
    assert [r.email for r in response.context["past"]] == ["past@example.jp"]
    body = _body(response)
    assert "participant2@example.jp" not in body
    assert "5,500円（税込）" in body
    assert reverse("events:cancel", args=[colleague_registration.pk]) in body


def test_the_cancel_page_states_the_charge_after_the_deadline(client, member, organisation):
    event = factories.make_event(cancellation_fee_percent=50)
    registration = _register_user(event, member, organisation=organisation, member=True)
    client.force_login(member)
    url = reverse("events:cancel", args=[registration.pk])
    assert "無料" in _body(client.get(url))
    Event.objects.filter(pk=event.pk).update(
        cancellation_deadline=timezone.now() - timedelta(hours=1)
    )
    page = client.get(url)
    assert page.context["charge"] == 2500
    assert "2,750円（税込）" in _body(page)  # half of 5,000 yen, with 10% tax
    response = client.post(url)
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled" and registration.charge == 2500


def test_cancelling_frees_the_place_for_the_waiting_list(client, member, organisation):
    event = factories.make_event(capacity=1)
    registration = _register_user(event, member, organisation=organisation, member=True)
    waiting = services.register(event.pk, [participant(5)], registered_by=None)[0]
    client.force_login(member)
    client.post(reverse("events:cancel", args=[registration.pk]))
    waiting.refresh_from_db()
    assert waiting.status == "offered"


def test_an_offered_place_is_confirmed_from_mine(client, applicant):
    event = factories.make_event(capacity=1)
    first = services.register(event.pk, [participant(1)], registered_by=None)[0]
    offered = _register_user(event, applicant, 2)
    services.cancel(first.pk)
    client.force_login(applicant)
    page = client.get(reverse("events:mine"))
    assert reverse("events:confirm", args=[offered.pk]) in _body(page)
    assert client.get(reverse("events:confirm", args=[offered.pk])).status_code == 405
    response = client.post(reverse("events:confirm", args=[offered.pk]))
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.status == "registered"


def test_another_institutions_registration_is_not_found(client, outsider, organisation):
    event = factories.make_event()
    registration = services.register(
        event.pk, [participant(1)], registered_by=None, organisation=organisation, member=True
    )[0]
    client.force_login(outsider)
    for name in ("events:cancel", "events:confirm"):
        assert client.post(reverse(name, args=[registration.pk])).status_code == 404
    assert client.get(reverse("events:cancel", args=[registration.pk])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_the_invoice_link_is_for_contacts_of_the_invoiced_organisation(
    client, member, organisation, applicant
):
    from events import billing

    factories.make_issuer()
    event = factories.make_event()
    mine = _register_user(event, member, organisation=organisation, member=True)
    billing.issue_fee_invoices(event.pk)
    mine.refresh_from_db()
    assert mine.invoice_id is not None
    client.force_login(member)
    link = reverse("dues:invoice_pdf", args=[mine.invoice_id])
    assert link in _body(client.get(reverse("events:mine")))
    # The applicant registered by the member sees the row, but no link they could not open.
    Registration.objects.filter(pk=mine.pk).update(user=applicant, registered_by=applicant)
    client.force_login(applicant)
    body = _body(client.get(reverse("events:mine")))
    assert event.title in body
    assert link not in body


# --- The meeting URL, materials and the calendar --------------------------------------------


def test_the_meeting_url_is_shown_from_the_lead_time_before_the_first_session():
    event = factories.make_event(
        online=True, meeting_url="https://meet.example.jp/abc", meeting_url_lead_minutes=30
    )
    start = event.sessions.get().starts_at
    assert not selectors.meeting_url_shown(event, start, start - timedelta(minutes=30, seconds=1))
    assert selectors.meeting_url_shown(event, start, start - timedelta(minutes=30))
    assert selectors.meeting_url_shown(event, start, start + timedelta(hours=1))
    event.meeting_url = ""
    assert not selectors.meeting_url_shown(event, start, start)


def test_the_meeting_url_is_only_on_a_participants_page_in_time(client, applicant, member):
    event = factories.make_event(
        online=True,
        meeting_url="https://meet.example.jp/abc",
        meeting_url_lead_minutes=30,
        starts_in_days=0,
    )
    from events.models import Session

    start = timezone.now() + timedelta(minutes=20)
    Session.objects.filter(event=event).update(starts_at=start, ends_at=start + timedelta(hours=2))
    Event.objects.filter(pk=event.pk).update(registration_closes_at=start)
    _register_user(event, applicant)
    url = reverse("events:detail", args=[event.pk])
    client.force_login(member)  # not registered
    assert "meet.example.jp" not in _body(client.get(url))
    client.force_login(applicant)
    assert "https://meet.example.jp/abc" in _body(client.get(url))
    Session.objects.filter(event=event).update(
        starts_at=start + timedelta(hours=1), ends_at=start + timedelta(hours=3)
    )
    assert "https://meet.example.jp/abc" not in _body(client.get(url))


def _material(event, release, name="資料.pdf"):
    return Material.objects.create(
        event=event,
        title="配布資料",
        file=ContentFile(b"%PDF-1.4 test", "x.pdf"),
        file_name=name,
        content_type="application/pdf",
        release=release,
    )


def test_materials_are_released_per_their_rule():
    event = factories.make_event()
    before, after = _material(event, "before"), _material(event, "after")
    registered = Registration(status="registered")
    waiting = Registration(status="waiting")
    end = timezone.now()
    now = end - timedelta(minutes=1)
    assert selectors.material_released(before, registered, end, now)
    assert not selectors.material_released(before, waiting, end, now)
    assert not selectors.material_released(before, None, end, now)
    assert not selectors.material_released(after, registered, end, now)
    assert selectors.material_released(after, registered, end, end)


def test_a_material_downloads_for_a_participant_as_an_attachment(client, applicant, member):
    event = factories.make_event()
    before = _material(event, "before", name="../第1回 資料.pdf")
    after = _material(event, "after")
    url = reverse("events:material", args=[before.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404  # not registered
    _register_user(event, applicant)
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "..%2F" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(reverse("events:material", args=[after.pk])).status_code == 404
    page = client.get(reverse("events:detail", args=[event.pk]))
    assert url in _body(page)


def test_the_ics_file_is_for_participants_only(client, applicant, member):
    event = factories.make_event(sessions=2)
    url = reverse("events:ics", args=[event.pk])
    client.force_login(member)
    assert client.get(url).status_code == 404
    _register_user(event, applicant)
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response.content.count(b"BEGIN:VEVENT") == 2


def test_the_calendar_feed_serves_the_users_registered_sessions_by_token(client, applicant):
    held = factories.make_event(title="参加する研修", capacity=5)
    full = factories.make_event(title="満席の研修", capacity=1)
    services.register(full.pk, [participant(9)], registered_by=None)
    _register_user(held, applicant)
    _register_user(full, applicant, 2)  # waiting: not in the feed
    client.force_login(applicant)
    assert client.get(reverse("events:calendar")).context["feed"] is None
    client.post(reverse("events:calendar"))
    feed = CalendarFeed.objects.get(user=applicant)
    page = _body(client.get(reverse("events:calendar")))
    url = reverse("events:feed", args=[feed.token])
    assert url in page
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "参加する研修" in text
    assert "満席の研修" not in text
    assert client.get(reverse("events:feed", args=["not-the-token"])).status_code == 404


def test_a_new_feed_address_replaces_the_old_one(client, applicant):
    client.force_login(applicant)
    client.post(reverse("events:calendar"))
    old = CalendarFeed.objects.get(user=applicant).token
    client.post(reverse("events:calendar"))
    new = CalendarFeed.objects.get(user=applicant).token
    assert new != old and len(new) >= 40
    client.logout()
    assert client.get(reverse("events:feed", args=[old])).status_code == 404
    assert client.get(reverse("events:feed", args=[new])).status_code == 200


# --- Languages -----------------------------------------------------------------------------


def test_the_pages_in_english(client, member):
    event = factories.make_event(capacity=1)
    client.force_login(member)
    _english(client)
    body = _body(client.get(reverse("events:index")))
    assert "5,500 yen (tax included)" in body
    assert "1 place left" in body
    body = _body(client.get(reverse("events:register", args=[event.pk])))
    assert "Register with these details" in body
    services.register(event.pk, [participant(1)], registered_by=None)
    assert "Full (waiting list open)" in _body(client.get(reverse("events:index")))


@pytest.mark.parametrize("role", ["anonymous", "applicant", "member"])
def test_the_menu_leads_everyone_to_the_events(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    body = _body(client.get(reverse("newsletter:index")))  # a page open to all three
    assert f'class="nav-link" href="{reverse("events:index")}"' in body
    assert "交換会・研修" in body


def test_a_waiting_participant_gets_no_materials_nor_calendar_file(client, applicant):
    event = factories.make_event(capacity=1, online=True, meeting_url="https://meet.example.jp/x")
    services.register(event.pk, [participant(1)], registered_by=None)
    _register_user(event, applicant, 2)
    material = _material(event, "before")
    client.force_login(applicant)
    response = client.get(reverse("events:detail", args=[event.pk]))
    assert response.context["own"].status == "waiting"
    body = _body(response)
    assert reverse("events:material", args=[material.pk]) not in body
    assert reverse("events:ics", args=[event.pk]) not in body
    assert "meet.example.jp" not in body
    assert client.get(reverse("events:material", args=[material.pk])).status_code == 404


def test_a_started_event_can_no_longer_be_cancelled(client, member, organisation):
    from events.models import Session

    event = factories.make_event()
    registration = _register_user(event, member, organisation=organisation, member=True)
    Session.objects.filter(event=event).update(starts_at=timezone.now() - timedelta(hours=1))
    client.force_login(member)
    url = reverse("events:cancel", args=[registration.pk])
    page = client.get(url)
    assert page.context["started"]
    assert "キャンセルできません" in _body(page)
    assert url not in _body(client.get(reverse("events:mine")))  # no cancel button
    response = client.post(url, follow=True)
    assert "キャンセルできません" in _body(response)
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_the_form_offers_only_staff_not_registered_yet(client, member, organisation):
    event = factories.make_event()
    registered = factories.make_person(organisation, family_name="登録済", email="Done@example.jp")
    free = factories.make_person(organisation, family_name="未登録", email="free@example.jp")
    contact = organisation.people.get(user=member)
    services.register(
        event.pk,
        [
            participant(1, email="done@example.jp", person=registered),
            participant(2, email=contact.email),
        ],
        registered_by=member,
        organisation=organisation,
        member=True,
    )
    client.force_login(member)
    page = client.get(reverse("events:register", args=[event.pk]))
    form = page.context["form"]
    assert "include_self" not in form.fields  # the contact has a place already
    assert {p.pk for p in form.fields["colleagues"].queryset} == {free.pk}
    assert "このイベントにはすでに申し込んでいます。" in _body(page)
