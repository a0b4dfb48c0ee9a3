"""Derived data of studios, kept by every writer: search text, page stamps, slugs, stored files."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.text import slugify

from unionportal.core import pagecache
from unionportal.core.text import pinyin_full, pinyin_initials

from ..models import Member, Studio

RESERVED_SLUGS = {"desk"}  # /studios/desk/ is the staff desk


def studio_search_text(*, name: str, leader: str) -> str:
    parts = [name, leader, pinyin_initials(name), pinyin_initials(leader), pinyin_full(leader), pinyin_full(name)]
    return " ".join(p for p in parts if p).lower()[:400]


def studio_reindex(*, studio: Studio) -> Studio:
    """Refresh the search text (name, leader, pinyin) after the name or the leader changed."""
    leader = studio.members.filter(role=Member.Role.LEADER).values_list("name", flat=True).first() or ""
    studio.search_text = studio_search_text(name=studio.name, leader=leader)
    studio.updated_at = timezone.now()
    Studio.objects.filter(pk=studio.pk).update(search_text=studio.search_text, updated_at=studio.updated_at)
    page_forget(slugs=[studio.slug])
    return studio


def studio_touch(*, studio_ids: Iterable[int]) -> None:
    """Mark studios changed (their public pages are cached by `updated_at`) and forget their
    pages' kept stamps, so the change shows on the next request."""
    ids = [pk for pk in studio_ids if pk is not None]
    if ids:
        Studio.objects.filter(pk__in=ids).update(updated_at=timezone.now())
        page_forget(slugs=Studio.objects.filter(pk__in=ids).values_list("slug", flat=True))


def page_forget(*, slugs: Iterable[str]) -> None:
    """Forget the kept page-cache stamps of these studios' profiles and of the public list."""
    pagecache.forget("studios-list", *(f"studio-slug:{slug}" for slug in slugs))


def page_changed(*, pk: int) -> None:
    """What a studio's profile shows from elsewhere changed (e.g. an activity linked to it was
    published, edited or withdrawn by unionportal.core.services): move the profile's stamp."""
    studio_touch(studio_ids=[pk])
    pagecache.forget(f"studio:{pk}")


def studio_unique_slug(*, name: str) -> str:
    base = slugify(pinyin_full(name).replace(" ", "-"))[:60] or "studio"
    slug, n = base, 2
    while slug in RESERVED_SLUGS or Studio.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def delete_files_on_commit(*files: FieldFile) -> None:
    """Remove stored files of a deleted record once its deletion is committed."""
    names = [(f.storage, f.name) for f in files if f]

    def remove():
        for storage, name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(remove)
