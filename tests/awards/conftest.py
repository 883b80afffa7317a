import pytest

from tests import factories


@pytest.fixture
def edition(db):
    """This year's edition with its call open (and third-party nominations too)."""
    return factories.make_edition()


@pytest.fixture
def judging_edition(db):
    """An edition whose call has closed and whose first round (書類審査) is open."""
    return factories.make_edition(2026, phase="judging")


@pytest.fixture
def first_round(judging_edition):
    return judging_edition.rounds.order_by("order").first()


@pytest.fixture
def judgeship(judging_edition, judge):
    """The `judge` user as a judge of the judging edition."""
    return factories.make_judge(judging_edition, judge)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Attachments land in a temporary directory, not in the checkout."""
    settings.MEDIA_ROOT = tmp_path
