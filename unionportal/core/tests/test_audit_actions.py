"""Every code the backup, restore and rotate_keys commands write to the audit log is a choice,
shown in Chinese (an unlisted code shows raw in the back office)."""

import re
from pathlib import Path

from django.utils import translation

from unionportal.core import backup
from unionportal.core.models import AuditEntry


def test_backup_audit_codes_are_translated_choices():
    codes = set(re.findall(r'action="([a-z_]+)"', Path(backup.__file__).read_text()))
    assert codes == {"backup", "restore", "key_rotate"}
    assert codes <= set(AuditEntry.Action.values)
    with translation.override("zh-hans"):
        for code in codes:
            label = str(AuditEntry.Action(code).label)
            assert not re.search("[A-Za-z]", label), (code, label)
