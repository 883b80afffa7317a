import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    corporate_number_check_digit,
    validate_corporate_number,
    validate_postal_code,
)

# Published corporate numbers: 国税庁 and 経済産業省.
KNOWN = ["7000012050002", "4000012090001"]


@pytest.mark.parametrize("number", KNOWN)
def test_known_corporate_numbers_are_valid(number):
    assert corporate_number_check_digit(number[1:]) == int(number[0])
    validate_corporate_number(number)


@pytest.mark.parametrize(
    "number", ["8000012050002", "700001205000", "70000120500021", "T700001205000"]
)
def test_wrong_corporate_numbers_are_refused(number):
    with pytest.raises(ValidationError):
        validate_corporate_number(number)


def test_postal_code_is_seven_digits():
    validate_postal_code("9200223")
    for bad in ("920-0223", "92002", "abcdefg"):
        with pytest.raises(ValidationError):
            validate_postal_code(bad)
