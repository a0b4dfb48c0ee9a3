"""The Chinese the core, studios and contests wrote is the Chinese users read.

Django merges every app's catalogue into one: the root locale/ first, then the apps in
INSTALLED_APPS order. A msgid two apps translate differently shows the first app's
translation everywhere ("National" read 全国 on studio achievements, where 国家级 is meant),
unless one of them gives it a context (pgettext).
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from contests.forms import ScreeningForm
from studios.models import Achievement, Studio

CATALOGUES = ["locale", "studios/locale", "contests/locale"]


def _entries(po: Path):
    """(context, msgid, msgstr) of each translated singular entry."""
    for block in po.read_text("utf-8").split("\n\n"):
        if "msgid_plural" in block or block.startswith("#~"):
            continue

        def field(name, block=block):
            m = re.search(rf"^{name} ((?:\".*\"\n?)+)", block + "\n", re.M)
            return "".join(re.findall(r"\"(.*)\"", m.group(1))).replace('\\"', '"') if m else None

        msgid, msgstr = field("msgid"), field("msgstr")
        if msgid and msgstr and "\\" not in msgid:
            yield field("msgctxt"), msgid, msgstr


@pytest.mark.parametrize("catalogue", CATALOGUES)
def test_no_other_catalogue_overrides_our_translations(catalogue):
    po = Path(settings.BASE_DIR) / catalogue / "zh_Hans/LC_MESSAGES/django.po"
    wrong = []
    with translation.override("zh-hans"):
        for ctx, msgid, msgstr in _entries(po):
            shown = translation.pgettext(ctx, msgid) if ctx else translation.gettext(msgid)
            if shown != msgstr:
                wrong.append(f"{ctx or ''}|{msgid}: wants {msgstr}, shows {shown}")
    assert not wrong, "give these a pgettext context or the same translation:\n" + "\n".join(wrong)


def test_one_word_two_meanings_get_their_own_chinese():
    with translation.override("zh-hans"):
        assert str(Achievement.Level.NATIONAL.label) == "国家级"  # the stations' awards say 全国
        assert str(Studio._meta.get_field("founded_on").verbose_name) == "成立日期"  # stations: 建成日期
        assert str(Studio.Level.ENTERPRISE.label) == "企业级"
        assert dict(ScreeningForm().fields["decision"].choices)["reject"] == "不通过"


def test_axes_back_office_speaks_chinese(client, superuser):
    client.force_login(superuser)
    client.cookies["django_language"] = "zh-hans"
    index = client.get("/admin/").content.decode()
    assert "登录锁定" in index and "Axes" not in index
    page = client.get("/admin/axes/accessattempt/").content.decode()
    assert "访问尝试" in page
    assert not re.search(r"\b(Attempt Time|Failed Logins|User Agent|Locked Out)\b", page)
