"""The PDF page every app prints on, in Bengali or English.

fpdf2 lays the page out and HarfBuzz (uharfbuzz) shapes the text, so Bengali conjuncts and vowel
signs print as they should; the fonts are embedded from `samiti/core/fonts/` (see its README).
"""

from collections.abc import Sequence
from pathlib import Path

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from samiti.core.bengali import to_bengali_digits

FONTS = Path(__file__).parent / "fonts"
BENGALI, LATIN = "notobengali", "notosans"
INK, RULE, SHADE = (20, 20, 20), (120, 120, 120), (235, 235, 235)


class SamitiPDF(FPDF):
    """An A4 page with the Noto fonts embedded and text shaped, numbered at the foot."""

    def __init__(self, language: str, *, orientation: str = "portrait"):
        super().__init__(orientation=orientation, format="A4", unit="mm")
        self.language = language
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(auto=True, margin=18)
        for family, stem in ((BENGALI, "NotoSansBengali"), (LATIN, "NotoSans")):
            self.add_font(family, "", FONTS / f"{stem}-Regular.ttf")
            self.add_font(family, "B", FONTS / f"{stem}-Bold.ttf")
        # The Bengali font has no Latin letters; HarfBuzz shapes each run with the font that has it.
        main, other = (BENGALI, LATIN) if language == "bn" else (LATIN, BENGALI)
        self.main_font, self.other_font = main, other
        self.set_font(main, size=11)
        self.set_fallback_fonts([other])
        self.set_text_shaping(use_shaping_engine=True)
        self.set_text_color(*INK)
        self.set_creator("Samiti")

    def use_font(self, style: str = "", size: float = 11) -> None:
        # fpdf2 does not notice when a run in the fallback font has changed the font in use, and
        # skips naming a font it thinks is current: name the other first so ours is written out.
        self.set_font(self.other_font, style=style, size=size)
        self.set_font(self.main_font, style=style, size=size)

    def footer(self) -> None:
        self.set_y(-12)
        self.use_font(size=8)
        page = _("Page %(page)s") % {"page": self.page_no()}
        self.cell(0, 5, self.localise(page), align="C")

    def localise(self, text: object) -> str:
        """Digits in the document's language."""
        return to_bengali_digits(text) if self.language == "bn" else str(text)

    def line_of(
        self, text: str, size: float = 11, style: str = "", align: str = "L", height: float = 6
    ) -> None:
        self.use_font(style=style, size=size)
        self.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def heading_style(self) -> FontFace:
        return FontFace(family=self.main_font, emphasis="BOLD", fill_color=SHADE)

    def rule(self) -> None:
        """A thin line across the page."""
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())

    def grid(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        widths: Sequence[float],
        align: Sequence[str],
        bold: Sequence[int] = (),
        size: float = 9,
    ) -> None:
        """A table with a shaded heading row; rows whose index is in `bold` are shaded too."""
        self.use_font(size=size)
        style = self.heading_style()
        with self.table(
            col_widths=tuple(widths),
            text_align=tuple(align),
            line_height=5,
            headings_style=style,
            first_row_as_headings=True,
        ) as table:
            table.row(list(headings))
            for index, row in enumerate(rows):
                table.row(list(row), style=style if index in bold else None)
