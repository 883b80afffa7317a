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
