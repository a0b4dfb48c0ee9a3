import pytest
from django.core.exceptions import ValidationError

from welfare import identity

VALID = "11010519491231002X"  # GB 11643's worked example


def test_valid_number_passes_and_is_normalised():
    assert identity.validate_id_number(" 11010519491231002x ") == VALID


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1101051949123100", "An ID number has 18 characters; this one has 16."),
        ("1101051949123100AX", "An ID number is 17 digits followed by a digit or X."),
        ("110105194913310027", "The date of birth in this ID number does not exist."),
        ("110105194912310021", "The last character of this ID number does not match its checksum"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(value, message):
    with pytest.raises(ValidationError) as e:
        identity.validate_id_number(value)
    assert message in e.value.messages[0]


def test_mask_keeps_three_and_four():
    assert identity.mask(VALID) == "110***********002X"


def test_mask_name():
    assert identity.mask_name("王建国") == "王*国"
    assert identity.mask_name("张明") == "张*"
    assert identity.mask_name("欧阳建国") == "欧**国"
    assert identity.mask_name(" 李 ") == "李"
    assert identity.mask_name("") == ""


def test_encryption_round_trip_and_keyed_hash(settings):
    token = identity.encrypt(VALID)
    assert VALID not in token
    assert identity.decrypt(token) == VALID
    digest = identity.lookup_hash(VALID)
    assert digest == identity.lookup_hash(VALID.lower())
    settings.WELFARE_DATA_KEY = "another key"
    assert identity.lookup_hash(VALID) != digest
    assert identity.decrypt(token) == ""  # another key cannot read it


def test_fictional_numbers_validate():
    import datetime as dt

    for seq in range(50):
        identity.validate_id_number(identity.make_fictional("110106", dt.date(1980, 5, 17), seq))
