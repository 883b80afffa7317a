"""Names are one line (issue 25): the forms that take a name refuse control characters."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Person
from newsletter.models import Topic
from portal.validators import validate_name

pytestmark = pytest.mark.django_db

EVIL = "Evil\r\nBcc: victim@evil.example"


@pytest.mark.parametrize("value", [EVIL, "山田\n太郎", "a\tb", "x\x00y", "a\u2028b", "a\x85b"])
def test_control_characters_are_refused(value):
    with pytest.raises(ValidationError):
        validate_name(value)


@pytest.mark.parametrize("value", ["", "山田 太郎", "O'Brien-Smith, Jr.", "ｲﾉﾍﾞｰｼｮﾝ"])
def test_names_on_one_line_pass(value):
    validate_name(value)


def test_the_subscribe_form_refuses_a_name_with_a_line_break(client):
    topic = Topic.objects.first()

    response = client.post(
        reverse("newsletter:subscribe"),
        {"email": "reader@example.com", "name": EVIL, "topics": [topic.pk]},
    )

    assert response.context["form"].errors["name"]
    assert not mail.outbox


def test_the_contact_form_refuses_a_name_with_a_line_break(client, primary_contact):
    client.force_login(primary_contact)

    response = client.post(
        reverse("members:add_contact"),
        {"family_name": EVIL, "given_name": "一郎", "email": "new@example.jp"},
    )

    assert response.context["form"].errors["family_name"]
    assert not Person.objects.filter(email="new@example.jp").exists()
