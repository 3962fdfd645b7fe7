"""The charter of demands as a formal letter (PDF), in Bengali or English.

The page, its fonts and its text shaping are `samiti.core.pdf`'s, shared with every app that prints.
"""

import datetime

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from samiti.core.bengali import to_bengali_digits
from samiti.core.pdf import SamitiPDF
from samiti.registry.models import Area, CommitteeOffice, Organisation
from samiti.voice.models import Charter
from samiti.voice.services.charters import charter_lines, charter_totals

# Columns of the demands table: priority, demand, endorsements, women, minority, disability, households.
WIDTHS = (10, 54, 26, 18, 20, 20, 22)


def _place(area: Area | None) -> str:
    """An address from the area tree: village, union, upazila, district."""
    parts = []
    while area is not None and area.level != Area.Level.DIVISION:
        parts.append(area.name)
        area = area.parent
    return ", ".join(p for p in parts if p)


def _signatories(organisation: Organisation) -> list[tuple[str, str]]:
    """The president's and the secretary's names, if the committee is recorded."""
    today = timezone.localdate()
    offices = (
        CommitteeOffice.objects.filter(
            organisation=organisation,
            office__in=[CommitteeOffice.Office.PRESIDENT, CommitteeOffice.Office.SECRETARY],
            started_on__lte=today,
        )
        .exclude(ended_on__lt=today)
        .select_related("member")
        .order_by("office", "-started_on")
    )
    found: dict[str, tuple[str, str]] = {}
    for office in offices:
        found.setdefault(office.office, (str(office.member), office.get_office_display()))
    order = [CommitteeOffice.Office.PRESIDENT, CommitteeOffice.Office.SECRETARY]
    return [found[o] for o in order if o in found]


def _date(day: datetime.date, language: str) -> str:
    text = formats.date_format(day, "j F Y")
    return to_bengali_digits(text) if language == "bn" else text


def render_charter(charter: Charter, *, day: datetime.date | None = None) -> bytes:
    """Print the charter as a letter in its language and return the PDF's bytes."""
    language = charter.language or "bn"
    with translation.override(language):
        return bytes(_render(charter, language, day or charter.submitted_on or timezone.localdate()).output())


def _render(charter: Charter, language: str, day: datetime.date) -> FPDF:
    organisation = charter.organisation
    authority = charter.authority
    lines = charter_lines(charter)
    totals = charter_totals(charter)
    pdf = SamitiPDF(language)
    pdf.set_title(charter.subject)
    pdf.set_author(organisation.name)
    pdf.add_page()
    n = pdf.localise

    # Letterhead: the organisation and its address.
    pdf.line_of(organisation.name, size=15, style="B", align="C", height=8)
    address = _place(organisation.area)
    if address:
        pdf.line_of(n(address), size=10, align="C", height=5)
    if organisation.registration_number:
        registration = _("Registration no. %(number)s") % {"number": organisation.registration_number}
        pdf.line_of(n(registration), size=10, align="C", height=5)
    pdf.ln(2)
    pdf.rule()
    pdf.ln(4)
    pdf.line_of(_("Date: %(date)s") % {"date": _date(day, language)}, align="R")
    pdf.ln(2)

    # The addressee.
    pdf.line_of(_("To"))
    if charter.official_id:
        pdf.line_of(charter.official.name, style="B")
        pdf.line_of(charter.official.post)
    pdf.line_of(authority.name, style="" if charter.official_id else "B")
    for text in (authority.address, _place(authority.area)):
        if text:
            pdf.line_of(n(text))
    pdf.ln(4)
    pdf.line_of(_("Subject: %(subject)s") % {"subject": charter.subject}, style="B")
    pdf.ln(3)
    pdf.line_of(_("Dear Sir or Madam,"))
    pdf.ln(1)
    opening = charter.body or _(
        "We, the members of %(organisation)s, submit to you the following demands, in the order of "
        "priority our members have set. %(total)s members have endorsed them, %(women)s of them women. "
        "We request you to consider them and to let us know your decision on each in writing."
    ) % {"organisation": organisation.name, "total": n(totals["total"]), "women": n(totals["women"])}
    pdf.line_of(opening, align="J")
    pdf.ln(4)

    # The demands in priority order with their endorsements.
    headings = [
        _("No."),
        _("Demand"),
        _("Endorsements"),
        _("Women"),
        _("Ethnic minority"),
        _("With disability"),
        _("Households affected"),
    ]
    rows = [
        [
            n(line.item.priority),
            f"{line.demand.title}\n{line.demand.get_category_display()}",
            n(line.endorsements["total"]),
            n(line.endorsements["women"]),
            n(line.endorsements["ethnic_minority"]),
            n(line.endorsements["disability"]),
            n(line.demand.households_affected) if line.demand.households_affected is not None else "–",
        ]
        for line in lines
    ]
    total_row = [
        "",
        _("All demands (each member counted once)"),
        n(totals["total"]),
        n(totals["women"]),
        n(totals["ethnic_minority"]),
        n(totals["disability"]),
        n(totals["households"]),
    ]
    pdf.use_font(size=9)
    with pdf.table(
        col_widths=WIDTHS,
        text_align=("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=5,
        headings_style=pdf.heading_style(),
        first_row_as_headings=True,
    ) as table:
        for row in [headings, *rows]:
            table.row(row)
        table.row(total_row, style=pdf.heading_style())
    pdf.ln(5)

    # The closing and the signatures.
    pdf.line_of(
        _(
            "We thank you in advance and hope for your cooperation in meeting these demands of the "
            "farmers of our area."
        ),
        align="J",
    )
    pdf.ln(6)
    pdf.line_of(_("Yours faithfully,"))
    signatories = _signatories(organisation) or [("", "")]
    pdf.ln(12)
    top = pdf.get_y()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    for index, (name, office) in enumerate(signatories):
        x = pdf.l_margin + index * width
        pdf.set_xy(x, top)
        for text in ("_" * 28, name, office, organisation.name):
            pdf.use_font(size=10)
            pdf.cell(width - 10, 5, text, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf
