"""The admin scoping matrix: one record of every admin-registered model in union A's subtree,
the users of its sibling union B, and the checks that say whether an admin page leaked.

Every text of A's records carries TOKEN ("Qxazv ..."), so "nothing of A on the page" is a plain
substring test; records whose text cannot carry it (a ballot's hash, a file's masked ID
number) add their own markers. Records that belong to no union (shared vocabularies,
reference figures) are built too, so every admin URL is walked, but they are not A's: the
leak check does not apply to them.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from unionportal.core.models import Activity, AuditEntry, Role, Union
from unionportal.core.testing import make_user

TOKEN = "qxazv"  # in every text of A's records (as "Qxazv" in names), never in B's
B_ROLES = ["chair", "officer", "viewer", "judge", "welfare"]
# B's role holders, and a staff account with no role at all.
SIBLINGS = [*B_ROLES, "staff"]

# Shared records that officers of any union may change by design (the admin's docstring says so).
WRITABLE_BY_DESIGN = {"studios.FieldOfWork"}

# Patterns every ModelAdmin has; the rest of get_urls() are the admin's extra views.
STANDARD_PATTERNS = {
    "",
    "add/",
    "<path:object_id>/history/",
    "<path:object_id>/delete/",
    "<path:object_id>/change/",
    "<path:object_id>/",
}
# treebeard's views of the union admin: checked by their own tests (move, children).
TREE_PATTERNS = {"move/", "children/<str:parent_id>/"}


def admin_label(model) -> str:
    return model._meta.label


def registered():
    """(label, model, model_admin) of every model in the admin, in registration order."""
    return [(admin_label(m), m, ma) for m, ma in admin.site._registry.items()]


def extra_patterns(model_admin) -> list[str]:
    """The admin's own extra URL patterns (export, import, password...), not simple-history's version page."""
    out = []
    for p in model_admin.get_urls():
        s = str(p.pattern)
        if s in STANDARD_PATTERNS or s in TREE_PATTERNS or s.startswith("^"):
            continue
        out.append(s)
    return out


def has_simple_history(model) -> bool:
    return hasattr(model._meta, "simple_history_manager_attribute")


def superuser_request(user=None):
    """A superuser's request, for asking a ModelAdmin what it offers: `user`, or a stand-in
    that needs no database (enough for the scoped admins, not for Django's permission table)."""
    request = RequestFactory().get("/admin/")
    request.session = {}
    request.user = (
        user or type("Root", (AnonymousUser,), {"is_superuser": True, "is_authenticated": True, "is_active": True})()
    )
    return request


# --- The world: A's records -------------------------------------------------------------------------


@dataclass
class World:
    tree: SimpleNamespace
    users: dict  # "chair" ... "staff" of B, "root" the superuser
    a_users: dict  # A's own staff ("chair", "officer", ...)
    records: dict = field(default_factory=dict)  # label -> instance (A's, or a shared one)
    scoped: set = field(default_factory=set)  # labels whose record is A's
    markers: list = field(default_factory=list)  # extra byte strings that betray A's records
    id_number: str = ""

    def record(self, label: str):
        return self.records[label]

    def add(self, obj, *, scoped: bool = True):
        label = admin_label(type(obj))
        self.records[label] = obj
        if scoped:
            self.scoped.add(label)
        return obj


def _user(username: str, **kw):
    return make_user(username, **kw)


def build_world() -> World:
    """Union A's subtree with one record of every model, union B with its role holders."""
    from contests.models import (
        Ballot,
        Category,
        Contest,
        Criterion,
        Entry,
        JudgeAssignment,
        JudgeScore,
        Period,
        Team,
        TeamScore,
        Voter,
    )
    from stations import services as station_services
    from stations.models import (
        Amenity,
        AmenityDelivery,
        Award,
        DemandPoint,
        ExchangeVisit,
        Feedback,
        Inspection,
        InspectionItem,
        Station,
    )
    from studios import services as studio_services
    from studios.models import Achievement, FieldOfWork, Review, Studio, SupportRecord, YearTarget
    from welfare import identity
    from welfare import services as welfare_services
    from welfare.models import (
        AccessLog,
        Assistance,
        Campaign,
        CampaignItem,
        Employee,
        Handout,
        HandoutLine,
        MinimumLivingLine,
        Visit,
        YearlyCap,
    )

    add = Union.objects.add_child
    city = Union.objects.add_root({"name": "Matrix City Federation", "kind": Union.Kind.CITY})
    a = add(city, {"name": "Qxazv District", "kind": Union.Kind.DISTRICT, "region": "Qxazv Region"})
    b = add(city, {"name": "Bzz District", "kind": Union.Kind.DISTRICT})
    a1 = add(a, {"name": "Qxazv Street", "kind": Union.Kind.STREET})
    a1g = add(a1, {"name": "Qxazv Grassroots", "kind": Union.Kind.GRASSROOTS})
    bg = add(b, {"name": "Bzz Grassroots", "kind": Union.Kind.GRASSROOTS})
    tree = SimpleNamespace(city=city, a=a, b=b, a1=a1, a1g=a1g, bg=bg)

    users = {role: _user(f"bzz_{role}", role=role, union=b) for role in B_ROLES}
    users["staff"] = _user("bzz_staff", is_staff=True)
    users["root"] = _user("matrix_root", is_superuser=True, is_staff=True)
    a_users = {role: _user(f"qxazv_{role}", role=role, union=a, first_name=f"Qxazv {role}") for role in B_ROLES}
    a_users["voter"] = _user("qxazv_voter", first_name="Qxazv Voter")

    world = World(tree=tree, users=users, a_users=a_users)
    world.add(a)
    world.add(Role.objects.get(user=a_users["chair"], union=a))
    world.add(
        AuditEntry.objects.create(
            action=AuditEntry.Action.values[0], union=a, subject="Qxazv District", detail="Qxazv Street below"
        )
    )
    world.add(a_users["officer"])
    world.add(Group.objects.create(name="Matrix shared group"), scoped=False)
    world.add(
        Activity.objects.create(
            union=a,
            kind=Activity.Kind.values[0],
            title="Qxazv Lantern Activity",
            starts_at=timezone.now() + dt.timedelta(days=3),
            place="Qxazv Hall",
            organiser="Qxazv Organiser",
            created_by=a_users["officer"],
        )
    )

    # Failed sign-ins of A's users (django-axes) name A's accounts.
    from axes.models import AccessAttempt, AccessFailureLog
    from axes.models import AccessLog as AxesAccessLog

    common = {"user_agent": "qxazv-agent", "ip_address": "10.9.8.7", "username": "qxazv_officer", "http_accept": "*/*"}
    world.add(
        AccessAttempt.objects.create(
            **common, path_info="/qxazv-login/", get_data="", post_data="qxazv", failures_since_start=1
        )
    )
    world.add(AxesAccessLog.objects.create(**common, path_info="/qxazv-login/"))
    world.add(AccessFailureLog.objects.create(**common, path_info="/qxazv-login/"))

    # --- stations ---
    world.add(Amenity.objects.create(code="matrix-amenity", name="Matrix amenity"), scoped=False)
    defaults = {"kind": Station.Kind.OUTDOOR, "lat": 39.73, "lng": 116.14, "town": "Qxazv Town"}
    station = station_services.station_save(
        station=Station(
            union=a, name="Qxazv Harbour Station", is_public=False, status=Station.Status.PLANNED, **defaults
        )
    )
    guest = station_services.station_save(station=Station(union=a1, name="Qxazv Guest Station", **defaults))
    world.add(station)
    inspection = Inspection.objects.create(
        station=station,
        inspected_on=dt.date(2024, 5, 1),
        inspector=a_users["officer"],
        inspector_name="Qxazv Inspector",
    )
    InspectionItem.objects.create(inspection=inspection, item=Inspection.Item.values[0], passed=True, note="Qxazv note")
    world.add(inspection)
    world.add(
        AmenityDelivery.objects.create(
            station=station,
            amenity=world.record("stations.Amenity"),
            quantity=2,
            delivered_on=dt.date(2024, 5, 2),
            note="Qxazv delivery",
        )
    )
    world.add(Award.objects.create(station=station, level=Award.Level.values[0], year=2024, title="Qxazv Medal Award"))
    world.add(
        ExchangeVisit.objects.create(
            host=station, guest=guest, visited_on=dt.date(2024, 5, 3), participants=3, summary="Qxazv exchange"
        )
    )
    world.add(Feedback.objects.create(station=station, rating=2, message="Qxazv complaint", contact="qxazv contact"))
    world.add(DemandPoint.objects.create(union=a, name="Qxazv Depot Point", lat=39.7, lng=116.1, workers=5))

    # --- studios ---
    world.add(FieldOfWork.objects.create(name="Matrix field", slug="matrix-field"), scoped=False)
    studio = studio_services.studio_apply(
        union=a1,
        by=None,
        leader={"name": "Qxazv Leader"},
        name="Qxazv Forge Studio",
        slug="qxazv-forge",
        kind=Studio.Kind.values[0],
    )
    world.add(studio)
    world.add(studio.members.get())
    world.add(
        Achievement.objects.create(
            studio=studio, type=Achievement.Type.values[0], title="Qxazv Patent Achievement", date=dt.date(2024, 1, 1)
        )
    )
    YearTarget.objects.create(studio=studio, year=2024, target="Qxazv target", target_count=1)
    SupportRecord.objects.create(
        studio=studio, union=a, kind=SupportRecord.Kind.values[0], date=dt.date(2024, 1, 2), description="Qxazv support"
    )
    Review.objects.create(studio=studio, action=Review.Action.values[0], comment="Qxazv review", union=a)

    # --- contests ---
    now = timezone.now()
    contest = Contest.objects.create(
        union=a,
        slug="qxazv-derby",
        title="Qxazv Derby Contest",
        entry_opens=now - dt.timedelta(days=21),
        entry_closes=now - dt.timedelta(days=15),
        screening_closes=now - dt.timedelta(days=10),
        vote_opens=now - dt.timedelta(days=5),
        vote_closes=now + dt.timedelta(days=5),
        jury_closes=now + dt.timedelta(days=15),
        results_on=now + dt.timedelta(days=20),
    )
    world.add(contest)
    category = Category.objects.create(contest=contest, name="Qxazv Category", order=0)
    criterion = Criterion.objects.create(contest=contest, name="Qxazv Criterion", weight=100, max_score=100)
    entry = Entry.objects.create(
        contest=contest,
        category=category,
        title="Qxazv Gadget Entry",
        description="Qxazv description",
        status=Entry.Status.SUBMITTED,
        submitted_by=a_users["voter"],
    )
    entry.members.create(name="Qxazv Teammate", union=a1g, is_leader=True)
    world.add(entry)
    world.add(Voter.objects.create(user=a_users["voter"], union=a1g, verified=True))
    ballot_hash = "9a7e" + "c0ffee" * 10
    world.add(
        Ballot.objects.create(
            contest=contest,
            seq=1,
            voter=a_users["voter"],
            entry=entry,
            period="all",
            cast_at=now,
            prev_hash="0" * 64,
            hash=ballot_hash,
        )
    )
    world.markers.append(ballot_hash[:12])
    JudgeAssignment.objects.create(contest=contest, judge=a_users["judge"], home_union=a)
    world.add(JudgeScore.objects.create(entry=entry, judge=a_users["judge"], criterion=criterion, score=Decimal(77)))
    team = Team.objects.create(contest=contest, name="Qxazv Team", union=a, leader="Qxazv Captain")
    period = Period.objects.create(
        contest=contest, name="Qxazv Period", starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 1, 31)
    )
    world.add(TeamScore.objects.create(team=team, period=period, criterion=criterion, score=Decimal(50), note="Qxazv"))

    # --- welfare ---
    line_fields = {"region": "Qxazv Region", "year": timezone.localdate().year, "monthly_amount": Decimal(1000)}
    if any(f.name == "union" for f in MinimumLivingLine._meta.fields):
        world.add(MinimumLivingLine.objects.create(union=a, **line_fields))
    else:  # city-wide reference figures: not A's, but B's staff must not change them either
        world.add(MinimumLivingLine.objects.create(**(line_fields | {"region": "Matrix Region"})), scoped=False)
    world.id_number = identity.make_fictional("110105", dt.date(1971, 2, 3), 123)
    file = welfare_services.file_create(
        union=a1g,
        by=None,
        id_number=world.id_number,
        name="Qxazv Worker",
        phone="13900012345",
        address="Qxazv Lane 1",
        members=[{"relation": "self", "name": "Qxazv Worker", "yearly_income": 24000}],
    )
    world.add(file)
    # The masked number betrays the file; the clear one is left out: the search box echoes
    # what the user typed, and a look-up by it is searched for below.
    world.markers.append(file.id_number_masked)
    world.add(Visit.objects.create(union=a1g, file=file, occasion=Visit.Occasion.SPRING, visitors="Qxazv Visitor"))
    world.add(
        Assistance.objects.create(
            union=a1g, file=file, kind="living", amount=Decimal(300), funding_source="Qxazv fund", note="Qxazv aid"
        )
    )
    campaign = Campaign.objects.create(union=a, title="Qxazv Blanket Campaign", note="Qxazv")
    item = CampaignItem.objects.create(campaign=campaign, name="Qxazv Blanket", unit="pcs", received=5, stock=5)
    world.add(campaign)
    employee = Employee.objects.create(union=a1g, name="Qxazv Employee", staff_number="QXAZV-7", phone="13900054321")
    world.add(employee)
    handout = Handout.objects.create(
        union=a1g, campaign=campaign, employee=employee, confirmation=Handout.Confirmation.CODE, by=a_users["welfare"]
    )
    HandoutLine.objects.create(handout=handout, item=item, quantity=1)
    world.add(handout)
    world.add(YearlyCap.objects.create(union=a, year=2024, per_household=Decimal(3000)))
    world.add(
        AccessLog.objects.create(
            union=a1g,
            user=a_users["welfare"],
            username="qxazv_welfare",
            action=AccessLog.Action.VIEW,
            file=file,
            what="Qxazv Worker",
        )
    )

    # --- members ---
    from members import services as member_services
    from members.models import Member

    member = member_services.member_create(
        union=a1g, by=None, name="Qxazv Roster Member", email="qxazv.member@example.org", card_number="QXAZV-1"
    )
    world.add(member)
    mover = member_services.member_create(union=a1g, by=None, name="Qxazv Mover", card_number="QXAZV-2")
    world.add(member_services.transfer_release(member=mover, to_union=a1, by=None, note="Qxazv transfer"))
    assert Member.objects.filter(union=a1g).count() == 2
    return world


