"""Markdown to safe HTML and wrapped Japanese text; the message an issue becomes."""

import pytest

from newsletter.rendering import html_to_text, markdown_to_html, render_test, wrap
from tests import factories


def test_script_and_event_handlers_do_not_survive():
    html = markdown_to_html(
        "本文\n\n<script>alert('x')</script>\n\n<img src=x onerror=\"alert(1)\">\n\n"
        '<a href="javascript:alert(2)">リンク</a> <iframe src="https://evil.example/"></iframe>'
        '\n\n<p style="color:red" onclick="steal()">色</p>'
    )
    lowered = html.lower()
    forbidden = ("<script", "alert(", "onerror", "javascript:", "<iframe", "onclick", "style=")
    for word in forbidden:
        assert word not in lowered
    assert "本文" in html and '<img src="x">' in html and "色" in html


def test_markdown_keeps_headings_lists_and_links():
    html = markdown_to_html("## 公募\n\n- 対象：中小企業\n\n[要領](https://www.meti.go.jp/)")
    assert "<h2>公募</h2>" in html
    assert "<li>対象：中小企業</li>" in html
    assert '<a href="https://www.meti.go.jp/" rel="noopener">要領</a>' in html


def display_width(line):
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "FW" else 1 for c in line)


def test_plain_text_wraps_by_display_width_and_keeps_urls_whole():
    url = "https://www.meti.go.jp/press/2026/12/20261201001.html"
    text = html_to_text(markdown_to_html("あ" * 100 + f" 詳しくは{url}をご覧ください。"))
    lines = text.splitlines()
    assert all(display_width(line) <= 72 for line in lines if url not in line)
    assert any(url in line for line in lines)
    assert "".join(lines).count("あ") == 100


def test_no_line_starts_with_closing_punctuation():
    wrapped = wrap("あ" * 10 + "。" + "い" * 5, width=20)
    assert wrapped.splitlines() == ["あ" * 10 + "。", "い" * 5]


def test_line_breaks_in_the_source_read_naturally():
    html = markdown_to_html("事務局  \n東京都千代田区\n麹町1-7-25 and\nmore")
    assert html_to_text(html) == "事務局\n東京都千代田区麹町1-7-25 and more"


def test_plain_text_of_lists_and_headings():
    text = html_to_text(markdown_to_html("# 見出し\n\n- 一つ目\n- 二つ目"))
    assert text == "■ 見出し\n\n・一つ目\n・二つ目"


@pytest.mark.django_db
def test_test_send_is_marked_and_has_both_parts(secretariat):
    issue = factories.make_issue(secretariat, body="# 見出し\n\n**太字**の本文")
    message = render_test(issue, "office@example.jp", "事務局 花子")
    assert message.subject == "[テスト] イノベーションネット通信 第1号"
    assert "太字の本文" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<strong>太字</strong>" in html
    assert "事務局 花子 様" in message.body


def sending(secretariat, body, django_capture_on_commit_callbacks):
    """An issue whose mailing is started with one reader, its delivery not sent yet."""
    from newsletter import services

    factories.make_subscriber("yamada@example.com", name="山田 髙子")
    issue = factories.make_issue(secretariat, body=body)
    services.mark_test_sent(issue.pk)
    issue.refresh_from_db()
    services.approve(issue, factories.make_user("second@example.jp", is_staff=True))
    with django_capture_on_commit_callbacks(execute=False):
        services.schedule(issue)
    with django_capture_on_commit_callbacks(execute=False):
        services.start_sending(issue.pk)
    issue.refresh_from_db()
    return issue.mailing, issue.mailing.deliveries.get()


def parsed(message):
    from email import message_from_bytes, policy

    return message_from_bytes(message.message().as_bytes(linesep="\r\n"), policy=policy.default)


@pytest.mark.django_db
@pytest.mark.parametrize("long_line", [False, True])
def test_a_spliced_message_reads_as_one_built_in_full(
    secretariat, django_capture_on_commit_callbacks, long_line
):
    from newsletter import rendering
    from outbox.wire import Prepared

    body = "## 見出し\n\n" + ("長い段落。" * 300 if long_line else "短い段落。")
    mailing, delivery = sending(secretariat, body, django_capture_on_commit_callbacks)
    rendering._sent_issue.cache_clear()

    spliced = rendering.render_issue(mailing, delivery)
    if not isinstance(spliced, Prepared):
        spliced.extra_headers["Message-ID"] = delivery.message_id  # as the engine does
    issue, shell, _template = rendering._sent_issue(mailing.pk)
    full = rendering.build_message(
        issue, shell, delivery.address, delivery.name, delivery.context["subscriber"]
    )
    full.extra_headers["Message-ID"] = delivery.message_id

    # A line over 998 bytes needs quoted-printable: then every message is built in full.
    assert isinstance(spliced, Prepared) is not long_line
    a, b = parsed(spliced), parsed(full)
    for header in ("Subject", "To", "List-Unsubscribe", "List-Unsubscribe-Post", "Message-ID"):
        assert a[header].strip() == b[header].strip(), header  # folding may differ
    assert a["To"].addresses[0].display_name == "山田 髙子"
    for kind in ("plain", "html"):
        assert a.get_body((kind,)).get_content() == b.get_body((kind,)).get_content()
    assert "山田 髙子 様" in a.get_body(("plain",)).get_content()
