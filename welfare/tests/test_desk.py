"""Issue #11 ("Desk first") without a browser: ISO date widgets, campaign desk pages, the desk's main button."""

import datetime as dt

import pytest
from django import forms as django_forms
from django.utils import translation

from welfare import forms

DAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("form_class", "names"),
    [
        (forms.AssistanceForm, ["date"]),
        (forms.VisitForm, ["date", "next_follow_up"]),
        (forms.PeriodForm, ["start", "end"]),
    ],
)
def test_date_widgets_render_iso_in_chinese(form_class, names):
    """`<input type=date>` drops 2026/11/30 (zh-hans's first input format): render ISO."""
    for name in names:
        field = form_class.base_fields[name]
        widget = field.widget
        assert isinstance(widget, django_forms.DateInput)
        with translation.override("zh-hans"):
            html = widget.render(name, DAY)
        assert 'value="2026-11-30"' in html, html
        with translation.override("zh-hans"):
            assert field.clean("2026-11-30") == DAY


SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


def test_handout_error_page_keeps_the_signature_and_only_a_png_data_url(client, welfare_a, campaign):
    c, item, employees = campaign
    client.force_login(welfare_a)
    url = f"/desk/welfare/campaigns/{c.pk}/handout/{employees[0].pk}/"
    response = client.post(url, {f"item_{item.pk}": "0", "signature": SIGNATURE})
    assert response.status_code == 200
    assert f'value="{SIGNATURE}"' in response.content.decode()
    response = client.post(url, {f"item_{item.pk}": "0", "signature": '"><script>x</script>'})
    assert 'id="signature" value=""' in response.content.decode()
