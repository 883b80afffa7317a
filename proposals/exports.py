"""The year's proposal as an editable Word file (python-docx) and as PDF (portal.pdf): the
title, the front matter, then the items by theme in their order, each with its text, the
issues it cites (institutions and blocks, or the note that they are not disclosed, or that
an issue was withdrawn) and its endorsements by block.

Both are rendered once, by `compiling.make_version`, and stored; the public may download
them once the proposal is submitted, so a members-only issue is cited by its institution
and block, never by its title. Labels are in the portal's language (the secretariat's).
"""

import io
import re

from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.shared import Pt

from portal.pdf import BODY_SIZE, SECTION_GAP, SMALL_SIZE, new_document, paragraph

from . import selectors

HEADING_SIZE = 16
THEME_SIZE = 13
ITEM_SIZE = 11.5


def _blocks(markdown_text: str) -> list[tuple[int, str]]:
    """The front matter's paragraphs as (heading level or 0, plain text): Markdown's
    emphasis and link syntax dropped, as the documents are plain text with headings."""
    found = []
    for block in re.split(r"\n\s*\n", (markdown_text or "").strip()):
        block = block.strip()
        if not block:
            continue
        level = 0
        heading = re.match(r"^(#{1,6})\s+(.*)$", block, re.DOTALL)
        if heading:
            level, block = len(heading[1]), heading[2]
        block = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", block)
        block = re.sub(r"(\*\*|__|\*|_|`)", "", block)
        block = re.sub(r"^\s*[-*+]\s+", "・", block, flags=re.MULTILINE)
        found.append((level, block))
    return found


def citation_line(cited) -> str:
    """One cited issue as the documents (and pages) word it."""
    if cited.withdrawn:
        if cited.title_shown:
            return _("Withdrawn issue: %(title)s") % {"title": cited.submission.title}
        return _("Withdrawn issue")
    if cited.hidden:
        return _("(institution not disclosed)")
    return f"{cited.organisation}（{cited.block}）" if cited.block else str(cited.organisation)


def endorsement_line(content) -> str:
    if not content.endorsements_by_block:
        return _("No endorsement.")
    return "、".join(f"{block or '—'} {count}" for block, count in content.endorsements_by_block)


def _content(proposal):
    # The documents are public once submitted: the public's view of the citations.
    return selectors.by_theme(selectors.proposal_items(proposal, members_view=False))


def proposal_docx(proposal) -> bytes:
    document = WordDocument()
    document.core_properties.title = proposal.title
    document.styles["Normal"].font.size = Pt(BODY_SIZE)
    document.add_heading(proposal.title, level=0)
    for level, text in _blocks(proposal.front_matter):
        if level:
            document.add_heading(text, level=min(level + 1, 9))
        else:
            document.add_paragraph(text)
    number = 0
    for theme, contents in _content(proposal):
        document.add_heading(str(theme), level=1)
        for content in contents:
            number += 1
            document.add_heading(f"{number}. {content.item.title}", level=2)
            for text in re.split(r"\n\s*\n", content.item.text.strip()):
                if text.strip():
                    document.add_paragraph(text.strip())
            document.add_paragraph(_("Issues cited"), style="Heading 3")
            for cited in content.citations:
                document.add_paragraph(citation_line(cited), style="List Bullet")
            document.add_paragraph(_("Endorsements by block"), style="Heading 3")
            document.add_paragraph(endorsement_line(content))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def proposal_pdf(proposal) -> bytes:
    pdf = new_document(f"{proposal.title}")
    paragraph(pdf, proposal.title, size=HEADING_SIZE)
    pdf.ln(SECTION_GAP)
    for level, text in _blocks(proposal.front_matter):
        paragraph(pdf, text, size=ITEM_SIZE if level else BODY_SIZE)
        pdf.ln(2)
    number = 0
    for theme, contents in _content(proposal):
        pdf.ln(SECTION_GAP)
        paragraph(pdf, str(theme), size=THEME_SIZE)
        for content in contents:
            number += 1
            pdf.ln(3)
            paragraph(pdf, f"{number}. {content.item.title}", size=ITEM_SIZE)
            if content.item.text.strip():
                paragraph(pdf, content.item.text.strip())
            pdf.ln(1)
            paragraph(pdf, _("Issues cited"), size=SMALL_SIZE)
            for cited in content.citations:
                paragraph(pdf, f"・{citation_line(cited)}", size=SMALL_SIZE)
            paragraph(
                pdf, f"{_('Endorsements by block')}: {endorsement_line(content)}", size=SMALL_SIZE
            )
    return bytes(pdf.output())
