"""Property tests: the public subscription form and the unsubscribe link take any input.

The form either asks for a confirmation (nothing stored until the reader confirms, then
exactly what was typed, cleaned) or shows its errors; an unsubscribe link that is not a
subscriber's own is refused with a page saying so, on GET and on the one-click POST.
"""

import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from newsletter import tokens
from newsletter.forms import SubscribeForm
from newsletter.models import Subscriber, SubscriptionEvent, Topic
from tests import factories
from tests.strategies import (
    PROPERTY_SETTINGS,
    error_page,
    number_text,
    perturbed,
    rolled_back,
    state,
    text,
)

pytestmark = pytest.mark.django_db

TABLES = (Subscriber, SubscriptionEvent, Subscriber.topics.through)


def _topic_ids():
    return [str(pk) for pk in Topic.objects.values_list("pk", flat=True)]


@PROPERTY_SETTINGS
@given(data=st.data())
def test_subscription_asks_first_and_stores_what_was_typed(
    client, data, django_capture_on_commit_callbacks
):
    topics = st.lists(st.one_of(st.sampled_from(_topic_ids()), number_text()), max_size=3)
    valid = {"email": "reader@example.com", "name": "読者", "topics": _topic_ids()[:1]}
    changes = {"email": st.one_of(text(), st.emails().map(str)), "name": text(), "topics": topics}
    post = data.draw(perturbed(valid, changes))
    with rolled_back():
        mail.outbox = []
        before = state(*TABLES)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("newsletter:subscribe"), post)
        assert response.status_code == 200
        assert state(*TABLES) == before  # nothing stored before the confirmation
        form = SubscribeForm(post)
        if not form.is_valid():
            assert error_page(response), response.content[:500]
            assert mail.outbox == []
            return
        email = form.cleaned_data["email"].lower()
        (message,) = mail.outbox
        assert message.to == [email]
        link = re.search(r"/newsletter/subscribe/confirm/[^/\s]+/", message.body).group()
        assert client.post(link).status_code == 200
        subscriber = Subscriber.objects.get(email=email)
        assert subscriber.name == post.get("name", "").strip()
        assert {str(t.pk) for t in subscriber.topics.all()} == set(post["topics"]) & set(
            _topic_ids()
        )


@pytest.fixture
def subscriber(db):
    return factories.make_subscriber("reader@example.com")


def _tokens(own: str):
    pk, mac = own.split("-", 1)
    return st.one_of(
        text(max_size=80, longest=3000),
        st.sampled_from([own, own + "x", own.upper(), f"{pk}-", f"-{mac}", f"²-{mac}"]),
        st.tuples(number_text(), st.sampled_from(["-", "", "--"]), text(max_size=40)).map("".join),
        st.integers(min_value=0).map(lambda n: f"{n}-{mac}"),
    )


@PROPERTY_SETTINGS
@given(data=st.data(), method=st.sampled_from(["get", "post", "one-click"]))
def test_unsubscribe_refuses_anything_but_the_own_link(client, subscriber, data, method):
    own = tokens.unsubscribe_token(subscriber.pk, subscriber.email)
    token = data.draw(_tokens(own))
    url = reverse("newsletter:unsubscribe", args=["T"]).replace("/T/", f"/{quote(token)}/")
    with rolled_back():
        before = state(*TABLES)
        if method == "get":
            response = client.get(url)
        else:
            body = {"List-Unsubscribe": "One-Click"} if method == "one-click" else {}
            response = client.post(url, body)
        subscriber.refresh_from_db()
        if token == own:
            assert response.status_code == 200
            assert (subscriber.unsubscribed_at is None) == (method == "get")
            return
        # A token with "/" does not reach the view; every other one is refused by it.
        assert response.status_code == (404 if "/" in token or not token else 400), token
        assert state(*TABLES) == before
        if response.status_code == 400:
            assert "link_invalid" in " ".join(t.name for t in response.templates)


@pytest.mark.parametrize(
    "prefix", ["²", "١٢", "1" * 5000, str(2**63), "0", "-1", "\x00", "１"], ids=repr
)
def test_unsubscribe_refuses_odd_ids(client, subscriber, prefix):
    mac = tokens.unsubscribe_token(subscriber.pk, subscriber.email).split("-", 1)[1]
    url = reverse("newsletter:unsubscribe", args=["T"]).replace("/T/", f"/{quote(prefix)}-{mac}/")
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.unsubscribed_at is None
