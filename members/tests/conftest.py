import pytest

from members.models import Member


@pytest.fixture
def make_member(tree):
    """make_member(union=..., name=..., phone=...): a roster entry written straight to the table."""
    counter = {"n": 0}

    def make(**fields) -> Member:
        counter["n"] += 1
        defaults = {
            "union": tree.a1g,
            "name": f"Member {counter['n']}",
            "phone": f"1380000{counter['n']:04d}",
            "card_number": f"C{counter['n']:06d}",
        }
        return Member.objects.create(**(defaults | fields))

    return make
