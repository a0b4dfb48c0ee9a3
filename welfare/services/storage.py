"""Stored files of personal data (visit photos, signatures): removed once the rows are gone."""

import contextlib

from django.db import transaction


def files_delete_on_commit(names) -> None:
    """Delete (storage, name) pairs after the transaction commits (a rollback keeps them)."""
    names = [(storage, name) for storage, name in names if name]

    def delete() -> None:
        for storage, name in names:
            with contextlib.suppress(OSError):  # already gone
                storage.delete(name)

    if names:
        transaction.on_commit(delete)
