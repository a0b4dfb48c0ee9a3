import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from unionportal.core.models import Activity, ActivityPhoto
from unionportal.core.testing import bomb_upload, fake_image_upload, image_upload


def _post(client, union, **overrides):
    data = {
        "union": union.pk,
        "kind": "study",
        "title": "Study of the congress report",
        "starts_at": "2022-11-18T14:00",
        "place": "Centre",
        "participants": "45",
        "organiser": "Street union",
        "summary": "We studied.",
        "save_draft": "1",
    } | overrides
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(reverse("core:activity_create"), data)


def test_officer_logs_a_draft_with_photo_then_publishes(client, tree, officer_a):
    client.force_login(officer_a)
    response = _post(client, tree.a1, photos=[image_upload(), image_upload("b.png", fmt="PNG")])
    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.status == Activity.Status.DRAFT and activity.created_by == officer_a
    assert activity.starts_at == timezone.make_aware(dt.datetime(2022, 11, 18, 14, 0))
    assert activity.photos.count() == 2
    client.logout()
    assert activity.title not in client.get(reverse("core:activity_feed")).content.decode()
    assert client.get(activity.get_absolute_url()).status_code == 404

    client.force_login(officer_a)
    client.post(reverse("core:activity_publish", args=[activity.pk]))
    client.logout()
    feed = client.get(reverse("core:activity_feed")).content.decode()
    assert activity.title in feed
    assert client.get(activity.get_absolute_url()).status_code == 200


def test_publish_button_publishes_at_once(client, tree, officer_a):
    client.force_login(officer_a)
    _post(client, tree.a, publish="1", save_draft=None)
    assert Activity.objects.get().is_published


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"photos": [fake_image_upload()]}, "This file is not a JPEG, PNG or WEBP image, or it is damaged."),
        ({"photos": [image_upload(), bomb_upload()]}, "The image has too many pixels."),
        ({"title": "x" * 121}, "Ensure this value has at most 120 characters (it has 121)."),
        ({"starts_at": "18/11/2022 2pm"}, "Enter a valid date/time."),
        ({"participants": "-3"}, "Ensure this value is greater than or equal to 0."),
    ],
    ids=["renamed-non-image", "decompression-bomb", "over-long-title", "date-wrong-format", "negative"],
)
def test_bad_input_saves_nothing(client, tree, officer_a, overrides, field_error):
    client.force_login(officer_a)
    response = _post(client, tree.a, **overrides)
    assert response.status_code == 200
    assert field_error in response.content.decode()
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()


def test_bad_input_message_is_chinese(client, tree, officer_a):
    client.force_login(officer_a)
    client.cookies["django_language"] = "zh-hans"
    page = _post(client, tree.a, title="x" * 121, starts_at="2022-13-45", photos=[fake_image_upload()]).content.decode()
    assert "请更正下面的错误" in page
    assert "不是 JPEG、PNG 或 WEBP 图片" in page
    assert "确保该变量包含不超过 120 字符" in page
    assert "输入一个有效的日期/时间" in page
    assert not Activity.objects.exists()


def test_union_outside_scope_refused(client, tree, officer_a):
    client.force_login(officer_a)
    response = _post(client, tree.b)
    assert response.status_code == 200 and not Activity.objects.exists()


def _bulk(union, n):
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(
            union=union,
            kind="study",
            title=f"A{i}",
            starts_at=now - dt.timedelta(hours=i),
            status="published",
            published_at=now,
        )
        for i in range(n)
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_feed_and_desk_query_counts_do_not_grow(client, tree, officer_a):
    client.force_login(officer_a)
    urls = [reverse("core:activity_feed"), reverse("core:desk"), reverse("core:activity_list")]
    _bulk(tree.a1, 10)
    for url in urls:  # warm up: desk cards may cache their counts (the roster's does)
        client.get(url)
    with_10 = [_count(client, url) for url in urls]
    _bulk(tree.a1, 990)
    with_1000 = [_count(client, url) for url in urls]
    assert with_10 == with_1000


def test_feed_query_count(client, tree, django_assert_num_queries):
    _bulk(tree.a1, 30)
    # 1 the feed's freshness stamp (pagecache.kept, then kept a few seconds), 2 count for the
    # paginator, 3 activities JOIN union and what they are about, 4 photos prefetch
    with django_assert_num_queries(4):
        client.get(reverse("core:activity_feed"))
