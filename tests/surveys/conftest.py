import pytest

from tests import factories

ALL_KINDS = [
    {"code": "Q1", "kind": "single", "options": ["大きかった", "あった", "その他*"]},
    {
        "code": "Q2",
        "kind": "multiple",
        "options": ["情報提供", "アワード", "交流", "その他*"],
        "max_choices": 3,
    },
    {"code": "Q3", "kind": "short_text", "required": False},
    {"code": "Q4", "kind": "long_text", "required": False},
    {
        "code": "Q5",
        "kind": "rating",
        "options": [("良い", 3), ("普通", 2), ("悪い", 1), "その他*"],
    },
    {"code": "Q6", "kind": "number", "minimum": 0, "maximum": 100, "unit": "%", "required": False},
    {
        "code": "Q7",
        "kind": "breakdown",
        "options": ["プロパー", "出向", "その他"],
        "required": False,
    },
]


@pytest.fixture
def survey(db):
    return factories.make_survey(ALL_KINDS)
