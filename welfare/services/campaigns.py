"""Supply distributions (防疫物资发放): campaigns, their items, rosters and handouts.

A recipient gets at most the share per person of each item; more needs a chair's approval
with a reason (as for the yearly cap), kept on the handout.
"""

import base64
import binascii
import datetime as dt
import secrets

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.ids import parse_count, parse_id
from unionportal.core.images import CleanImage, clean_image
from unionportal.core.scoping import has_role

from .. import identity
from ..models import Campaign, CampaignItem, Employee, HandoutCode, HandoutLine
from ..models import Handout as HandoutModel
from ._common import CHAIR, require_welfare
from .storage import files_delete_on_commit

SIGNATURE_MAX_BYTES = 300 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_QUANTITY = 100_000


def signature_clean(data_url: str) -> CleanImage:
    """A signature drawn with signature_pad, sent as a PNG data URL: decode, check, re-encode."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError(_("The signature is missing; ask the recipient to sign on the screen."))
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature could not be read; please sign again."))
    if len(raw) > SIGNATURE_MAX_BYTES or not raw.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature could not be read; please sign again."))
    return clean_image(SimpleUploadedFile("signature.png", raw, content_type="image/png"))


def _code_hash(code: str) -> str:
    return identity.keyed_hash(code)


@transaction.atomic
def handout_code_issue(*, campaign: Campaign, employee: Employee, minutes: int = 15) -> str:
    """A six-digit one-time code for the recipient (shown or texted to them, stored hashed)."""
    code = f"{secrets.randbelow(10**6):06d}"
    HandoutCode.objects.filter(campaign=campaign, employee=employee, used_at__isnull=True).delete()
    HandoutCode.objects.create(
        campaign=campaign,
        employee=employee,
        code_hash=_code_hash(code),
        expires_at=timezone.now() + dt.timedelta(minutes=minutes),
    )
    return code


def quantities_parse(raw: dict) -> dict[int, int]:
    """{item id: quantity} from typed values ("²" and "-1" are refused, not a crash)."""
    wanted = {}
    for key, value in raw.items():
        pk = parse_id(key)
        text = str(value if value is not None else "").strip() or "0"
        quantity = parse_count(text, maximum=MAX_QUANTITY)
        if pk is None:
            raise ValidationError(_("Unknown item for this campaign."))
        if quantity is None:
            raise ValidationError(_("Quantities must be whole numbers, not negative."))
        if quantity:
            wanted[pk] = quantity
    return wanted


@transaction.atomic
def handout_record(
    *,
    campaign: Campaign,
    employee: Employee,
    quantities: dict,
    by: AbstractUser | None,
    signature: str = "",
    code: str = "",
    override_reason: str = "",
) -> HandoutModel:
    """Hand supplies to one recipient: confirmed, within the share, stock never below zero."""
    require_welfare(by, employee.union)
    if not employee.union.is_within(campaign.union):
        raise ValidationError(_("This employee is not covered by the campaign."))
    wanted = quantities_parse(quantities)
    if not wanted:
        raise ValidationError(_("Enter the quantity of at least one item."))
    items = {i.pk: i for i in campaign.items.filter(pk__in=wanted)}
    if len(items) != len(wanted):
        raise ValidationError(_("Unknown item for this campaign."))
    over = [items[pk] for pk, q in wanted.items() if q > items[pk].per_person]
    reason = (override_reason or "").strip()
    if over and not reason:
        item = over[0]
        raise ValidationError(
            _("The share of {item} is {share} {unit} per person; a chair may approve more with a reason.").format(
                item=item.name, share=item.per_person, unit=item.unit
            ),
            code="over_share",
        )
    if over and by is not None and not has_role(by, employee.union, CHAIR):
        raise PermissionDenied(_("Only a chair of the recipient's union or above may hand out more than the share."))
    if code:
        now = timezone.now()
        used = HandoutCode.objects.filter(
            campaign=campaign,
            employee=employee,
            # A code issued just before a key rotation is still accepted (keyed under the old key).
            code_hash__in=identity.keyed_hashes(code.strip()),
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
        if not used:
            raise ValidationError(_("The one-time code is wrong or has expired."))
        confirmation, image = HandoutModel.Confirmation.CODE, None
    else:
        confirmation, image = HandoutModel.Confirmation.SIGNATURE, signature_clean(signature)
    try:
        with transaction.atomic():
            handout = HandoutModel.objects.create(
                union_id=employee.union_id,
                campaign=campaign,
                employee=employee,
                confirmation=confirmation,
                signature=image.image if image else "",
                over_share_reason=reason if over else "",
                by=by,
            )
    except IntegrityError:
        raise ValidationError(_("{name} has already received this campaign's supplies.").format(name=employee.name))
    for pk, q in wanted.items():
        # The conditional UPDATE is atomic in the database: two handouts racing for the last
        # units cannot both pass the WHERE, so the stock never goes below zero.
        if not CampaignItem.objects.filter(pk=pk, stock__gte=q).update(stock=F("stock") - q):
            raise ValidationError(_("Not enough {item} left for this handout.").format(item=items[pk].name))
        HandoutLine.objects.create(handout=handout, item=items[pk], quantity=q)
    return handout


@transaction.atomic
def handout_delete(*, handout: HandoutModel, by: AbstractUser | None) -> None:
    """Undo a handout recorded by mistake: its units go back to stock, its signature is deleted."""
    require_welfare(by, handout.union)
    for line in handout.lines.all():
        CampaignItem.objects.filter(pk=line.item_id).update(stock=F("stock") + line.quantity)
    if handout.signature:
        files_delete_on_commit([(handout.signature.storage, handout.signature.name)])
    handout.delete()


@transaction.atomic
def campaign_receive(*, item: CampaignItem, quantity: int, by: AbstractUser | None = None) -> CampaignItem:
    """Stock received for an item."""
    require_welfare(by, item.campaign.union)
    if quantity <= 0:
        raise ValidationError(_("The quantity received must be positive."))
    CampaignItem.objects.filter(pk=item.pk).update(received=F("received") + quantity, stock=F("stock") + quantity)
    item.refresh_from_db()
    return item


@transaction.atomic
def campaign_save(*, campaign: Campaign, by: AbstractUser | None) -> Campaign:
    """Create or edit a campaign (title, dates, note) of a union the user serves."""
    require_welfare(by, campaign.union)
    if campaign.pk:
        before = Campaign.objects.select_related("union").get(pk=campaign.pk)
        require_welfare(by, before.union)
        if before.union_id != campaign.union_id and campaign.handouts.exists():
            raise ValidationError(_("A campaign with handouts cannot move to another union."))
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, by: AbstractUser | None) -> None:
    require_welfare(by, campaign.union)
    if campaign.handouts.exists():
        raise ValidationError(_("A campaign with handouts cannot be deleted."))
    campaign.delete()


@transaction.atomic
def item_save(*, item: CampaignItem, by: AbstractUser | None) -> CampaignItem:
    """Add or edit a campaign item. Stock is counted by the service: a new item's stock is what
    was received; an edit of the received quantity moves the stock by the same difference."""
    require_welfare(by, item.campaign.union)
    if item.pk:
        before = CampaignItem.objects.get(pk=item.pk)
        item.stock = before.stock + (item.received - before.received)
    else:
        item.stock = item.received
    if item.stock < 0:
        raise ValidationError(_("More of {item} was handed out than this quantity received.").format(item=item.name))
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_delete(*, item: CampaignItem, by: AbstractUser | None) -> None:
    require_welfare(by, item.campaign.union)
    if item.lines.exists():
        raise ValidationError(_("An item already handed out cannot be deleted."))
    item.delete()


@transaction.atomic
def employee_save(*, employee: Employee, by: AbstractUser | None) -> Employee:
    """Add or edit an employee of a unit's roster."""
    require_welfare(by, employee.union)
    if employee.pk:
        require_welfare(by, Employee.objects.select_related("union").get(pk=employee.pk).union)
    employee.full_clean()
    employee.save()
    return employee


@transaction.atomic
def employee_delete(*, employee: Employee, by: AbstractUser | None) -> None:
    require_welfare(by, employee.union)
    if employee.handouts.exists():
        raise ValidationError(_("An employee who received supplies cannot be deleted."))
    employee.delete()
