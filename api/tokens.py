"""One's personal API tokens: list, create (the key shown once), revoke."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from . import serializers as sz
from . import services
from .models import ApiToken
from .views import ERRORS

AUTH_ERRORS = {**ERRORS, 401: sz.ErrorSerializer, 403: sz.ErrorSerializer}


@extend_schema(methods=["GET"], responses={200: sz.TokenSerializer(many=True), **AUTH_ERRORS}, tags=["tokens"])
@extend_schema(
    methods=["POST"],
    request=sz.TokenInSerializer,
    responses={201: sz.TokenCreatedSerializer, **AUTH_ERRORS},
    tags=["tokens"],
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def tokens(request: Request) -> Response:
    if request.method == "GET":
        qs = ApiToken.objects.filter(user=request.user)[:50]
        return Response(sz.TokenSerializer(qs, many=True).data)
    ser = sz.TokenInSerializer(data=request.data)
    ser.is_valid(raise_exception=True)
    token, key = services.token_create(name=ser.validated_data["name"], by=request.user)
    token.key = key
    return Response(sz.TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={200: sz.TokenSerializer, **AUTH_ERRORS}, tags=["tokens"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def token_revoke(request: Request, pk: int) -> Response:
    """Revoke one of one's tokens (someone else's is a 404)."""
    token = ApiToken.objects.filter(user=request.user, pk=pk).first()
    if token is None:
        raise Http404
    return Response(sz.TokenSerializer(services.token_revoke(token=token, by=request.user)).data)
