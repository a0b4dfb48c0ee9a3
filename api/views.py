"""The public read API (/api/v1/): stations, studios, contests and the activity feed.

Reads go through the apps' selectors; query parameters are validated strictly (400 JSON)."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers as s
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from contests import selectors as contest_selectors
from contests.models import Contest
from stations import selectors as station_selectors
from stations import services as station_services
from stations.amenities import CODES
from stations.geo import wgs84_to_gcj02
from stations.hours import open_state
from stations.models import Station
from studios import selectors as studio_selectors
from unionportal.core import pagecache
from unionportal.core import selectors as core_selectors
from unionportal.core.http import client_ip, rate_limited

from . import serializers as sz
from .pagination import Pagination
from .throttles import CheckinThrottle

ERRORS = {400: sz.ErrorSerializer, 404: sz.ErrorSerializer, 429: sz.ErrorSerializer}
PAGE_PARAMS = [
    OpenApiParameter("page", int, description="1, 2, ..."),
    OpenApiParameter("page_size", int, description="1-100"),
]


def paged(item) -> s.Serializer:
    """The response schema of a page: {count, next, previous, results: [item]}."""
    return inline_serializer(
        name=f"Paginated{item.__name__.removesuffix('Serializer')}List",
        fields={
            "count": s.IntegerField(),
            "next": s.CharField(allow_null=True),
            "previous": s.CharField(allow_null=True),
            "results": item(many=True),
        },
    )


def _query(serializer_class, request: Request, many: tuple[str, ...] = ()):
    data = {k: v for k, v in request.query_params.items() if k not in many}
    for key in many:
        if key in request.query_params:
            data[key] = request.query_params.getlist(key)
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    return ser


def _paginated(request: Request, qs, serializer_class, decorate=None, context=None) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(qs, request)
    if decorate:
        decorate(page)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


# --- Stations ------------------------------------------------------------------------------


@extend_schema(
    operation_id="stations_list",
    parameters=[sz.StationFilterSerializer, *PAGE_PARAMS],
    responses={200: paged(sz.StationSerializer), **ERRORS},
    tags=["stations"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def station_list(request: Request) -> Response:
    """Public stations, filtered as the finder (kind, amenity, open_now, town, q)."""
    filters = _query(sz.StationFilterSerializer, request, many=("amenity",)).to_filters()
    now = timezone.localtime()
    qs = station_selectors.stations_filtered(Station.objects.public(), filters=filters, now=now)
    qs = station_selectors.stations_listed(qs)
    return _paginated(request, qs, sz.StationSerializer, lambda page: station_selectors.stations_decorate(page, now))


def _hours_block(station: Station, now) -> dict:
    state = open_state(station, now)
    return {
        "open_24h": station.open_24h,
        "open_now": state.is_open,
        "closes_at": state.closes_at,
        "opens_at": state.opens_at,
        "weekly": list(station.hours.all()),
        "exceptions": [e for e in station.exceptions.all() if e.date >= now.date()],
    }


def _station(request: Request, pk: int) -> Station:
    station = station_selectors.station_page(user=request.user, pk=pk)
    if station is None:
        raise Http404
    return station


# Anonymous answers about public stations are kept in the page cache (unionportal.core.pagecache)
# and served from it before DRF runs: no throttle count and no query for a repeat answer, made
# again when a station changes (its writers forget the stamps) and every minute ("open now").
_station_cached = pagecache.page("api-station", lambda request, pk: station_selectors.page_cache_stamp(pk), ttl=120)


@_station_cached
@extend_schema(responses={200: sz.StationDetailSerializer, **ERRORS}, tags=["stations"])
@api_view(["GET"])
@permission_classes([AllowAny])
def station_detail(request: Request, pk: int) -> Response:
    """One public station (a non-public one only for its union's subtree), with its hours."""
    now = timezone.localtime()
    station = _station(request, pk)
    station_selectors.stations_decorate([station], now)
    station.gcj = wgs84_to_gcj02(station.lat, station.lng)
    station.hours_block = _hours_block(station, now)
    return Response(sz.StationDetailSerializer(station).data)


@_station_cached
@extend_schema(responses={200: sz.HoursSerializer, **ERRORS}, tags=["stations"])
@api_view(["GET"])
@permission_classes([AllowAny])
def station_hours(request: Request, pk: int) -> Response:
    """The weekly hours, the coming exceptions and whether the station is open now."""
    now = timezone.localtime()
    return Response(sz.HoursSerializer(_hours_block(_station(request, pk), now)).data)


@pagecache.page(
    "api-nearby",
    lambda request: (station_selectors.map_stamp(), pagecache.bucket(station_selectors.MAP_MAX_AGE)),
    params={
        "lat": pagecache.decimal,
        "lng": pagecache.decimal,
        "radius": pagecache.number,
        "limit": pagecache.number,
        "amenity": pagecache.choice(*CODES),  # one amenity (several: made for the request)
        "open_now": pagecache.choice("true", "false", "1", "0"),
    },
    fresh=station_selectors.MAP_MAX_AGE,
)
@extend_schema(
    parameters=[sz.NearbySerializer], responses={200: sz.NearbyResultSerializer, **ERRORS}, tags=["stations"]
)
@api_view(["GET"])
@permission_classes([AllowAny])
def station_nearby(request: Request) -> Response:
    """The public stations nearest to lat/lng within `radius` metres, nearest first."""
    p = _query(sz.NearbySerializer, request, many=("amenity",)).validated_data
    hits = station_selectors.nearby_public(
        lat=p["lat"], lng=p["lng"], limit=p["limit"], amenities=p.get("amenity", []), open_now=p["open_now"]
    )
    results = [
        {
            "id": h.station.pk,
            "name": h.station.name,
            "kind": h.station.kind,
            "lat": h.station.lat,
            "lng": h.station.lng,
            "distance_m": round(h.distance_m, 1),
            "open_now": h.open_now,
            "amenities": h.amenities,
            "url": h.station.get_absolute_url(),
        }
        for h in hits
        if h.distance_m <= p["radius"]
    ]
    return Response({"results": results})


@extend_schema(request=None, responses={200: sz.CheckinSerializer, **ERRORS}, tags=["stations"])
@api_view(["POST"])
@permission_classes([AllowAny])
@throttle_classes([CheckinThrottle])
def station_checkin(request: Request, pk: int) -> Response:
    """A check-in after scanning the station's QR code; once per half hour per device and station."""
    station = _station(request, pk)
    if rate_limited(request, scope=f"stations-checkin:{station.pk}", limit=1, window=1800):
        return Response({"checked_in": False, "station": station.pk})
    station_services.checkin_record(station=station, ip=client_ip(request))
    return Response({"checked_in": True, "station": station.pk})


# --- Studios -------------------------------------------------------------------------------


@extend_schema(
    operation_id="studios_list",
    parameters=[sz.StudioFilterSerializer, *PAGE_PARAMS],
    responses={200: paged(sz.StudioSerializer), **ERRORS},
    tags=["studios"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def studio_list(request: Request) -> Response:
    """Public innovation studios (q, kind, level)."""
    filters = _query(sz.StudioFilterSerializer, request).validated_data
    qs = studio_selectors.public_studios(filters=filters, unions=[])
    return _paginated(request, qs, sz.StudioSerializer)


@extend_schema(responses={200: sz.StudioProfileSerializer, **ERRORS}, tags=["studios"])
@api_view(["GET"])
@permission_classes([AllowAny])
def studio_profile(request: Request, slug: str) -> Response:
    """A studio's public profile with its computed counts (IP results, patents, standards)."""
    profile = studio_selectors.public_profile(slug=slug)
    if profile is None:
        raise Http404
    return Response(sz.StudioProfileSerializer(profile).data)


# --- Contests ------------------------------------------------------------------------------


@extend_schema(
    operation_id="contests_list",
    parameters=PAGE_PARAMS,
    responses={200: paged(sz.ContestSerializer), **ERRORS},
    tags=["contests"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def contest_list(request: Request) -> Response:
    """Contests, newest vote first."""
    qs = Contest.objects.select_related("union").open_or_past()
    return _paginated(request, qs, sz.ContestSerializer, context={"now": timezone.now()})


def _contest(slug: str) -> Contest:
    contest = Contest.objects.select_related("union").prefetch_related("categories").filter(slug=slug).first()
    if contest is None:
        raise Http404
    return contest


@extend_schema(responses={200: sz.ContestDetailSerializer, **ERRORS}, tags=["contests"])
@api_view(["GET"])
@permission_classes([AllowAny])
def contest_detail(request: Request, slug: str) -> Response:
    contest = _contest(slug)
    return Response(sz.ContestDetailSerializer(contest, context={"now": timezone.now()}).data)


@extend_schema(responses={200: sz.ResultsSerializer, **ERRORS}, tags=["contests"])
@api_view(["GET"])
@permission_classes([AllowAny])
def contest_results(request: Request, slug: str) -> Response:
    """The published ranking per category; 404 (code not_published) until the results are out."""
    contest = _contest(slug)
    if contest.is_labour or not contest.results_published:
        return Response(
            {"code": "not_published", "message": _("The results are not published.")},
            status=404,
        )
    ranking = contest_selectors.ranking(contest=contest)
    return Response(
        {
            "contest": contest.slug,
            "categories": [
                {"category": category.name, "entries": sz.ResultEntrySerializer(entries, many=True).data}
                for category, entries in ranking
            ],
        }
    )


# --- Activity feed -------------------------------------------------------------------------


@extend_schema(
    operation_id="activities_list",
    parameters=[sz.ActivityFilterSerializer, *PAGE_PARAMS],
    responses={200: paged(sz.ActivitySerializer), **ERRORS},
    tags=["activities"],
)
@api_view(["GET"])
@permission_classes([AllowAny])
def activity_list(request: Request) -> Response:
    """Published activities, newest first."""
    kind = _query(sz.ActivityFilterSerializer, request).validated_data.get("kind")
    return _paginated(request, core_selectors.activity_feed(kind=kind), sz.ActivitySerializer)
