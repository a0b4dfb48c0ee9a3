"""Shared test helpers: factories for unions, users and roles, used by every app's tests."""

import io
from types import SimpleNamespace

import factory
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from .models import Union


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests")


def make_user(username: str, *, role: str | None = None, union: Union | None = None, **fields):
    """A user, with a role in `union` when given (role holders are staff, as role_grant makes them)."""
    from .services import role_grant

    fields.setdefault("is_staff", role is not None)
    user = UserFactory(username=username, **fields)
    if role is not None:
        role_grant(user=user, union=union, kind=role)  # by the system, as the demo seeder
    return user


def build_tree() -> SimpleNamespace:
    """city → district A (→ street A1 → grassroots A1g) and district B (→ grassroots Bg): two sibling subtrees."""
    add = Union.objects.add_child
    city = Union.objects.add_root({"name": "Test City Federation", "kind": Union.Kind.CITY})
    a = add(city, {"name": "District A", "kind": Union.Kind.DISTRICT})
    b = add(city, {"name": "District B", "kind": Union.Kind.DISTRICT})
    a1 = add(a, {"name": "Street A1", "kind": Union.Kind.STREET})
    a1g = add(a1, {"name": "Grassroots A1g", "kind": Union.Kind.GRASSROOTS})
    bg = add(b, {"name": "Grassroots Bg", "kind": Union.Kind.GRASSROOTS})
    return SimpleNamespace(city=city, a=a, b=b, a1=a1, a1g=a1g, bg=bg)


def image_upload(name: str = "photo.jpg", size=(640, 480), fmt: str = "JPEG", color=(200, 30, 30)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buf.getvalue(), content_type=content_type)


def bomb_upload(name: str = "bomb.png", side: int = 30000) -> SimpleUploadedFile:
    """A tiny PNG whose header claims side × side pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return SimpleUploadedFile(name, png, content_type="image/png")


def fake_image_upload(name: str = "photo.jpg") -> SimpleUploadedFile:
    """Not an image at all, only named like one."""
    return SimpleUploadedFile(name, b"MZ this is not an image " * 50, content_type="image/jpeg")


def seeded_for_module(django_db_blocker, media_root, seed=None):
    """Generator for a module-scoped fixture: runs `seed` (default: the whole `seed_demo`) once,
    yields, and rolls it all back after the module's last test. Each test still asks for `db`
    and rolls its own changes back, so the module's tests share the seed and never each other's
    writes: one seeding instead of one per test."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, WELFARE_PRIVATE_ROOT=media_root / "private"),
        transaction.atomic(),
    ):
        if seed is None:
            call_command("seed_demo", stdout=io.StringIO())
        else:
            seed()
        yield
        transaction.set_rollback(True)


def clear_caches() -> None:
    """Empty the shared cache and this process's copies of the page stamps
    (unionportal.core.pagecache): the next page renders from the database."""
    from django.core.cache import cache

    from . import pagecache

    cache.clear()
    pagecache.clear_local()