# --- What an answer may be --------------------------------------------------------------------------


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def a_change_links(world: World) -> list[bytes]:
    """The admin addresses of A's records: a page that links one betrays the record's id."""
    links = []
    for label in sorted(world.scoped):
        obj = world.records[label]
        opts = type(obj)._meta
        links.append(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/".encode())
    return links


CSRF_VALUE = re.compile(rb'(csrfmiddlewaretoken" value="|csrftoken=)[A-Za-z0-9]+')


def leaks(world: World, text: bytes) -> list[str]:
    """What of A's records the text shows."""
    found = []
    text = CSRF_VALUE.sub(b"", text)  # random letters that could spell anything
    for token in (TOKEN, TOKEN.capitalize(), TOKEN.upper()):
        if (i := text.find(token.encode())) >= 0:
            found.append(repr(text[max(0, i - 40) : i + 40].decode("utf-8", "replace")))
            break
    for marker in world.markers:
        if marker and marker.encode() in text:
            found.append(f"marker {marker!r}")
    for link in a_change_links(world):
        if link in text:
            found.append(f"link {link.decode()}")
    return found


def messages_of(response) -> list[str]:
    storage = getattr(response.wsgi_request, "_messages", None)
    return [str(m) for m in storage] if storage is not None else []


LOGIN_PATHS = ("/admin/login/", "/accounts/login/")


def verdict(world: World, response, *, also_ok_redirects: tuple[str, ...] = ()) -> str | None:
    """None when the answer is a refusal or a page without A's records; else what went wrong.

    Allowed: 403, 404, 405; a redirect to a login page or to the admin index (Django's answer for an
    object outside the user's queryset, the same as for a missing one) or to one of
    `also_ok_redirects` (a refused action returns to its changelist); 200 showing nothing of A.
    Messages queued for the next page count as part of the answer.
    """
    status = response.status_code
    problems = []
    for message in messages_of(response):
        if leaked := leaks(world, message.encode()):
            problems.append(f"message {message!r} shows {leaked[0]}")
    if status >= 500:
        return f"{status}"
    if status in (403, 404, 405):  # 405: a view that takes no POST (or no GET)
        pass
    elif status in (301, 302):
        location = response.get("Location", "")
        path = location.split("?")[0]
        allowed = (
            path.startswith(LOGIN_PATHS) or path == reverse("admin:index") or path in also_ok_redirects
        ) and not leaks(world, location.encode())
        if not allowed:
            problems.append(f"{status} to {location}")
    elif status == 200:
        if leaked := leaks(world, body_of(response)):
            problems.append(f"200 showing {', '.join(leaked[:3])}")
    else:
        problems.append(f"status {status}")
    return "; ".join(problems) or None


# --- Requests per URL kind ----------------------------------------------------------------------------


def admin_url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _resolve(obj, path: str):
    """The value of a search field such as "station__name" or "members__name" on obj."""
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
        if isinstance(value, models.Manager):
            value = value.first()
    return value


def search_terms(world: World, model_admin, obj) -> list[str]:
    """Words of A's record that its admin's search looks in, without the token (the search box
    echoes the query, so the token never goes into it)."""
    terms = []
    for field_name in model_admin.search_fields:
        value = _resolve(obj, field_name.lstrip("^=@"))
        words = [w for w in re.split(r"[\s_\-]+", str(value or "")) if len(w) >= 3 and TOKEN not in w.lower()]
        if words:
            terms.append(words[0])
    if admin_label(type(obj)) == "welfare.HardshipFile":
        terms.append(world.id_number)  # a look-up by a full ID number
    return list(dict.fromkeys(terms))[:2]  # none without search fields: ?q= would be ignored


def fk_fields(model):
    """Concrete foreign keys and many-to-many fields of a model."""
    return [f for f in model._meta.get_fields() if (f.many_to_one or f.many_to_many) and f.concrete and f.editable]


def related_record(world: World, field_obj):
    """A's record of the model a foreign key points at, if the world has one."""
    target = field_obj.remote_field.model
    label = admin_label(target)
    if label == "core.Union":
        return world.tree.a
    if label == admin_label(get_user_model()):
        return world.a_users["officer"]
    obj = world.records.get(label)
    if obj is None:
        # Records that are not in the admin themselves (a contest's category...): A's first one.
        obj = target._default_manager.order_by("pk").first()
    return obj


def autocomplete_fields_of(model) -> list[str]:
    """Foreign keys whose target has a searchable admin: Django's autocomplete answers for each."""
    out = []
    for f in fk_fields(model):
        target_admin = admin.site._registry.get(f.remote_field.model)
        if target_admin is not None and target_admin.search_fields:
            out.append(f.name)
    return out


def post_data(obj) -> dict:
    """A change form's data for obj, with every text changed: saving it would show."""
    data = {}
    for name, value in model_to_dict(obj).items():
        f = type(obj)._meta.get_field(name)
        if isinstance(f, models.FileField):
            continue
        if isinstance(f, (models.CharField, models.TextField)) and not f.choices and value:
            value = "hijacked" if isinstance(f, models.SlugField) else "HIJACKED"
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            data[name] = ""
        elif isinstance(value, (dt.date, dt.datetime)):
            data[name] = value.isoformat()
        elif hasattr(value, "pk"):
            data[name] = value.pk
        else:
            data[name] = value
    if isinstance(obj, Union):
        data |= {"_position": "first-child", "_ref_node_id": ""}
    return data | {"_save": "Save"}


def snapshot(obj):
    """The row of obj as stored now (None once deleted)."""
    return type(obj)._base_manager.filter(pk=obj.pk).values().first()


def action_data(name: str, pk) -> dict:
    return {"action": name, ACTION_CHECKBOX_NAME: [pk], "index": "0", "post": "yes", "select_across": "0"}


def export_data(model_admin, pk) -> dict:
    """An export form's data: CSV (readable here, unlike xlsx), every field, A's record selected."""
    formats = model_admin.get_export_formats()
    index = next((i for i, f in enumerate(formats) if f().get_title().lower() == "csv"), 0)
    form = model_admin.get_export_form_class()(formats, model_admin.get_export_resource_classes(superuser_request()))
    data = {"format": str(index), "resource": "0", "export_items": [pk]}
    for name, form_field in form.fields.items():
        if getattr(form_field, "is_selectable_field", False):
            data[name] = "on"
    return data


def shortcut_url(obj) -> str:
    ct = ContentType.objects.get_for_model(type(obj))
    return reverse("admin:view_on_site", args=[ct.pk, obj.pk])


def version_id(obj) -> int:
    if has_simple_history(type(obj)):
        record = getattr(obj, type(obj)._meta.simple_history_manager_attribute).order_by("-history_id").first()
        if record is not None:
            return record.history_id
    return 1


# --- One cell: a model's admin, a URL kind, a user -----------------------------------------------------


def _history_url(model, obj) -> str:
    return admin_url(model, "history", obj.pk)


def cell_kinds(model, model_admin) -> list[str]:
    kinds = ["changelist", "add", "change", "delete", "history", "shortcut", "actions"]
    if any(str(p.pattern) == r"^([^/]+)/history/([^/]+)/$" for p in model_admin.get_urls()):
        kinds.append("version")  # simple-history's page of one past version
    if autocomplete_fields_of(model):
        kinds.append("autocomplete")
    if extra_patterns(model_admin):
        kinds.append("extra")
    return kinds


class Walker:
    """Requests of one user on one model admin; collects what went wrong."""

    def __init__(self, world: World, client, model, model_admin):
        self.world, self.client, self.model, self.ma = world, client, model, model_admin
        self.label = admin_label(model)
        self.obj = world.record(self.label)
        self.changelist = admin_url(model, "changelist")
        self.problems: list[str] = []

    def _send(self, method: str, url: str, data=None):
        from django.db import transaction

        # Each request in its own savepoint: a database error in one (a 500) leaves the
        # connection usable for the next.
        with transaction.atomic():
            if method == "get":
                return self.client.get(url)
            return self.client.post(url, data or {})

    def request(self, method: str, what: str, url: str, data=None, *, redirects=()):
        if self.label in WRITABLE_BY_DESIGN:
            redirects = (*redirects, self.changelist)  # a saved change returns to the list
        before = snapshot(self.obj) if method == "post" else None
        response = self._send(method, url, data)
        problem = verdict(self.world, response, also_ok_redirects=redirects)
        if response.status_code >= 500 and getattr(response, "exc_info", None):
            problem = f"{problem} {response.exc_info[1]!r}"[:300]
        if method == "post" and self.label not in WRITABLE_BY_DESIGN and snapshot(self.obj) != before:
            after = snapshot(self.obj)
            changed = "deleted" if after is None else [k for k in before if before[k] != after.get(k)]
            problem = f"{problem + '; ' if problem else ''}changed A's record: {changed}"
        if problem:
            self.problems.append(f"{what} {method.upper()} {url}: {problem}")
        return response

    def run(self, kind: str) -> list[str]:
        getattr(self, f"kind_{kind}")()
        return self.problems

    def kind_changelist(self):
        self.request("get", "changelist", self.changelist)
        for term in search_terms(self.world, self.ma, self.obj):
            # A search may be refused by a redirect to the plain list (a full ID number in the address).
            url = f"{self.changelist}?{urlencode({'q': term})}"
            self.request("get", "search", url, redirects=(self.changelist,))

    def kind_add(self):
        url = admin_url(self.model, "add")
        self.request("get", "add", url)
        # Every key at once, as initial values of the form: a label beside a raw id box, a
        # chosen option or an autocomplete's preselection would show A's record.
        initial = {f.name: related.pk for f in fk_fields(self.model) if (related := related_record(self.world, f))}
        if initial:
            self.request("get", "add with initial keys", f"{url}?{urlencode(initial)}")

    def kind_change(self):
        url = admin_url(self.model, "change", self.obj.pk)
        self.request("get", "change", url)
        self.request("post", "change", url, post_data(self.obj))

    def kind_delete(self):
        url = admin_url(self.model, "delete", self.obj.pk)
        self.request("get", "delete", url)
        self.request("post", "delete", url, {"post": "yes"})

    def kind_history(self):
        self.request("get", "history", _history_url(self.model, self.obj))

    def kind_version(self):
        url = f"{_history_url(self.model, self.obj)}{version_id(self.obj)}/"
        self.request("get", "version", url)
        self.request("post", "version", url, post_data(self.obj))

    def kind_shortcut(self):
        self.request("get", "r/", shortcut_url(self.obj))

    def kind_autocomplete(self):
        opts = self.model._meta
        for name in autocomplete_fields_of(self.model):
            f = opts.get_field(name)
            related = related_record(self.world, f)
            target_admin = admin.site._registry[f.remote_field.model]
            # The empty term lists the first page of what the user may pick; with a handful of
            # rows, A's would be on it. The word of A's record exercises the admin's search.
            terms = search_terms(self.world, target_admin, related)[:1] if related is not None else []
            for term in ["", *terms]:
                query = {"app_label": opts.app_label, "model_name": opts.model_name, "field_name": name, "term": term}
                self.request("get", f"autocomplete {name}", f"{reverse('admin:autocomplete')}?{urlencode(query)}")

    def kind_actions(self):
        for name in self.ma.get_actions(superuser_request()):
            self.request(
                "post", f"action {name}", self.changelist, action_data(name, self.obj.pk), redirects=(self.changelist,)
            )

    def kind_extra(self):
        opts = self.model._meta
        for pattern in extra_patterns(self.ma):
            url = f"/admin/{opts.app_label}/{opts.model_name}/" + re.sub(r"<[^>]+>", str(self.obj.pk), pattern)
            self.request("get", pattern, url)
            if pattern == "export/":
                data = export_data(self.ma, self.obj.pk)
            elif pattern == "id-search/":
                data = {"id_number": self.world.id_number}  # A's worker, looked up by a full ID number
            else:
                data = {}
            response = self.request("post", pattern, url, data, redirects=(url, self.changelist))
            if response.status_code == 302 and response["Location"].startswith(self.changelist):
                # The list the view sends back to (e.g. the files an ID search found) is part of its answer.
                self.request("get", f"{pattern} then", response["Location"])
