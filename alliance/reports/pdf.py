"""The monthly report as a PDF (fpdf2), with a Chinese font from the system embedded.

The font is Noto Sans CJK (Debian: `apt-get install fonts-noto-cjk`), found through fontconfig
(`fc-match`) or at its usual paths; `REPORT_FONT_PATH` (and `REPORT_FONT_INDEX` for a .ttc)
overrides. Only the glyphs used are embedded.
"""

import os
import shutil
import subprocess
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from alliance.clock import local_date, local_today
from alliance.reports.services import Report

KNOWN_FONTS = (
    # (path, index of Simplified Chinese in the collection)
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)


class FontMissing(RuntimeError):
    """No Chinese font on this system: install fonts-noto-cjk."""


@lru_cache(maxsize=1)
def _fontconfig_font() -> tuple[str, int] | None:
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(
            [fc_match, "-f", "%{file}|%{index}", "Noto Sans CJK SC:lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _sep, index = found.partition("|")
    if "CJK" in path or "wqy" in path.lower():
        return path, int(index or 0)
    return None


def find_cjk_font() -> tuple[str, int]:
    configured = current_app.config.get("REPORT_FONT_PATH")
    if configured:
        return configured, int(current_app.config.get("REPORT_FONT_INDEX", 0))
    for path, index in KNOWN_FONTS:
        if os.path.exists(path):
            return path, index
    found = _fontconfig_font()
    if found and os.path.exists(found[0]):
        return found
    raise FontMissing("no CJK font: apt-get install fonts-noto-cjk")


class _ReportPDF(FPDF):
    footer_text = ""

    def footer(self):
        self.set_y(-15)
        self.set_font("cjk", size=9)
        self.cell(0, 8, f"{self.footer_text} · {self.page_no()}", align="C")


def render(report: Report) -> bytes:
    path, index = find_cjk_font()
    pdf = _ReportPDF(format="A4")
    pdf.footer_text = _(
        "%(community)s %(month)s 月度工作报表", community=report.community.name, month=report.month
    )
    pdf.set_title(pdf.footer_text)
    pdf.set_creator("共富联盟")
    pdf.add_font("cjk", "", path, collection_font_number=index)
    # Recomputing every subset glyph's bounding box from its CFF outline is most of the time a
    # CJK PDF takes; the font's own boxes are right for the glyphs kept.
    for font in pdf.fonts.values():
        if getattr(font, "ttfont", None) is not None:
            font.ttfont.recalcBBoxes = False
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("cjk", size=18)
    pdf.multi_cell(0, 10, pdf.footer_text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    submitted = report.submitted
    status = (
        _("已于 %(day)s 报送街道", day=local_date(submitted.submitted_at).isoformat())
        if submitted
        else _("尚未报送")
    )
    pdf.multi_cell(
        0,
        6,
        _("生成日期 %(day)s · %(status)s", day=local_today().isoformat(), status=status),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)

    def heading(text):
        pdf.ln(2)
        pdf.set_font("cjk", size=13)
        pdf.multi_cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=10.5)

    heading(_("一、本月数据（与上月比较）"))
    with pdf.table(
        col_widths=(50, 40, 40, 30),
        text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT"),
        line_height=6.5,
        headings_style=FontFace(emphasis="", fill_color=(230, 230, 230)),
    ) as table:
        table.row([_("指标"), report.month, _("上月"), _("变化")])
        for row in report.rows():
            table.row(list(row))

    heading(_("二、三项清单进展"))
    lists = report.lists
    for line in (
        _("需求清单：%(n)d 项，已办结 %(done)d 项", n=lists.needs, done=lists.needs_resolved),
        _("资源清单：%(n)d 项", n=lists.resources),
        _(
            "项目清单：%(n)d 项（筹备中 %(planned)d，进行中 %(running)d，已完成 %(finished)d）",
            n=lists.projects_total,
            planned=lists.projects.get("planned", 0),
            running=lists.projects.get("running", 0),
            finished=lists.projects.get("finished", 0),
        ),
    ):
        pdf.multi_cell(0, 6.5, line, new_x="LMARGIN", new_y="NEXT")

    heading(_("三、本月协调委员会决议"))
    if report.decisions:
        for d in report.decisions:
            pdf.multi_cell(
                0, 6.5, f"{d.number}　{d.text}（{d.state_label}）", new_x="LMARGIN", new_y="NEXT"
            )
    else:
        pdf.multi_cell(0, 6.5, _("本月没有新决议。"), new_x="LMARGIN", new_y="NEXT")

    heading(_("四、工作亮点（好评办结的工单）"))
    if report.highlights:
        for h in report.highlights:
            pdf.multi_cell(
                0,
                6.5,
                f"{h.category}{'：' + h.title if h.title else ''}（{'★' * h.rating}）",
                new_x="LMARGIN",
                new_y="NEXT",
            )
    else:
        pdf.multi_cell(0, 6.5, _("本月没有好评办结的工单。"), new_x="LMARGIN", new_y="NEXT")

    if submitted and submitted.remarks:
        heading(_("五、工作小结"))
        pdf.multi_cell(0, 6.5, submitted.remarks, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
