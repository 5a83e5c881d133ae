"""Synthetic Vietnamese implementation plans ("Kế hoạch") with gold annotations.

The generator composes plans in the genre of the two real seeds (a provincial
People's Committee plan with an annex task table, and a district Party
committee plan) from phrase banks, and records exactly what it put in so that
tests and benchmarks can score the extractors (tasks, owners, cooperating
agencies, deadlines, implemented documents, quantified targets).

Stdlib only; deterministic for a given ``(index, seed)``.

Gold conventions
----------------
``GoldTask.section``
    Body tasks: ``<part roman>.<item numbers>`` as numbered in the text, e.g.
    ``"III.2.1"`` for an item ``2.1.`` (or a bullet under it) in part III,
    ``"III.2"`` for a bullet directly under group ``2.``, ``"III.1.a"`` for an
    ``a)`` item under ``1.``, ``"V.3"`` for item ``3.`` of TỔ CHỨC THỰC HIỆN.
    Annex rows: ``"annex <group roman>.<row number>"``, e.g. ``"annex II.3"``.
``GoldTask.text_start``
    The first six whitespace-separated words of the task text as written,
    after any ``"Agency:"`` prefix (and after the list marker).  Tasks whose
    owner is the grammatical subject ("Giao Sở Nội vụ chủ trì, ...",
    "Sở Xây dựng chủ trì, ...") start with that subject.
``GoldTask.owners``
    Agency names exactly as written (may be abbreviated in annex cells, may
    be collective such as "Các sở, ban, ngành").  Empty for the general
    solution bullets of Party-style plans ("NHIỆM VỤ, GIẢI PHÁP" with no
    assigned agency).
``GoldTask.cooperating``
    Every agency written after "phối hợp với" or in the annex "phối hợp"
    cell, including generic ones ("các cơ quan, đơn vị liên quan").
``GoldTask.deadline_raw``
    The deadline phrase as written, without the surrounding parentheses or
    markdown emphasis: ``"hoàn thành trong quý IV/2025"``, ``"thực hiện
    thường xuyên"``, an annex cell such as ``"Quý II/2025"``.
``SyntheticPlan.number``
    The plan's own số hiệu, or None when the "Số:" line is left blank
    ("Số: /KH-UBND") or was lost with the header block.
``SyntheticPlan.implements``
    Canonical số hiệu of the documents the plan says it implements
    ("Thực hiện ..." in the preamble / subject), highest level first.  The
    text occasionally has a stray space ("123 -KH/TU", as in seed 002).
``SyntheticPlan.targets``
    Number of quantified target clauses (each clause with a number or
    percentage that states a goal) in the MỤC TIÊU part; other parts contain
    no quantified targets (years such as "đến năm 2030" are not targets).

Run ``python bench/synthetic.py OUT --count 100 --seed 1`` to write a corpus.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from random import Random
from typing import Iterator

__all__ = ["GoldTask", "SyntheticPlan", "generate_plan", "generate_corpus", "write_corpus"]


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------


@dataclass
class GoldTask:  # what the generator put in, so tests can score an extractor
    section: str  # e.g. "III.2.1" or "annex II.3" (annex rows: "annex <ROMAN>.<n>")
    text_start: str  # first ~6 words of the task text AFTER any "Agency:" prefix
    owners: list[str]  # Vietnamese agency names as written (before any scoping)
    cooperating: list[str]
    deadline_raw: str | None


@dataclass
class SyntheticPlan:
    filename: str  # e.g. "plan_00042_thai-binh_ubnd.txt" / ".md"
    text: str
    province: str  # "Thái Bình"
    district: str | None  # set for district plans
    level: str  # "province" | "district"
    number: str | None  # "57/KH-UBND" or None when left blank (or lost from the text)
    implements: list[str]  # số hiệu it implements, e.g. ["45-NQ/TW", "123-KH/TU"]
    tasks: list[GoldTask]
    targets: int  # how many quantified targets it contains
    issuer: str = ""  # "ubnd-tinh" | "tinh-uy" | "ubnd-huyen" | "huyen-uy"
    features: dict[str, object] = field(default_factory=dict)  # generator choices, for reports


# --------------------------------------------------------------------------
# Geography (pre-2025 provinces and some of their rural districts)
# --------------------------------------------------------------------------

PROVINCES: dict[str, list[str]] = {
    "Bắc Giang": ["Yên Dũng", "Lục Nam", "Lạng Giang", "Hiệp Hòa", "Tân Yên"],
    "Thái Bình": ["Quỳnh Phụ", "Hưng Hà", "Đông Hưng", "Vũ Thư", "Kiến Xương", "Tiền Hải"],
    "Nam Định": ["Hải Hậu", "Giao Thủy", "Xuân Trường", "Ý Yên", "Nghĩa Hưng"],
    "Ninh Bình": ["Gia Viễn", "Kim Sơn", "Yên Khánh", "Nho Quan", "Yên Mô"],
    "Hà Nam": ["Bình Lục", "Thanh Liêm", "Lý Nhân", "Kim Bảng"],
    "Hưng Yên": ["Văn Lâm", "Khoái Châu", "Ân Thi", "Phù Cừ", "Kim Động"],
    "Hải Dương": ["Cẩm Giàng", "Gia Lộc", "Thanh Miện", "Ninh Giang", "Tứ Kỳ"],
    "Bắc Ninh": ["Yên Phong", "Quế Võ", "Tiên Du", "Gia Bình", "Lương Tài"],
    "Vĩnh Phúc": ["Tam Dương", "Lập Thạch", "Sông Lô", "Yên Lạc", "Vĩnh Tường"],
    "Phú Thọ": ["Lâm Thao", "Thanh Sơn", "Cẩm Khê", "Hạ Hòa", "Đoan Hùng"],
    "Thái Nguyên": ["Đại Từ", "Phú Lương", "Định Hóa", "Võ Nhai", "Đồng Hỷ"],
    "Tuyên Quang": ["Sơn Dương", "Yên Sơn", "Hàm Yên", "Chiêm Hóa", "Na Hang"],
    "Lạng Sơn": ["Cao Lộc", "Văn Quan", "Bắc Sơn", "Hữu Lũng", "Chi Lăng"],
    "Quảng Ninh": ["Tiên Yên", "Ba Chẽ", "Đầm Hà", "Hải Hà", "Vân Đồn"],
    "Thanh Hóa": ["Hoằng Hóa", "Quảng Xương", "Thọ Xuân", "Nông Cống", "Hậu Lộc", "Thiệu Hóa"],
    "Nghệ An": ["Diễn Châu", "Quỳnh Lưu", "Yên Thành", "Nghi Lộc", "Đô Lương", "Thanh Chương"],
    "Hà Tĩnh": ["Cẩm Xuyên", "Thạch Hà", "Can Lộc", "Hương Khê", "Đức Thọ"],
    "Quảng Bình": ["Bố Trạch", "Quảng Ninh", "Lệ Thủy", "Tuyên Hóa", "Minh Hóa"],
    "Quảng Trị": ["Gio Linh", "Vĩnh Linh", "Hải Lăng", "Cam Lộ", "Triệu Phong"],
    "Thừa Thiên Huế": ["Phú Vang", "Phú Lộc", "Quảng Điền", "Phong Điền", "A Lưới"],
    "Quảng Nam": ["Duy Xuyên", "Thăng Bình", "Núi Thành", "Đại Lộc", "Quế Sơn"],
    "Quảng Ngãi": ["Bình Sơn", "Sơn Tịnh", "Tư Nghĩa", "Mộ Đức", "Nghĩa Hành"],
    "Bình Định": ["Tuy Phước", "Phù Cát", "Phù Mỹ", "Hoài Ân", "Tây Sơn"],
    "Phú Yên": ["Tuy An", "Sơn Hòa", "Đồng Xuân", "Phú Hòa", "Tây Hòa"],
    "Khánh Hòa": ["Diên Khánh", "Cam Lâm", "Vạn Ninh", "Khánh Vĩnh", "Khánh Sơn"],
    "Ninh Thuận": ["Ninh Hải", "Ninh Phước", "Ninh Sơn", "Thuận Bắc", "Bác Ái"],
    "Bình Thuận": ["Hàm Thuận Bắc", "Hàm Thuận Nam", "Tuy Phong", "Bắc Bình", "Đức Linh"],
    "Đắk Lắk": ["Krông Pắc", "Cư M'gar", "Ea Kar", "Krông Năng", "Lắk"],
    "Gia Lai": ["Chư Sê", "Chư Păh", "Đak Đoa", "Ia Grai", "Mang Yang"],
    "Kon Tum": ["Đắk Hà", "Đắk Tô", "Ngọc Hồi", "Sa Thầy", "Kon Rẫy"],
    "Lâm Đồng": ["Đức Trọng", "Di Linh", "Lâm Hà", "Đơn Dương", "Bảo Lâm"],
    "Đồng Nai": ["Trảng Bom", "Thống Nhất", "Nhơn Trạch", "Định Quán", "Vĩnh Cửu"],
    "Bình Phước": ["Đồng Phú", "Bù Đăng", "Hớn Quản", "Lộc Ninh", "Bù Đốp"],
    "Tây Ninh": ["Dương Minh Châu", "Tân Biên", "Tân Châu", "Châu Thành", "Bến Cầu"],
    "Long An": ["Đức Hòa", "Bến Lức", "Cần Giuộc", "Tân Trụ", "Thạnh Hóa"],
    "Tiền Giang": ["Cái Bè", "Chợ Gạo", "Gò Công Tây", "Tân Phước", "Châu Thành"],
    "Bến Tre": ["Ba Tri", "Bình Đại", "Giồng Trôm", "Mỏ Cày Nam", "Thạnh Phú"],
    "Vĩnh Long": ["Long Hồ", "Mang Thít", "Vũng Liêm", "Tam Bình", "Trà Ôn"],
    "Trà Vinh": ["Càng Long", "Cầu Kè", "Tiểu Cần", "Cầu Ngang", "Trà Cú"],
    "Đồng Tháp": ["Tháp Mười", "Tam Nông", "Lấp Vò", "Lai Vung", "Thanh Bình"],
    "An Giang": ["Chợ Mới", "Phú Tân", "Thoại Sơn", "Tri Tôn", "Châu Phú"],
    "Kiên Giang": ["Giồng Riềng", "Gò Quao", "An Biên", "Hòn Đất", "Tân Hiệp"],
    "Sóc Trăng": ["Mỹ Tú", "Kế Sách", "Long Phú", "Thạnh Trị", "Cù Lao Dung"],
    "Bạc Liêu": ["Hồng Dân", "Phước Long", "Vĩnh Lợi", "Hòa Bình", "Đông Hải"],
    "Cà Mau": ["Trần Văn Thời", "U Minh", "Thới Bình", "Cái Nước", "Năm Căn"],
    "Hậu Giang": ["Châu Thành A", "Phụng Hiệp", "Vị Thủy", "Long Mỹ"],
    "Lào Cai": ["Bảo Thắng", "Bảo Yên", "Bát Xát", "Văn Bàn", "Si Ma Cai"],
    "Yên Bái": ["Văn Chấn", "Trấn Yên", "Yên Bình", "Lục Yên", "Văn Yên"],
    "Hòa Bình": ["Lương Sơn", "Kim Bôi", "Lạc Sơn", "Tân Lạc", "Mai Châu"],
    "Sơn La": ["Mai Sơn", "Mộc Châu", "Yên Châu", "Thuận Châu", "Sông Mã"],
    "Điện Biên": ["Điện Biên Đông", "Tuần Giáo", "Mường Ảng", "Tủa Chùa", "Mường Chà"],
    "Hà Giang": ["Bắc Quang", "Vị Xuyên", "Quản Bạ", "Yên Minh", "Đồng Văn"],
    "Cao Bằng": ["Hòa An", "Trùng Khánh", "Quảng Hòa", "Bảo Lạc", "Hà Quảng"],
}
PROVINCE_NAMES = list(PROVINCES)

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Tạ", "Mai", "Đinh", "Lương", "Trịnh", "Phan", "Cao"]
MIDDLES = ["Văn", "Thị", "Đức", "Quang", "Minh", "Hữu", "Thanh", "Xuân", "Ngọc", "Công", "Thế",
           "Anh", "Hồng", "Tiến", "Mạnh"]
GIVENS = ["Hùng", "Sơn", "Khải", "Hải", "Lâm", "Tuấn", "Hà", "Thắng", "Dũng", "Bình", "Long",
          "Phong", "Hương", "Lan", "Nam", "Trung", "Việt", "Cường", "Thành", "Hoa", "Quý", "Khánh"]


# --------------------------------------------------------------------------
# Higher documents and topics
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Resolution:
    number: str  # "45-NQ/TW"
    kind: str  # "Nghị quyết" | "Quyết định"
    date: _dt.date
    body: str  # issuing body
    subject: str  # "về ..." / "phê duyệt ..."
    topic: str
    party_ok: bool  # may a Party committee implement it?
    state_ok: bool  # may a People's Committee implement it?


RESOLUTIONS = [
    _Resolution("45-NQ/TW", "Nghị quyết", _dt.date(2023, 11, 24), "Ban Chấp hành Trung ương",
                "về tiếp tục xây dựng và phát huy vai trò của đội ngũ trí thức đáp ứng yêu cầu phát triển "
                "đất nước nhanh và bền vững trong giai đoạn mới", "tri_thuc", True, True),
    _Resolution("57-NQ/TW", "Nghị quyết", _dt.date(2024, 12, 22), "Bộ Chính trị",
                "về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
                "khcn", True, True),
    _Resolution("29-NQ/TW", "Nghị quyết", _dt.date(2022, 11, 17), "Ban Chấp hành Trung ương",
                "về tiếp tục đẩy mạnh công nghiệp hóa, hiện đại hóa đất nước đến năm 2030, tầm nhìn đến năm 2045",
                "cnh", True, True),
    _Resolution("19-NQ/TW", "Nghị quyết", _dt.date(2022, 6, 16), "Ban Chấp hành Trung ương",
                "về nông nghiệp, nông dân, nông thôn đến năm 2030, tầm nhìn đến năm 2045",
                "nong_nghiep", True, True),
    _Resolution("21-NQ/TW", "Nghị quyết", _dt.date(2022, 6, 16), "Ban Chấp hành Trung ương",
                "về tăng cường củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên "
                "trong giai đoạn mới", "dang", True, False),
    _Resolution("41-NQ/TW", "Nghị quyết", _dt.date(2023, 10, 10), "Bộ Chính trị",
                "về xây dựng và phát huy vai trò của đội ngũ doanh nhân Việt Nam trong thời kỳ mới",
                "doanh_nhan", True, True),
    _Resolution("899/QĐ-TTg", "Quyết định", _dt.date(2023, 7, 31), "Thủ tướng Chính phủ",
                "phê duyệt Chiến lược quốc gia về thu hút, trọng dụng nhân tài đến năm 2030, tầm nhìn đến năm 2050",
                "tri_thuc", False, True),
    _Resolution("06/QĐ-TTg", "Quyết định", _dt.date(2022, 1, 6), "Thủ tướng Chính phủ",
                "phê duyệt Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ "
                "chuyển đổi số quốc gia giai đoạn 2022 - 2025, tầm nhìn đến năm 2030", "khcn", False, True),
    _Resolution("150/QĐ-TTg", "Quyết định", _dt.date(2022, 1, 28), "Thủ tướng Chính phủ",
                "phê duyệt Chiến lược phát triển nông nghiệp và nông thôn bền vững giai đoạn 2021 - 2030, "
                "tầm nhìn đến năm 2050", "nong_nghiep", False, True),
    _Resolution("1719/QĐ-TTg", "Quyết định", _dt.date(2021, 10, 14), "Thủ tướng Chính phủ",
                "phê duyệt Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc "
                "thiểu số và miền núi giai đoạn 2021 - 2030, giai đoạn I: từ năm 2021 đến năm 2025",
                "dan_toc", False, True),
]

# Each topic: focus phrase, task groups, task objects (verb options, object),
# quantified target clauses, qualitative goals, agency keywords.
TOPICS: dict[str, dict[str, list | str]] = {
    "tri_thuc": {
        "focus": "xây dựng và phát huy vai trò của đội ngũ trí thức",
        "groups": [
            "Tiếp tục nâng cao nhận thức về vị trí, vai trò, tầm quan trọng của đội ngũ trí thức",
            "Đổi mới công tác đào tạo, bồi dưỡng, sử dụng, đãi ngộ và tôn vinh trí thức, trọng dụng nhân tài",
            "Tăng cường quản lý nhà nước, hoàn thiện cơ chế, chính sách đối với đội ngũ trí thức",
            "Tăng cường nguồn lực xây dựng đội ngũ trí thức chủ động, tích cực hội nhập quốc tế",
            "Phát huy vai trò, trách nhiệm của đội ngũ trí thức; đổi mới nội dung, phương thức hoạt động các hội trí thức",
        ],
        "tasks": [
            (["Tham mưu xây dựng", "Xây dựng", "Ban hành"],
             "kế hoạch đào tạo, bồi dưỡng, nâng cao trình độ cho đội ngũ trí thức đang công tác tại {loc}, giai đoạn 2025-2030"),
            (["Xây dựng", "Xây dựng và cập nhật", "Hoàn thiện"],
             "cơ sở dữ liệu về đội ngũ trí thức của {loc} trên các ngành, lĩnh vực"),
            (["Nghiên cứu, đề xuất", "Tham mưu ban hành", "Rà soát, sửa đổi, bổ sung"],
             "cơ chế, chính sách thu hút, trọng dụng trí thức trẻ, người có trình độ thạc sĩ, tiến sĩ về công tác tại {loc}"),
            (["Tổ chức", "Định kỳ tổ chức"],
             "gặp mặt, đối thoại với đội ngũ trí thức, các hội trí thức để lắng nghe ý kiến đóng góp, đề xuất của trí thức"),
            (["Tăng cường", "Đẩy mạnh", "Đổi mới nội dung, hình thức"],
             "tuyên truyền về vị trí, vai trò, tầm quan trọng của đội ngũ trí thức trên các phương tiện thông tin đại chúng"),
            (["Rà soát, sửa đổi, bổ sung", "Tham mưu sửa đổi"],
             "quy chế xét, tôn vinh danh hiệu trí thức tiêu biểu của {loc}"),
            (["Tham mưu kiện toàn", "Kiện toàn"],
             "tổ chức bộ máy, bố trí cán bộ đủ năng lực, phẩm chất giữ chức vụ lãnh đạo chuyên trách các hội trí thức"),
            (["Tạo điều kiện", "Tiếp tục tạo điều kiện"],
             "cho các hội trí thức tham gia tư vấn, phản biện, giám định xã hội đối với các chương trình, đề án, dự án quan trọng của {loc}"),
            (["Đề xuất", "Nghiên cứu, đề xuất"],
             "cơ chế cho các hội trí thức tham gia thực hiện một số dịch vụ công, giám sát hoạt động nghề nghiệp"),
            (["Bố trí", "Tham mưu bố trí"],
             "nguồn kinh phí hỗ trợ cán bộ, công chức, viên chức được cử đi đào tạo sau đại học trong và ngoài nước"),
            (["Tổ chức", "Phối hợp tổ chức"],
             "các diễn đàn, hội thảo, tọa đàm khoa học để trí thức tham gia tư vấn, hiến kế phát triển kinh tế - xã hội"),
            (["Tham mưu thực hiện", "Triển khai"],
             "cơ chế đặt hàng, giao nhiệm vụ cho các chuyên gia, nhà khoa học tham gia thực hiện đề tài, đề án trọng điểm của {loc}"),
        ],
        "targets": [
            "nâng số người có trình độ từ đại học trở lên toàn {loc} lên trên {N} người",
            "tỷ lệ tiến sĩ và tương đương trong hệ thống chính trị các cấp tăng từ {A}% lên {B}% trở lên",
            "mỗi ngành, lĩnh vực trọng điểm có từ {R} tiến sĩ",
            "tuyển dụng trí thức có trình độ cao và sinh viên tốt nghiệp loại giỏi, xuất sắc đạt trên {p}% so với tổng số tuyển dụng mới",
            "hằng năm có từ {R} sáng chế, giải pháp hữu ích mới được cấp văn bằng bảo hộ",
            "{P}% cán bộ, công chức, viên chức được bồi dưỡng kiến thức, kỹ năng theo vị trí việc làm",
            "tăng số lượng doanh nghiệp khoa học và công nghệ từ {K} doanh nghiệp lên trên {K2} doanh nghiệp",
        ],
        "goals": [
            "Xây dựng đội ngũ trí thức của {loc} có số lượng, cơ cấu hợp lý; là nguồn nhân lực chất lượng cao đi đầu trong lĩnh vực chuyển đổi số, phát triển kinh tế số, xã hội số",
            "Ban hành các cơ chế, chính sách trong tập hợp, sử dụng và phát huy vai trò đội ngũ trí thức trong và ngoài {loc} tham gia có hiệu quả các nhiệm vụ phát triển kinh tế - xã hội",
            "Đổi mới nội dung, phương thức hoạt động của các hội trí thức; tập hợp và phát huy trí tuệ của đội ngũ trí thức",
        ],
        "keys": ["Nội vụ", "Khoa học", "Liên hiệp", "Giáo dục", "Tổ chức", "Tuyên giáo", "Tài chính"],
        "lead": ["Sở Nội vụ", "Liên hiệp các hội Khoa học và Kỹ thuật tỉnh", "Phòng Nội vụ", "Ban Tổ chức"],
    },
    "khcn": {
        "focus": "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
        "groups": [
            "Nâng cao nhận thức, đột phá về đổi mới tư duy, quyết tâm chính trị mạnh mẽ",
            "Khẩn trương, quyết liệt hoàn thiện thể chế; xóa bỏ mọi tư tưởng, quan niệm, rào cản đang cản trở sự phát triển",
            "Tăng cường đầu tư, hoàn thiện hạ tầng cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
            "Phát triển, trọng dụng nhân lực chất lượng cao, nhân tài",
            "Đẩy mạnh chuyển đổi số, ứng dụng khoa học, công nghệ trong hoạt động của các cơ quan trong hệ thống chính trị",
            "Thúc đẩy mạnh mẽ hoạt động khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trong doanh nghiệp",
        ],
        "tasks": [
            (["Xây dựng", "Triển khai xây dựng"],
             "hạ tầng số, trung tâm dữ liệu của {loc} bảo đảm kết nối, chia sẻ dữ liệu với các cơ sở dữ liệu quốc gia"),
            (["Rà soát, đề xuất", "Tham mưu"],
             "sửa đổi, bổ sung các quy định về quản lý nhiệm vụ khoa học và công nghệ có sử dụng ngân sách nhà nước"),
            (["Triển khai", "Đẩy mạnh"],
             "cung cấp dịch vụ công trực tuyến toàn trình, nâng cao tỷ lệ hồ sơ được xử lý trực tuyến"),
            (["Tổ chức", "Tăng cường"],
             "đào tạo, bồi dưỡng kỹ năng số cho cán bộ, công chức, viên chức và người dân"),
            (["Xây dựng", "Tham mưu ban hành"],
             "chính sách hỗ trợ doanh nghiệp đổi mới công nghệ, ứng dụng trí tuệ nhân tạo vào sản xuất, kinh doanh"),
            (["Xây dựng", "Nghiên cứu, xây dựng"],
             "Đề án thành lập Trung tâm đổi mới sáng tạo của {loc}"),
            (["Rà soát", "Rà soát, đánh giá"],
             "hiện trạng hạ tầng viễn thông, bảo đảm phủ sóng di động băng rộng đến các thôn, bản vùng sâu, vùng xa"),
            (["Triển khai", "Tiếp tục triển khai"],
             "các giải pháp bảo đảm an toàn, an ninh mạng đối với hệ thống thông tin của các cơ quan nhà nước"),
            (["Tham mưu bố trí", "Ưu tiên bố trí"],
             "kinh phí sự nghiệp khoa học và công nghệ, chuyển đổi số trong dự toán ngân sách hằng năm"),
            (["Xây dựng", "Hoàn thiện"],
             "cơ sở dữ liệu chuyên ngành, bảo đảm kết nối, liên thông với Hệ thống thông tin giải quyết thủ tục hành chính"),
            (["Hỗ trợ", "Tổ chức hỗ trợ"],
             "các doanh nghiệp khởi nghiệp sáng tạo, doanh nghiệp khoa học và công nghệ tiếp cận các chương trình, quỹ đầu tư"),
            (["Đẩy mạnh", "Tăng cường"],
             "ứng dụng công nghệ thông tin trong khám bệnh, chữa bệnh, triển khai hồ sơ sức khỏe điện tử"),
            (["Triển khai", "Đẩy mạnh"],
             "chuyển đổi số trong giáo dục, xây dựng kho học liệu số dùng chung"),
            (["Triển khai", "Tiếp tục triển khai"],
             "các tiện ích của ứng dụng định danh điện tử, làm sạch dữ liệu dân cư phục vụ giải quyết thủ tục hành chính"),
        ],
        "targets": [
            "tỷ lệ hồ sơ thủ tục hành chính được xử lý trực tuyến đạt {P}% trở lên",
            "kinh tế số chiếm khoảng {p}% GRDP của {loc}",
            "{P}% dân số trưởng thành có tài khoản định danh điện tử",
            "có ít nhất {K} doanh nghiệp khoa học và công nghệ đang hoạt động",
            "chi cho khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số đạt tối thiểu {p}% tổng chi ngân sách hằng năm",
            "100% cơ quan nhà nước kết nối, chia sẻ dữ liệu với các cơ sở dữ liệu quốc gia",
            "tỷ lệ người dân sử dụng dịch vụ công trực tuyến tăng từ {A}% lên {B}%",
        ],
        "goals": [
            "Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số trở thành động lực chính để phát triển nhanh, bền vững kinh tế - xã hội của {loc}",
            "Hình thành chính quyền số, kinh tế số, xã hội số; nâng cao năng lực cạnh tranh của doanh nghiệp trên địa bàn",
            "Hạ tầng số được đầu tư đồng bộ, hiện đại, bảo đảm an toàn, an ninh mạng",
        ],
        "keys": ["Khoa học", "Thông tin", "Công an", "Kế hoạch", "Y tế", "Giáo dục", "Văn phòng"],
        "lead": ["Sở Khoa học và Công nghệ", "Sở Thông tin và Truyền thông", "Phòng Văn hóa và Thông tin", "Ban Tuyên giáo"],
    },
    "cnh": {
        "focus": "đẩy mạnh công nghiệp hóa, hiện đại hóa",
        "groups": [
            "Đổi mới tư duy, nâng cao nhận thức về công nghiệp hóa, hiện đại hóa",
            "Hoàn thiện thể chế, cơ chế, chính sách thúc đẩy công nghiệp hóa, hiện đại hóa",
            "Phát triển kết cấu hạ tầng đồng bộ, hiện đại",
            "Phát triển nguồn nhân lực, nhất là nhân lực chất lượng cao",
            "Phát triển các ngành công nghiệp nền tảng, ưu tiên, mũi nhọn",
            "Đẩy mạnh công nghiệp hóa, hiện đại hóa nông nghiệp, nông thôn",
        ],
        "tasks": [
            (["Rà soát, điều chỉnh", "Tham mưu điều chỉnh"],
             "quy hoạch các khu công nghiệp, cụm công nghiệp trên địa bàn {loc}, bảo đảm phù hợp với quy hoạch tỉnh"),
            (["Xây dựng", "Tham mưu xây dựng"],
             "chương trình phát triển công nghiệp hỗ trợ, công nghiệp chế biến, chế tạo giai đoạn 2025-2030"),
            (["Đẩy mạnh", "Tăng cường"],
             "thu hút đầu tư vào các dự án công nghệ cao, thân thiện với môi trường, có giá trị gia tăng lớn"),
            (["Triển khai", "Đẩy nhanh tiến độ"],
             "các dự án hạ tầng giao thông trọng điểm, kết nối các khu công nghiệp với cảng biển, cửa khẩu"),
            (["Tổ chức", "Triển khai"],
             "đào tạo nghề gắn với nhu cầu của doanh nghiệp, nâng cao chất lượng lao động qua đào tạo"),
            (["Hỗ trợ", "Tổ chức hỗ trợ"],
             "doanh nghiệp nhỏ và vừa đổi mới công nghệ, nâng cao năng suất, chất lượng sản phẩm"),
            (["Rà soát", "Rà soát, đánh giá"],
             "thực trạng đô thị hóa, đề xuất giải pháp phát triển đô thị gắn với công nghiệp hóa"),
            (["Xây dựng", "Nghiên cứu, đề xuất"],
             "cơ chế, chính sách khuyến khích phát triển kinh tế tuần hoàn, tăng trưởng xanh"),
            (["Đẩy mạnh", "Tiếp tục thực hiện"],
             "cải cách hành chính, cải thiện môi trường đầu tư kinh doanh, nâng cao chỉ số năng lực cạnh tranh cấp tỉnh"),
            (["Triển khai", "Tổ chức thực hiện"],
             "các chương trình xúc tiến thương mại, mở rộng thị trường tiêu thụ sản phẩm công nghiệp"),
            (["Tham mưu", "Tham mưu bố trí"],
             "nguồn vốn đầu tư công cho các công trình hạ tầng kỹ thuật thiết yếu"),
            (["Đẩy mạnh", "Hỗ trợ"],
             "cơ giới hóa, ứng dụng công nghệ cao trong sản xuất nông nghiệp, hình thành các vùng sản xuất hàng hóa tập trung"),
        ],
        "targets": [
            "tỷ trọng công nghiệp - xây dựng trong GRDP đạt khoảng {P}%",
            "tốc độ tăng trưởng GRDP bình quân giai đoạn 2021-2030 đạt {g}%/năm",
            "tỷ lệ đô thị hóa đạt trên {p}%",
            "tỷ lệ lao động qua đào tạo đạt {P}%, trong đó có bằng cấp, chứng chỉ đạt {p}%",
            "thu nhập bình quân đầu người đạt {M} triệu đồng/năm",
            "tỷ lệ lấp đầy các khu công nghiệp đạt trên {P}%",
        ],
        "goals": [
            "Phấn đấu đến năm 2030 {loc} cơ bản đạt các tiêu chí của tỉnh công nghiệp theo hướng hiện đại",
            "Cơ cấu kinh tế chuyển dịch mạnh theo hướng công nghiệp, dịch vụ; kết cấu hạ tầng được đầu tư đồng bộ",
            "Nâng cao năng lực cạnh tranh, chủ động hội nhập quốc tế sâu rộng",
        ],
        "keys": ["Kế hoạch", "Công Thương", "Xây dựng", "Giao thông", "khu công nghiệp", "Kinh tế và Hạ tầng", "Lao động", "Tài nguyên"],
        "lead": ["Sở Kế hoạch và Đầu tư", "Sở Công Thương", "Phòng Tài chính - Kế hoạch", "Ban Tuyên giáo"],
    },
    "nong_nghiep": {
        "focus": "phát triển nông nghiệp, nông dân, nông thôn",
        "groups": [
            "Đổi mới tư duy, nâng cao nhận thức về vị trí, vai trò của nông nghiệp, nông dân, nông thôn",
            "Cơ cấu lại ngành nông nghiệp gắn với xây dựng nông thôn mới",
            "Phát huy vai trò chủ thể, nâng cao đời sống vật chất, tinh thần của nông dân",
            "Phát triển kết cấu hạ tầng nông thôn đồng bộ, hiện đại",
            "Ứng dụng khoa học, công nghệ, chuyển đổi số trong nông nghiệp",
        ],
        "tasks": [
            (["Xây dựng", "Tham mưu xây dựng"],
             "đề án phát triển vùng nguyên liệu tập trung, quy mô lớn gắn với công nghiệp chế biến"),
            (["Triển khai", "Tiếp tục triển khai"],
             "Chương trình mỗi xã một sản phẩm (OCOP), nâng cao chất lượng, giá trị sản phẩm nông nghiệp"),
            (["Tổ chức", "Phối hợp tổ chức"],
             "tập huấn, chuyển giao tiến bộ khoa học kỹ thuật cho nông dân"),
            (["Rà soát", "Rà soát, điều chỉnh"],
             "quy hoạch sử dụng đất nông nghiệp, tạo điều kiện tích tụ, tập trung ruộng đất"),
            (["Hỗ trợ", "Đẩy mạnh"],
             "phát triển hợp tác xã, tổ hợp tác kiểu mới, liên kết sản xuất theo chuỗi giá trị"),
            (["Đầu tư", "Tham mưu bố trí vốn"],
             "nâng cấp hệ thống thủy lợi, giao thông nội đồng, đáp ứng yêu cầu sản xuất hàng hóa"),
            (["Đẩy mạnh", "Triển khai"],
             "ứng dụng công nghệ cao, công nghệ số trong sản xuất, quản lý, truy xuất nguồn gốc nông sản"),
            (["Tăng cường", "Đẩy mạnh"],
             "công tác đào tạo nghề cho lao động nông thôn, chuyển dịch cơ cấu lao động"),
            (["Triển khai", "Tiếp tục thực hiện"],
             "Chương trình mục tiêu quốc gia xây dựng nông thôn mới, nông thôn mới nâng cao, nông thôn mới kiểu mẫu"),
            (["Xây dựng", "Tham mưu ban hành"],
             "chính sách khuyến khích doanh nghiệp đầu tư vào nông nghiệp, nông thôn trên địa bàn {loc}"),
            (["Tăng cường", "Chỉ đạo"],
             "công tác bảo vệ môi trường nông thôn, thu gom, xử lý rác thải, nước thải sinh hoạt"),
        ],
        "targets": [
            "tốc độ tăng trưởng giá trị sản xuất nông, lâm, thủy sản bình quân đạt {g}%/năm",
            "thu nhập bình quân của cư dân nông thôn đạt trên {M} triệu đồng/người/năm",
            "có {P}% số xã đạt chuẩn nông thôn mới nâng cao",
            "có ít nhất {K} sản phẩm OCOP đạt từ 3 sao trở lên",
            "tỷ lệ lao động nông nghiệp trong tổng lao động xã hội giảm xuống dưới {p}%",
            "100% hộ dân nông thôn được sử dụng nước sạch hợp vệ sinh",
            "tỷ lệ che phủ rừng duy trì ổn định ở mức {p}%",
        ],
        "goals": [
            "Phát triển nông nghiệp hàng hóa tập trung, quy mô lớn, hiệu quả cao, bền vững; nâng cao thu nhập và chất lượng cuộc sống của cư dân nông thôn",
            "Xây dựng nông thôn mới văn minh, có kết cấu hạ tầng đồng bộ, hiện đại, môi trường xanh, sạch, đẹp",
            "Nông dân được đào tạo, có trình độ sản xuất, khả năng tham gia chuỗi giá trị",
        ],
        "keys": ["Nông nghiệp", "Tài nguyên", "Nông dân", "Khoa học", "Công Thương", "Kế hoạch", "Kinh tế và Hạ tầng"],
        "lead": ["Sở Nông nghiệp và Phát triển nông thôn", "Phòng Nông nghiệp và Phát triển nông thôn", "Ban Tuyên giáo"],
    },
    "dang": {
        "focus": "củng cố, xây dựng tổ chức cơ sở đảng và nâng cao chất lượng đội ngũ đảng viên",
        "groups": [
            "Nâng cao nhận thức, trách nhiệm về xây dựng tổ chức cơ sở đảng và đội ngũ đảng viên",
            "Kiện toàn tổ chức, nâng cao chất lượng hoạt động của tổ chức cơ sở đảng",
            "Nâng cao chất lượng sinh hoạt chi bộ",
            "Nâng cao chất lượng công tác phát triển đảng viên, quản lý đảng viên",
            "Tăng cường công tác kiểm tra, giám sát",
        ],
        "tasks": [
            (["Rà soát", "Rà soát, sắp xếp"],
             "mô hình tổ chức cơ sở đảng, kiện toàn các chi bộ trực thuộc bảo đảm phù hợp với thực tiễn"),
            (["Hướng dẫn", "Tham mưu hướng dẫn"],
             "nâng cao chất lượng sinh hoạt chi bộ, sinh hoạt chuyên đề theo hướng thiết thực, hiệu quả"),
            (["Xây dựng", "Tham mưu xây dựng"],
             "kế hoạch phát triển đảng viên, chú trọng kết nạp đảng viên là đoàn viên thanh niên, người lao động trong doanh nghiệp"),
            (["Tổ chức", "Định kỳ tổ chức"],
             "bồi dưỡng nghiệp vụ công tác đảng cho bí thư, phó bí thư chi bộ, cấp ủy viên cơ sở"),
            (["Tăng cường", "Thực hiện"],
             "kiểm tra, giám sát việc chấp hành Điều lệ Đảng, nguyên tắc tổ chức và sinh hoạt đảng của tổ chức cơ sở đảng"),
            (["Rà soát", "Chỉ đạo rà soát"],
             "việc quản lý hồ sơ đảng viên, cập nhật cơ sở dữ liệu đảng viên"),
            (["Triển khai", "Tiếp tục triển khai"],
             "sử dụng Sổ tay đảng viên điện tử, ứng dụng công nghệ thông tin trong quản lý đảng viên"),
            (["Tham mưu", "Nghiên cứu, đề xuất"],
             "việc đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên hằng năm bảo đảm thực chất"),
            (["Đẩy mạnh", "Tăng cường"],
             "tuyên truyền, giáo dục chính trị tư tưởng, nâng cao bản lĩnh chính trị cho đội ngũ đảng viên"),
            (["Tổ chức", "Chỉ đạo tổ chức"],
             "sơ kết việc thực hiện quy định về chức năng, nhiệm vụ của các loại hình tổ chức cơ sở đảng"),
        ],
        "targets": [
            "hằng năm kết nạp từ {K} đảng viên mới trở lên",
            "có trên {P}% tổ chức cơ sở đảng được đánh giá, xếp loại hoàn thành tốt nhiệm vụ trở lên",
            "{P}% thôn, tổ dân phố có chi bộ đảng",
            "100% cấp ủy viên cơ sở được bồi dưỡng nghiệp vụ công tác đảng",
            "tỷ lệ đảng viên được xếp loại hoàn thành tốt nhiệm vụ trở lên đạt trên {P}%",
        ],
        "goals": [
            "Tổ chức cơ sở đảng thực sự là hạt nhân chính trị ở cơ sở, lãnh đạo thực hiện thắng lợi nhiệm vụ chính trị của địa phương, cơ quan, đơn vị",
            "Xây dựng đội ngũ đảng viên có bản lĩnh chính trị vững vàng, phẩm chất đạo đức trong sáng, tiên phong, gương mẫu",
        ],
        "keys": ["Tổ chức", "Kiểm tra", "Tuyên giáo", "Dân vận", "Văn phòng", "Chính trị", "Đảng", "đảng"],
        "lead": ["Ban Tổ chức"],
    },
    "dan_toc": {
        "focus": "phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số và miền núi",
        "groups": [
            "Giải quyết tình trạng thiếu đất ở, nhà ở, đất sản xuất, nước sinh hoạt",
            "Đầu tư cơ sở hạ tầng thiết yếu vùng đồng bào dân tộc thiểu số",
            "Phát triển giáo dục nghề nghiệp, giải quyết việc làm cho người lao động",
            "Bảo tồn, phát huy giá trị văn hóa truyền thống tốt đẹp của các dân tộc",
            "Chăm sóc sức khỏe Nhân dân, nâng cao thể trạng, tầm vóc người dân tộc thiểu số",
        ],
        "tasks": [
            (["Rà soát", "Tổ chức rà soát"],
             "nhu cầu hỗ trợ đất ở, nhà ở, đất sản xuất cho hộ đồng bào dân tộc thiểu số nghèo"),
            (["Triển khai", "Tổ chức thực hiện"],
             "các dự án đầu tư xây dựng, cải tạo đường giao thông nông thôn, trạm y tế, trường học vùng đồng bào dân tộc thiểu số"),
            (["Tổ chức", "Phối hợp tổ chức"],
             "đào tạo nghề, tư vấn việc làm cho lao động là người dân tộc thiểu số"),
            (["Xây dựng", "Tham mưu xây dựng"],
             "kế hoạch bảo tồn, phát huy giá trị văn hóa truyền thống gắn với phát triển du lịch cộng đồng"),
            (["Triển khai", "Tăng cường"],
             "các hoạt động chăm sóc sức khỏe bà mẹ, trẻ em, giảm thiểu tình trạng tảo hôn, hôn nhân cận huyết thống"),
            (["Hướng dẫn", "Tham mưu hướng dẫn"],
             "quy trình, thủ tục thanh toán, quyết toán nguồn vốn thực hiện Chương trình"),
            (["Tổ chức", "Định kỳ tổ chức"],
             "kiểm tra, giám sát tình hình thực hiện các dự án, tiểu dự án thuộc Chương trình"),
            (["Đẩy mạnh", "Tăng cường"],
             "tuyên truyền, phổ biến, giáo dục pháp luật, trợ giúp pháp lý cho đồng bào dân tộc thiểu số"),
            (["Tham mưu phân bổ", "Tham mưu bố trí"],
             "vốn đối ứng từ ngân sách địa phương để thực hiện Chương trình"),
            (["Hỗ trợ", "Triển khai hỗ trợ"],
             "phát triển sản xuất theo chuỗi giá trị, vùng trồng dược liệu quý"),
        ],
        "targets": [
            "thu nhập bình quân của người dân tộc thiểu số đạt trên {M} triệu đồng/người/năm",
            "giảm tỷ lệ hộ nghèo vùng đồng bào dân tộc thiểu số bình quân trên {s}%/năm",
            "{P}% xã có đường ô tô đến trung tâm xã được rải nhựa hoặc bê tông",
            "{P}% lao động trong độ tuổi được tư vấn học nghề và việc làm",
            "{P}% đồng bào dân tộc thiểu số tham gia bảo hiểm y tế",
            "giải quyết việc làm mới cho trên {N} lao động",
        ],
        "goals": [
            "Khai thác tiềm năng, lợi thế của vùng đồng bào dân tộc thiểu số; thu hẹp dần khoảng cách về mức sống, thu nhập so với bình quân chung của {loc}",
            "Bảo tồn, phát huy các giá trị văn hóa truyền thống tốt đẹp của các dân tộc gắn với phát triển du lịch",
        ],
        "keys": ["Dân tộc", "Lao động", "Y tế", "Giáo dục", "Văn hóa", "Nông nghiệp", "Tư pháp"],
        "lead": ["Ban Dân tộc tỉnh", "Phòng Dân tộc"],
    },
    "doanh_nhan": {
        "focus": "xây dựng và phát huy vai trò của đội ngũ doanh nhân",
        "groups": [
            "Nâng cao nhận thức về vị trí, vai trò của đội ngũ doanh nhân",
            "Hoàn thiện cơ chế, chính sách, tạo môi trường kinh doanh thuận lợi",
            "Nâng cao năng lực, trình độ, đạo đức, văn hóa kinh doanh của doanh nhân",
            "Tăng cường sự lãnh đạo của Đảng, phát huy vai trò của các hiệp hội doanh nghiệp",
        ],
        "tasks": [
            (["Tổ chức", "Định kỳ tổ chức"],
             "hội nghị gặp mặt, đối thoại với cộng đồng doanh nghiệp, doanh nhân để tháo gỡ khó khăn, vướng mắc"),
            (["Đẩy mạnh", "Tiếp tục thực hiện"],
             "cải cách thủ tục hành chính, rút ngắn thời gian giải quyết thủ tục đầu tư, đất đai, xây dựng"),
            (["Tổ chức", "Phối hợp tổ chức"],
             "các lớp bồi dưỡng kiến thức quản trị doanh nghiệp, kỹ năng kinh doanh cho doanh nhân"),
            (["Tham mưu", "Tham mưu tổ chức"],
             "tôn vinh doanh nghiệp, doanh nhân tiêu biểu nhân Ngày Doanh nhân Việt Nam"),
            (["Xây dựng", "Tham mưu xây dựng"],
             "chính sách hỗ trợ khởi nghiệp, khuyến khích hộ kinh doanh chuyển đổi thành doanh nghiệp"),
            (["Tăng cường", "Đẩy mạnh"],
             "công tác phát triển tổ chức đảng, đoàn thể trong doanh nghiệp khu vực ngoài nhà nước"),
            (["Hỗ trợ", "Tổ chức hỗ trợ"],
             "doanh nghiệp tiếp cận nguồn vốn tín dụng, đất đai, thông tin thị trường"),
            (["Rà soát", "Rà soát, đánh giá"],
             "việc thực hiện các cơ chế, chính sách hỗ trợ doanh nghiệp nhỏ và vừa trên địa bàn {loc}"),
            (["Phát huy", "Tăng cường"],
             "vai trò của Hiệp hội Doanh nghiệp trong việc đại diện, bảo vệ quyền và lợi ích hợp pháp của hội viên"),
        ],
        "targets": [
            "đến năm 2030 có khoảng {N} doanh nghiệp đang hoạt động",
            "khu vực kinh tế tư nhân đóng góp khoảng {P}% GRDP",
            "số doanh nghiệp thành lập mới tăng bình quân {g}%/năm",
            "chỉ số năng lực cạnh tranh cấp tỉnh (PCI) thuộc nhóm {K} tỉnh, thành phố dẫn đầu cả nước",
            "100% doanh nghiệp được tiếp cận thông tin về chính sách hỗ trợ của Nhà nước",
        ],
        "goals": [
            "Xây dựng đội ngũ doanh nhân lớn mạnh, có tinh thần cống hiến cho dân tộc, có văn hóa kinh doanh, trách nhiệm xã hội cao",
            "Tạo môi trường đầu tư, kinh doanh thông thoáng, minh bạch, bình đẳng cho các doanh nghiệp trên địa bàn {loc}",
        ],
        "keys": ["Kế hoạch", "Công Thương", "Hiệp hội", "Tư pháp", "Tài chính", "Dân vận", "Khối"],
        "lead": ["Sở Kế hoạch và Đầu tư", "Phòng Tài chính - Kế hoạch", "Ban Dân vận"],
    },
}

# Which task group (index into "groups") each entry of "tasks" belongs to.
TASK_GROUPS = {
    "tri_thuc": [1, 2, 1, 0, 0, 1, 4, 4, 4, 3, 4, 3],
    "khcn": [2, 1, 4, 3, 5, 5, 2, 2, 1, 4, 5, 4, 3, 4],
    "cnh": [4, 4, 1, 2, 3, 4, 2, 1, 1, 4, 2, 5],
    "nong_nghiep": [1, 1, 2, 1, 2, 3, 4, 2, 3, 1, 3],
    "dang": [1, 2, 3, 1, 4, 3, 3, 4, 0, 1],
    "dan_toc": [0, 1, 2, 3, 4, 1, 1, 3, 1, 2],
    "doanh_nhan": [0, 1, 2, 0, 1, 3, 1, 1, 3],
}
GENERIC_GROUPS = [0, 0, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, -1]
GENERIC_STATE_ONLY = {3, 5, 7}  # budgets, legal documents, national programmes

# Tasks that fit any topic.  {ref}: short reference to the implemented document.
GENERIC_TASKS = [
    (["Tổ chức quán triệt", "Quán triệt"],
     "nội dung {ref} và Kế hoạch này đến cán bộ, đảng viên, công chức, viên chức và người lao động"),
    (["Đẩy mạnh", "Tăng cường"],
     "công tác tuyên truyền {ref} trên các phương tiện thông tin đại chúng, hệ thống thông tin cơ sở"),
    (["Cụ thể hóa"],
     "các nhiệm vụ của Kế hoạch này vào chương trình công tác hằng năm của cơ quan, đơn vị"),
    (["Tham mưu bố trí", "Bố trí"],
     "kinh phí thực hiện Kế hoạch trong dự toán ngân sách hằng năm theo phân cấp ngân sách hiện hành"),
    (["Tổ chức", "Tham mưu tổ chức"],
     "sơ kết, tổng kết, đánh giá kết quả thực hiện {ref} trên địa bàn {loc}"),
    (["Rà soát", "Rà soát, đánh giá"],
     "các văn bản quy phạm pháp luật do {loc} ban hành có liên quan, đề xuất sửa đổi, bổ sung cho phù hợp"),
    (["Xây dựng", "Xây dựng và triển khai"],
     "kế hoạch kiểm tra, giám sát việc thực hiện {ref} tại các cơ quan, đơn vị, địa phương"),
    (["Lồng ghép", "Tham mưu lồng ghép"],
     "các nội dung của Kế hoạch với việc thực hiện các chương trình mục tiêu quốc gia trên địa bàn"),
    (["Tổ chức", "Định kỳ tổ chức"],
     "kiểm tra, đánh giá việc thực hiện các nhiệm vụ được giao tại Kế hoạch này"),
    (["Xây dựng", "Ban hành"],
     "kế hoạch chi tiết thực hiện các nhiệm vụ được giao, gửi cơ quan thường trực để theo dõi, tổng hợp"),
    (["Phát hiện, nhân rộng", "Tổ chức nhân rộng"],
     "các mô hình hay, cách làm hiệu quả trong triển khai thực hiện {ref}"),
    (["Biểu dương, khen thưởng", "Tham mưu khen thưởng"],
     "kịp thời các tập thể, cá nhân có thành tích tiêu biểu trong thực hiện {ref}"),
    (["Rà soát, kiện toàn", "Kiện toàn"],
     "ban chỉ đạo, tổ giúp việc thực hiện {ref} của {loc}"),
    (["Tăng cường", "Đẩy mạnh"],
     "ứng dụng công nghệ thông tin trong theo dõi, đánh giá việc thực hiện các nhiệm vụ của Kế hoạch"),
    (["Tổ chức", "Phối hợp tổ chức"],
     "các hội nghị, hội thảo chuyên đề về {focus}"),
    (["Nghiên cứu, đề xuất", "Đề xuất"],
     "các giải pháp tháo gỡ khó khăn, vướng mắc trong quá trình thực hiện, báo cáo {superior} xem xét"),
]

TAILS = [
    "bảo đảm thiết thực, hiệu quả",
    "gắn với chương trình công tác hằng năm của cơ quan, đơn vị",
    "trình {superior} xem xét, ban hành",
    "theo đúng quy định hiện hành",
    "phù hợp với điều kiện thực tế của địa phương",
    "bảo đảm đồng bộ, thống nhất",
    "báo cáo {superior} kết quả thực hiện",
]
SECOND_SENTENCES = [
    "Định kỳ tổng hợp, báo cáo kết quả thực hiện về {superior}.",
    "Kịp thời đề xuất tháo gỡ những khó khăn, vướng mắc phát sinh trong quá trình thực hiện.",
    "Chú trọng đổi mới nội dung, phương thức tổ chức thực hiện, phù hợp với từng đối tượng.",
    "Tăng cường phối hợp giữa các cơ quan, đơn vị trong triển khai thực hiện.",
]

# --------------------------------------------------------------------------
# Agencies
# --------------------------------------------------------------------------

PROVINCE_STATE = [
    "Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "Sở Y tế", "Sở Giáo dục và Đào tạo",
    "Sở Công Thương", "Sở Xây dựng", "Sở Khoa học và Công nghệ", "Sở Tư pháp",
    "Sở Thông tin và Truyền thông", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Tài nguyên và Môi trường", "Sở Lao động - Thương binh và Xã hội",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Giao thông vận tải", "Sở Ngoại vụ", "Ban Dân tộc tỉnh",
    "Văn phòng UBND tỉnh", "Thanh tra tỉnh", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh", "Báo {P}", "Liên hiệp các hội Khoa học và Kỹ thuật tỉnh",
    "Ban Quản lý các khu công nghiệp tỉnh", "Cục Thống kê tỉnh", "Trường Chính trị tỉnh",
    "Hội Nông dân tỉnh", "Tỉnh đoàn", "Hiệp hội Doanh nghiệp tỉnh",
]
PROVINCE_STATE_COLLECTIVE = ["Các sở, ban, ngành", "UBND các huyện, thị xã, thành phố"]
PROVINCE_PARTY = [
    "Ban Tổ chức Tỉnh ủy", "Ban Tuyên giáo Tỉnh ủy", "Ban Dân vận Tỉnh ủy", "Ban Nội chính Tỉnh ủy",
    "Ủy ban Kiểm tra Tỉnh ủy", "Văn phòng Tỉnh ủy", "Đảng đoàn HĐND tỉnh", "Ban cán sự đảng UBND tỉnh",
    "Đảng đoàn Ủy ban MTTQ Việt Nam tỉnh", "Trường Chính trị tỉnh", "Báo {P}",
    "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh",
]
PROVINCE_PARTY_COLLECTIVE = ["Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy",
                             "Các ban xây dựng Đảng Tỉnh ủy"]
DISTRICT_STATE = [
    "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Giáo dục và Đào tạo", "Phòng Văn hóa và Thông tin",
    "Phòng Kinh tế và Hạ tầng", "Phòng Nông nghiệp và Phát triển nông thôn", "Phòng Tài nguyên và Môi trường",
    "Phòng Lao động - Thương binh và Xã hội", "Phòng Tư pháp", "Phòng Y tế", "Phòng Dân tộc",
    "Thanh tra huyện", "Văn phòng HĐND và UBND huyện", "Trung tâm Y tế huyện",
    "Trung tâm Văn hóa, Thông tin và Thể thao huyện",
    "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên huyện", "Công an huyện",
    "Ban Chỉ huy Quân sự huyện", "Chi cục Thống kê huyện", "Hội Nông dân huyện", "Huyện đoàn",
]
DISTRICT_STATE_COLLECTIVE = ["Các cơ quan, đơn vị thuộc UBND huyện", "UBND các xã, thị trấn"]
DISTRICT_PARTY = [
    "Ban Tổ chức Huyện ủy", "Ban Tuyên giáo Huyện ủy", "Ban Dân vận Huyện ủy", "Ủy ban Kiểm tra Huyện ủy",
    "Văn phòng Huyện ủy", "Trung tâm Chính trị huyện", "Hội đồng nhân dân huyện", "UBND huyện",
    "Mặt trận Tổ quốc và các tổ chức chính trị - xã hội huyện",
]
DISTRICT_PARTY_COLLECTIVE = ["Các chi, đảng bộ trực thuộc Huyện ủy", "Đảng ủy các xã, thị trấn"]

GENERIC_COOP = {
    "ubnd-tinh": ["các cơ quan, đơn vị liên quan", "các sở, ngành, đơn vị liên quan", "các địa phương",
                  "UBND các huyện, thị xã, thành phố"],
    "ubnd-huyen": ["các cơ quan, đơn vị liên quan", "UBND các xã, thị trấn", "các ngành liên quan"],
    "tinh-uy": ["các cơ quan, đơn vị liên quan", "các ban, cơ quan, đơn vị liên quan",
                "các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc"],
    "huyen-uy": ["các cơ quan, đơn vị liên quan", "các chi, đảng bộ trực thuộc", "các ban xây dựng Đảng của Huyện ủy"],
}
# generic cooperating cells of the annex table
ANNEX_COOP = {
    "ubnd-tinh": ["Các sở, ngành, đơn vị liên quan", "Các sở, ngành, địa phương"],
    "ubnd-huyen": ["Các cơ quan, đơn vị liên quan", "UBND các xã, thị trấn"],
    "tinh-uy": ["Các cơ quan, đơn vị liên quan", "Các ban xây dựng Đảng Tỉnh ủy"],
    "huyen-uy": ["Các cơ quan, đơn vị liên quan", "Các chi, đảng bộ trực thuộc"],
}

ABBREVIATIONS = {
    "Sở Khoa học và Công nghệ": "Sở KH&CN",
    "Sở Giáo dục và Đào tạo": "Sở GD&ĐT",
    "Sở Lao động - Thương binh và Xã hội": "Sở LĐ-TB&XH",
    "Sở Thông tin và Truyền thông": "Sở TT&TT",
    "Sở Kế hoạch và Đầu tư": "Sở KH&ĐT",
    "Sở Nông nghiệp và Phát triển nông thôn": "Sở NN&PTNT",
    "Sở Tài nguyên và Môi trường": "Sở TN&MT",
    "Sở Văn hóa, Thể thao và Du lịch": "Sở VH,TT&DL",
    "Sở Giao thông vận tải": "Sở GTVT",
    "Liên hiệp các hội Khoa học và Kỹ thuật tỉnh": "Liên hiệp các hội KH&KT tỉnh",
    "Đài Phát thanh và Truyền hình tỉnh": "Đài PT&TH tỉnh",
    "Văn phòng UBND tỉnh": "VP UBND tỉnh",
    "UBND các huyện, thị xã, thành phố": "UBND các huyện, TX, TP",
    "Phòng Giáo dục và Đào tạo": "Phòng GD&ĐT",
    "Phòng Văn hóa và Thông tin": "Phòng VH&TT",
    "Phòng Tài chính - Kế hoạch": "Phòng TC-KH",
    "Phòng Lao động - Thương binh và Xã hội": "Phòng LĐ-TB&XH",
    "Phòng Nông nghiệp và Phát triển nông thôn": "Phòng NN&PTNT",
    "Phòng Tài nguyên và Môi trường": "Phòng TN&MT",
    "Phòng Kinh tế và Hạ tầng": "Phòng KT&HT",
    "Văn phòng HĐND và UBND huyện": "Văn phòng HĐND&UBND huyện",
    "Trung tâm Văn hóa, Thông tin và Thể thao huyện": "Trung tâm VH-TT&TT huyện",
}

# Issuer kinds: (level, party?, số hiệu suffix, filename slug)
ISSUERS = {
    "ubnd-tinh": ("province", False, "KH-UBND", "ubnd"),
    "tinh-uy": ("province", True, "KH/TU", "tinh-uy"),
    "ubnd-huyen": ("district", False, "KH-UBND", "ubnd-huyen"),
    "huyen-uy": ("district", True, "KH/HU", "huyen-uy"),
}

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
LETTERS = "abcdđeghiklmn"

# Deadline forms
BODY_DEADLINES = [
    "hoàn thành trong quý {Q}/{Y}", "hoàn thành trong năm {Y}", "thực hiện thường xuyên",
    "thực hiện hằng năm", "hoàn thành trong tháng {M}/{Y}", "ban hành trong quý {Q}/{Y}",
    "thời gian thực hiện: năm {Y}", "thực hiện từ năm {Y}", "định kỳ hằng năm", "hoàn thành trước ngày {D}/{M}/{Y}",
    "xây dựng kế hoạch thực hiện trong quý {Q}/{Y} và thực hiện thường xuyên", "thực hiện hàng năm",
]
CELL_DEADLINES = [
    "{Y}", "Quý {Q}/{Y}", "Năm {Y}", "tháng {M}/{Y}", "Tháng {M}/{Y}", "Từ năm {Y}", "Hằng năm", "Hàng năm",
    "Định kỳ hằng năm", "Thường xuyên", "{Y}-2030", "Giai đoạn {Y}-2030", "Quý {Q} năm {Y}",
]
SENTENCE_DEADLINES = ["Quý {Q}/{Y}", "năm {Y}", "tháng {M}/{Y}", "thường xuyên", "hằng năm", "Từ năm {Y}"]


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def _slug(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _lc(text: str) -> str:
    """Lower-case the first letter unless the first word is an acronym or a name."""
    if not text:
        return text
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def _words(text: str, n: int = 6) -> str:
    return " ".join(text.split()[:n])


def _join(rng: Random, names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if rng.random() < 0.6:
        return ", ".join(names[:-1]) + " và " + names[-1]
    return ", ".join(names)


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _vn_dec(x: float) -> str:
    s = f"{x:.1f}".replace(".", ",")
    return s[:-2] if s.endswith(",0") else s


def _date_long(rng: Random, d: _dt.date, blank_day: bool = False) -> str:
    day = f"{d.day:02d}" if (d.day < 10 and rng.random() < 0.6) else str(d.day)
    month = f"{d.month:02d}" if (d.month < 3 and rng.random() < 0.6) else str(d.month)
    if blank_day:
        return f"ngày     tháng {month} năm {d.year}"
    return f"ngày {day} tháng {month} năm {d.year}"


def _date_short(d: _dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if d.day < 10 else f"{d.day}/{d.month}/{d.year}"


def _fill_time(rng: Random, template: str, start: _dt.date) -> str:
    """Fill {Y} {Q} {M} {D} with a time not earlier than the plan's date."""
    y = start.year + rng.choice([0, 0, 1, 1, 1, 2])
    first_m = start.month + 1 if y == start.year else 1
    if first_m > 12:
        y, first_m = y + 1, 1
    m = rng.randint(first_m, 12)
    q = ["I", "II", "III", "IV"][rng.randint((first_m - 1) // 3, 3)]
    return (template.replace("{Y}", str(y)).replace("{Q}", q).replace("{M}", str(m))
            .replace("{D}", str(rng.choice([15, 20, 30]))))


# --------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------


class _Gen:
    def __init__(self, index: int, seed: int) -> None:
        self.index = index
        self.rng = rng = Random(f"{seed}:{index}")
        self.blocks: list[str] = []
        self.tasks: list[GoldTask] = []
        self.targets = 0
        self.features: dict[str, object] = {}

        # issuer, place
        self.issuer = rng.choices(list(ISSUERS), weights=[4, 2, 2, 2])[0]
        self.level, self.party, self.suffix, issuer_slug = ISSUERS[self.issuer]
        self.province = rng.choice(PROVINCE_NAMES)
        self.district = rng.choice(PROVINCES[self.province]) if self.level == "district" else None

        # resolution
        pool = [r for r in RESOLUTIONS if (r.party_ok if self.party else r.state_ok)]
        self.res: _Resolution = rng.choice(pool)
        self.topic = TOPICS[self.res.topic]

        # format
        self.fmt = "md" if rng.random() < 0.4 else "txt"
        self.txt_mdish = self.fmt == "txt" and rng.random() < 0.2  # like seed 000: md headings in .txt
        self.sep = "\n\n" if (self.fmt == "md" or rng.random() < 0.75) else "\n"
        self.bold_headings = rng.random() < 0.4
        part_style = rng.choice(["{r}. {t}", "{r} - {t}", "{r}- {t}", "{r}. {t}", "{r}/ {t}"])
        self.part_style = part_style
        self.item_dot = rng.random() < 0.85  # "1.1." vs "1.1"
        self.damage_rate = 0.0 if rng.random() < 0.5 else rng.choice([0.03, 0.06, 0.12])
        self.deadline_rate = rng.choice([0.0, 0.2, 0.4, 0.6])
        self.hang_nam = rng.choice(["hằng năm", "hàng năm"])

        fname_place = _slug(self.province) + (f"_{_slug(self.district)}" if self.district else "")
        self.filename = f"plan_{index:05d}_{fname_place}_{issuer_slug}.{self.fmt}"

        # words that depend on level
        if self.level == "province":
            self.loc_word = "tỉnh"
            self.loc_full = f"tỉnh {self.province}"
            self.place = self.province
        else:
            self.loc_word = "huyện"
            self.loc_full = f"huyện {self.district}"
            self.place = self.district
        self.issuer_short = {
            "ubnd-tinh": "UBND tỉnh", "tinh-uy": "Ban Thường vụ Tỉnh ủy",
            "ubnd-huyen": "UBND huyện", "huyen-uy": "Ban Thường vụ Huyện ủy",
        }[self.issuer]
        self.superior = self.issuer_short
        self.pool, self.collective = self._agency_pool()

        # dates, numbers and the chain of implemented documents
        self._dates_and_chain()

    # ---------------------------------------------------------------- agencies
    def _agency_pool(self) -> tuple[list[str], list[str]]:
        p = self.province
        if self.issuer == "ubnd-tinh":
            pool, coll = PROVINCE_STATE, PROVINCE_STATE_COLLECTIVE
        elif self.issuer == "tinh-uy":
            pool, coll = PROVINCE_PARTY, PROVINCE_PARTY_COLLECTIVE
        elif self.issuer == "ubnd-huyen":
            pool, coll = DISTRICT_STATE, DISTRICT_STATE_COLLECTIVE
        else:
            pool, coll = DISTRICT_PARTY, DISTRICT_PARTY_COLLECTIVE
        return [a.replace("{P}", p) for a in pool], list(coll)

    def _weights(self, pool: list[str]) -> list[float]:
        cache = self.__dict__.setdefault("_weight_cache", {})
        keys = self.topic["keys"]
        out = []
        for a in pool:
            w = cache.get(a)
            if w is None:
                w = cache[a] = 8.0 if any(k in a for k in keys) else 1.0
            out.append(w)
        return out

    def pick_agency(self, exclude: set[str] = frozenset()) -> str:
        cands = [a for a in self.pool if a not in exclude and a != getattr(self, "_last_owner", None)]
        if not cands:
            cands = [a for a in self.pool if a not in exclude] or list(self.pool)
        return self.rng.choices(cands, weights=self._weights(cands))[0]

    def pick_owners(self) -> list[str]:
        owners = self._pick_owners()
        self._last_owner = owners[0]
        return owners

    def _pick_owners(self) -> list[str]:
        r = self.rng.random()
        if r < 0.08:
            return list(self.collective) if self.rng.random() < 0.5 else [self.rng.choice(self.collective)]
        if r < 0.16:
            a = self.pick_agency()
            return [a, self.pick_agency({a})]
        return [self.pick_agency()]

    def pick_coop(self, owners: list[str]) -> list[str]:
        rng = self.rng
        k = rng.choice([1, 1, 2, 2, 3])
        out: list[str] = []
        for _ in range(k):
            out.append(self.pick_agency(set(owners) | set(out)))
        if rng.random() < 0.4:
            out.append(rng.choice(GENERIC_COOP[self.issuer]))
        return out

    def lead_agency(self) -> str:
        for cand in self.topic["lead"]:
            for a in self.pool:
                if a == cand or (a.startswith(cand) and self.party):
                    return a
        if self.party:
            return self.pool[0]  # Ban Tổ chức
        return self.pick_agency()

    def finance_agency(self) -> str:
        return {"ubnd-tinh": "Sở Tài chính", "tinh-uy": "Văn phòng Tỉnh ủy",
                "ubnd-huyen": "Phòng Tài chính - Kế hoạch", "huyen-uy": "Văn phòng Huyện ủy"}[self.issuer]

    # ---------------------------------------------------------------- chain
    def _dates_and_chain(self) -> None:
        rng = self.rng
        res = self.res
        d = res.date + _dt.timedelta(days=rng.randint(40, 150))
        self.implements = [res.number]
        self.cites: list[str] = []  # preamble citations of intermediate plans
        ref_short = f"{res.kind} số {res.number}"
        intermediates: list[tuple[str, str]] = []  # (number, citation)

        def tu_plan(date: _dt.date) -> tuple[str, str]:
            n = f"{rng.randint(40, 380)}-KH/TU"
            shown = n.replace("-", " -", 1) if rng.random() < 0.06 else n
            who = rng.choice(["Ban Thường vụ Tỉnh ủy", f"Ban Thường vụ Tỉnh ủy {self.province}"])
            return n, f"Kế hoạch số {shown} ngày {_date_short(date)} của {who} về thực hiện {ref_short}"

        def ubnd_plan(date: _dt.date) -> tuple[str, str]:
            n = f"{rng.randint(20, 2900)}/KH-UBND"
            who = rng.choice(["UBND tỉnh", f"UBND tỉnh {self.province}", f"Ủy ban nhân dân tỉnh {self.province}"])
            verb = rng.choice(["triển khai thực hiện", "thực hiện"])
            return n, f"Kế hoạch số {n} ngày {_date_short(date)} của {who} {verb} {ref_short}"

        def hu_plan(date: _dt.date) -> tuple[str, str]:
            n = f"{rng.randint(20, 260)}-KH/HU"
            return n, f"Kế hoạch số {n} ngày {_date_short(date)} của Ban Thường vụ Huyện ủy thực hiện {ref_short}"

        if self.issuer == "ubnd-tinh" and res.kind == "Nghị quyết" and rng.random() < 0.7:
            intermediates.append(tu_plan(d))
            d += _dt.timedelta(days=rng.randint(20, 100))
        elif self.issuer == "huyen-uy" and rng.random() < 0.85:
            intermediates.append(tu_plan(d))
            d += _dt.timedelta(days=rng.randint(15, 90))
        elif self.issuer == "ubnd-huyen":
            if res.kind == "Nghị quyết":
                r = rng.random()
                if r < 0.35:
                    intermediates.append(tu_plan(d))
                    d += _dt.timedelta(days=rng.randint(15, 60))
                    intermediates.append(ubnd_plan(d))
                elif r < 0.7:
                    intermediates.append(tu_plan(d))
                    d += _dt.timedelta(days=rng.randint(15, 60))
                    intermediates.append(hu_plan(d))
                else:
                    intermediates.append(ubnd_plan(d))
            else:
                intermediates.append(ubnd_plan(d))
            d += _dt.timedelta(days=rng.randint(15, 90))
        self.implements += [n for n, _ in intermediates]
        self.cites = [c for _, c in intermediates]
        self.date = d
        self.year = d.year

        blank = rng.random() < 0.15
        if blank:
            self.number = None
        elif self.suffix == "KH-UBND":
            self.number = f"{rng.randint(15, 3200)}/KH-UBND"
        else:
            self.number = f"{rng.randint(30, 420)}-{self.suffix}"
        self.blank_day = blank and rng.random() < 0.7
        self.features["blank_number"] = blank

    # ---------------------------------------------------------------- output primitives
    def add(self, text: str) -> None:
        self.blocks.append(text)

    def heading(self, text: str, levels: tuple[int, int]) -> None:
        rng = self.rng
        bold = self.bold_headings and rng.random() < 0.8
        if self.fmt == "md" or self.txt_mdish:
            lvl = rng.randint(*levels)  # deliberately not tied to the hierarchy
            inner = f"**{text}**" if bold else text
            self.add("#" * lvl + " " + inner)
        else:
            self.add(f"**{text}**" if (bold and rng.random() < 0.3) else text)

    def bullet(self, text: str, mark: str = "-") -> str:
        if mark == "+" and self.fmt == "md":
            return f"  + {text}"
        return f"{mark} {text}"

    def part(self, idx: int, title: str) -> str:
        r = ROMAN[idx]
        style = self.part_style
        if self.rng.random() < 0.12:  # the seeds mix "I -" and "II-"
            style = self.rng.choice(["{r}. {t}", "{r} - {t}", "{r}- {t}"])
        self.heading(style.format(r=r, t=title), (2, 5))
        return r

    def num(self, *parts: object) -> str:
        s = ".".join(str(p) for p in parts)
        return s + "." if (self.item_dot or len(parts) == 1) else s

    # ---------------------------------------------------------------- task text
    def _ref(self) -> str:
        res = self.res
        ref = f"{res.kind} số {res.number}"
        if self.rng.random() < 0.3:
            ref += f" ngày {_date_short(res.date)}"
        return ref

    def _fill(self, s: str) -> str:
        loc = self.rng.choice([self.loc_word, self.loc_full, self.loc_word])
        return (s.replace("{loc}", loc).replace("{ref}", self._ref())
                .replace("{superior}", self.superior).replace("{focus}", self.topic["focus"]))

    def _deck(self, group: int | None = None) -> tuple[list[str], str, int]:
        """Draw a (verbs, object, group) card, preferring the given task group."""
        if not getattr(self, "_cards", None):
            cards = [(v, o, g) for (v, o), g in zip(self.topic["tasks"], TASK_GROUPS[self.res.topic])]
            cards += [(v, o, g) for i, ((v, o), g) in enumerate(zip(GENERIC_TASKS, GENERIC_GROUPS))
                      if not (self.party and i in GENERIC_STATE_ONLY)]
            self.rng.shuffle(cards)
            self._cards = cards
        cards = self._cards
        if group is not None:
            for want in (group, -1):
                for i in range(len(cards) - 1, -1, -1):
                    if cards[i][2] == want:
                        return cards.pop(i)
        return cards.pop()

    def _deadline(self, allow: bool = True) -> tuple[str, str | None]:
        """Return (suffix to append before the final full stop, deadline_raw)."""
        rng = self.rng
        if not allow or rng.random() >= self.deadline_rate:
            return "", None
        if rng.random() < 0.8:
            raw = _fill_time(rng, rng.choice(BODY_DEADLINES), self.date)
            raw = raw.replace("hằng năm", self.hang_nam) if rng.random() < 0.5 else raw
            if rng.random() < 0.15:
                raw = _cap(raw)
            shown = f"*{raw}*" if (self.fmt == "md" and rng.random() < 0.5) else raw
            return f" ({shown})", raw
        raw = _fill_time(rng, rng.choice(SENTENCE_DEADLINES), self.date)
        lead = rng.choice(["Thời gian thực hiện", "Thời gian hoàn thành"])
        return f". {lead}: {raw}", raw

    def _damage(self, text: str) -> str:
        """Page-break damage: a blank line inside the sentence (never in the first 8 words)."""
        if self.damage_rate and self.rng.random() < self.damage_rate:
            words = text.split(" ")
            if len(words) > 12:
                k = self.rng.randint(8, len(words) - 2)
                self.features["page_breaks"] = int(self.features.get("page_breaks", 0)) + 1
                return " ".join(words[:k]) + "\n\n" + " ".join(words[k:])
        return text

    def task_body(self, owners: list[str], coop_prob: float = 0.35, subject: str | None = None,
                  deadline: bool = True, group: int | None = None
                  ) -> tuple[str, list[str], str | None, tuple[str, str, int]]:
        """Compose a task sentence.  ``subject`` puts the owner in the sentence
        ("Sở X chủ trì, phối hợp với ..."); otherwise the text follows an "Agency:" label.
        Returns (text, cooperating, deadline_raw, (verb, object)) ."""
        rng = self.rng
        verbs, obj, card_group = self._deck(group)
        verb = rng.choice(verbs)
        obj = self._fill(obj)
        coop: list[str] = []
        with_coop = rng.random() < coop_prob
        if self.party and owners and not with_coop and rng.random() < 0.45:
            lead_in = rng.choice(["Lãnh đạo, chỉ đạo", "Chỉ đạo", f"Tham mưu {self.superior} lãnh đạo, chỉ đạo",
                                  "Lãnh đạo, chỉ đạo các cơ quan, đơn vị liên quan"])
            verb = f"{lead_in} {_lc(verb)}"
        if with_coop:
            coop = self.pick_coop(owners)
            verb = verb.removeprefix("Phối hợp ").removeprefix("Chủ trì ")
            lead = f"chủ trì, phối hợp với {_join(rng, coop)} "
            core = (f"{subject} {lead}{_lc(verb)} {obj}" if subject
                    else f"{_cap(lead)}{_lc(verb)} {obj}")
        elif subject:
            core = f"{subject} {rng.choice(['', 'chủ trì '])}{_lc(verb)} {obj}".replace("  ", " ")
        else:
            core = f"{verb} {obj}"
        r = rng.random()
        if r < 0.35:
            core += "; " + self._fill(rng.choice(TAILS))
        core = self._damage(core)
        suffix, raw = self._deadline(deadline)
        text = core + suffix + "."
        if rng.random() < 0.15 and not suffix.startswith("."):
            text += " " + self._fill(rng.choice(SECOND_SENTENCES))
        return text, coop, raw, (verb, obj, card_group)

    def record(self, section: str, text: str, owners: list[str], coop: list[str],
               raw: str | None, card: tuple[str, str, int] | None = None, group: int | None = None) -> None:
        self.tasks.append(GoldTask(section, _words(text), list(owners), list(coop), raw))
        if owners and card is not None:
            verb, obj, card_group = card
            if group is None:
                group = card_group if card_group >= 0 else self.rng.randrange(len(self.topic["groups"]))
            self.annex_pool.append((group, (verb, obj), owners, coop))

    # ---------------------------------------------------------------- document parts
    def header(self) -> None:
        rng = self.rng
        p_up = self.province.upper()
        if self.issuer == "ubnd-tinh":
            issuer = rng.choice([["ỦY BAN NHÂN DÂN", f"TỈNH {p_up}"], [f"ỦY BAN NHÂN DÂN TỈNH {p_up}"],
                                 ["UBND TỈNH " + p_up]])
        elif self.issuer == "tinh-uy":
            issuer = rng.choice([[f"TỈNH ỦY {p_up}", "*"], [f"ĐẢNG BỘ TỈNH {p_up}", "TỈNH ỦY", "*"],
                                 [f"TỈNH ỦY {p_up}"]])
        elif self.issuer == "ubnd-huyen":
            issuer = rng.choice([["ỦY BAN NHÂN DÂN", f"HUYỆN {self.district.upper()}"],
                                 [f"ỦY BAN NHÂN DÂN HUYỆN {self.district.upper()}"]])
        else:
            issuer = rng.choice([[f"ĐẢNG BỘ TỈNH {p_up}", f"HUYỆN ỦY {self.district.upper()}", "*"],
                                 [f"HUYỆN ỦY {self.district.upper()}", "*"]])
        motto = (["ĐẢNG CỘNG SẢN VIỆT NAM"] if self.party
                 else ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"])
        if self.number:
            num = f"Số: {self.number}" if (not self.party or rng.random() < 0.4) else f"Số {self.number}"
        else:
            num = (f"Số: /{self.suffix}" if self.suffix == "KH-UBND"
                   else f"Số      -{self.suffix}")
        date = f"{self.place}, {_date_long(rng, self.date, self.blank_day)}"

        mode = rng.random()
        if mode < 0.12:
            # conversion lost the issuer block (seed 000 / 002)
            self.features["header"] = "lost"
            if rng.random() < 0.5:
                self.add(num)
                self.add(date)
            else:  # the number is nowhere in the text any more
                self.number = None
            return
        if self.fmt == "md" and mode < 0.3:
            self.features["header"] = "table"
            self.add(f"| {'<br>'.join(issuer)} | {'<br>'.join(motto)} |\n|---|---|\n| {num} | *{date}* |")
            return
        if mode < 0.55:
            self.features["header"] = "two-column"
            left = [x for x in issuer if x != "*"] + [num]
            right = list(motto)
            if len(right) < len(left) - 1:
                right += [""] * (len(left) - 1 - len(right))
            right.append(date)
            left += [""] * (len(right) - len(left))
            gap = "\t" if rng.random() < 0.5 else " " * rng.randint(6, 20)
            lines = [(l + gap + r).rstrip() for l, r in zip(left, right)]
            self.add("\n".join(lines))
            return
        self.features["header"] = "stacked"
        if self.fmt == "md" and rng.random() < 0.5:
            issuer = [f"**{x}**" for x in issuer]
            motto = [f"**{x}**" for x in motto]
        self.add("\n".join(issuer))
        self.add("\n".join(motto))
        self.add(num)
        self.add(date)

    def title(self) -> None:
        rng = self.rng
        res = self.res
        if self.fmt == "md" or self.txt_mdish:
            self.add("#" * rng.randint(1, 3) + " KẾ HOẠCH")
        else:
            self.add("KẾ HOẠCH")
        date = _date_short(res.date)
        body = res.body if res.body != "Ban Chấp hành Trung ương" or rng.random() < 0.6 \
            else "Ban Chấp hành Trung ương Đảng khóa XIII"
        if self.cites and rng.random() < 0.35:
            subj = self.cites[-1]
            subj = _cap(rng.choice(["thực hiện ", "triển khai thực hiện "]) + subj)
        else:
            verb = rng.choice(["Thực hiện", "thực hiện", "Triển khai thực hiện"])
            subj = f"{verb} {res.kind} số {res.number} ngày {date} của {body} {res.subject}"
        if self.fmt == "md" or self.txt_mdish:
            self.add("#" * rng.randint(2, 4) + " " + subj)
            return
        if rng.random() < 0.5:  # wrapped like the PDF text of seed 002
            words, lines, cur = subj.split(), [], ""
            width = rng.randint(55, 75)
            for w in words:
                if cur and len(cur) + 1 + len(w) > width:
                    lines.append(cur)
                    cur = w
                else:
                    cur = f"{cur} {w}".strip()
            lines.append(cur)
            subj = "\n".join(lines)
        if rng.random() < 0.4:
            subj = f"**{subj}**"
        self.add(subj)
        if rng.random() < 0.3:
            self.add("-----")

    def preamble(self) -> None:
        rng = self.rng
        res = self.res
        parts = []
        body = res.body if res.body != "Ban Chấp hành Trung ương" else rng.choice(
            ["Ban Chấp hành Trung ương", "Ban Chấp hành Trung ương Đảng khóa XIII"])
        first = f"{res.kind} số {res.number} ngày {_date_short(res.date)} của {body} {res.subject}"
        if rng.random() < 0.3:
            first += f" (viết tắt là {res.kind} số {res.number})"
        parts.append(first)
        parts += self.cites
        if not self.party and rng.random() < 0.3:
            self.add("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")
        joiner = rng.choice(["; ", ", "])
        ending = rng.choice(["như sau:", "với những nội dung chủ yếu sau:", "cụ thể như sau:",
                             "với các nội dung sau:"])
        verb = rng.choice(["ban hành Kế hoạch thực hiện", "ban hành Kế hoạch triển khai thực hiện",
                           "xây dựng Kế hoạch tổ chức thực hiện", "ban hành Kế hoạch"])
        text = f"Thực hiện {joiner.join(parts)}; {self.issuer_short} {verb} {ending}"
        self.add(text)

    def purpose(self, pidx: int) -> None:
        rng = self.rng
        self.part(pidx, rng.choice(["MỤC ĐÍCH, YÊU CẦU", "MỤC ĐÍCH, YÊU CẦU", "MỤC ĐÍCH VÀ YÊU CẦU"]))
        refs = f"{self.res.kind} số {self.res.number}" + (
            f", Kế hoạch số {self.implements[1]}" if len(self.implements) > 1 else "")
        focus = self.topic["focus"]
        purposes = [
            f"Quán triệt, triển khai cụ thể hóa nội dung {refs} trong các cấp, các ngành từ {self.loc_word} đến cơ sở, "
            f"nhằm tạo chuyển biến mạnh mẽ trong nhận thức và hành động về {focus}.",
            f"Xác định rõ nhiệm vụ, giải pháp và phân công trách nhiệm cụ thể cho các cơ quan, đơn vị, địa phương "
            f"trong tổ chức thực hiện {refs}, phù hợp với điều kiện thực tế của {self.loc_full}.",
            f"Tạo sự thống nhất cao trong nhận thức và hành động của các cấp ủy, tổ chức đảng, chính quyền, Mặt trận "
            f"Tổ quốc và các tổ chức chính trị - xã hội về {focus}.",
        ]
        requirements = [
            "Các cơ quan, đơn vị, địa phương xác định đây là nhiệm vụ quan trọng, thường xuyên; chủ động xây dựng "
            "kế hoạch cụ thể để tổ chức thực hiện có hiệu quả.",
            "Nêu cao trách nhiệm của người đứng đầu trong lãnh đạo, chỉ đạo, tổ chức thực hiện; bảo đảm đồng bộ, "
            "thống nhất, hiệu quả.",
            "Thường xuyên đôn đốc, kiểm tra, định kỳ đánh giá kết quả thực hiện, kịp thời bổ sung, điều chỉnh "
            "nhiệm vụ, giải pháp phù hợp với tình hình thực tiễn.",
            "Tăng cường phối hợp giữa các cơ quan, đơn vị trong triển khai thực hiện, bảo đảm đúng tiến độ, chất lượng.",
        ]
        if rng.random() < 0.75:
            self.heading(self.num(1) + " Mục đích", (3, 6))
            for s in rng.sample(purposes, rng.randint(1, 2)):
                self.add(self._damage(self.bullet(s)) if rng.random() < 0.7 else s)
            self.heading(self.num(2) + " Yêu cầu", (3, 6))
            for s in rng.sample(requirements, rng.randint(2, 3)):
                self.add(self.bullet(s))
        else:
            for s in rng.sample(purposes, 1) + rng.sample(requirements, 2):
                self.add(self.bullet(s))

    def _target_clause(self) -> str:
        rng = self.rng
        deck = self.__dict__.setdefault("_target_deck", [])
        if not deck:
            deck.extend(self.topic["targets"])
            rng.shuffle(deck)
        tpl = deck.pop()
        big_scale = 1000 if self.level == "province" else 100
        a = rng.randint(3, 60) / 10
        b = a + rng.randint(5, 60) / 10
        vals = {
            "{N}": _vn_int(rng.randint(8, 150) * big_scale),
            "{P}": str(rng.choice([70, 75, 80, 85, 90, 95, 98])),
            "{p}": _vn_dec(rng.choice([rng.randint(5, 45), rng.randint(10, 150) / 10])),
            "{g}": _vn_dec(rng.randint(60, 110) / 10),
            "{s}": _vn_dec(rng.randint(10, 40) / 10),
            "{A}": _vn_dec(a), "{B}": _vn_dec(b),
            "{R}": rng.choice(["01-02", "02-03", "03-05", "05-07"]),
            "{K}": str(rng.randint(3, 30)), "{K2}": str(rng.randint(31, 80)),
            "{M}": str(rng.randint(45, 160)),
            "{loc}": rng.choice([self.loc_word, self.loc_full]),
        }
        return re.sub(r"\{[A-Za-z0-9]+\}", lambda m: vals[m.group(0)], tpl)

    def _goal(self) -> str:
        deck = self.__dict__.setdefault("_goal_deck", [])
        if not deck:
            deck.extend(self.topic["goals"])
            self.rng.shuffle(deck)
        return self._fill(deck.pop()) + "."

    def _target_bullet(self) -> str:
        rng = self.rng
        n = 2 if rng.random() < 0.25 else 1
        clauses = [self._target_clause() for _ in range(n)]
        self.targets += n
        lead = rng.choice(["", "", "Phấn đấu ", "Đến năm 2030, ", "Phấn đấu đến năm 2030, "])
        return _cap(lead + "; ".join(clauses)) + "."

    def objectives(self, pidx: int) -> None:
        rng = self.rng
        self.part(pidx, rng.choice(["MỤC TIÊU", "MỤC TIÊU", "MỤC TIÊU, CHỈ TIÊU",
                                    "MỤC TIÊU ĐẾN NĂM 2030 VÀ TẦM NHÌN ĐẾN NĂM 2045"]))
        n_targets = rng.choice([0, 1, 2, 2, 3, 3, 4, 4, 5, 6])
        style = rng.choice(["chung-cuthe", "2030-2045", "flat", "letters"])
        self.features["objectives"] = style

        def bullets(nt: int, ng: int) -> None:
            items = ["T"] * nt + ["G"] * ng
            rng.shuffle(items)
            for it in items:
                self.add(self.bullet(self._target_bullet() if it == "T" else self._goal()))

        if style == "chung-cuthe":
            self.heading(self.num(1) + " Mục tiêu chung", (3, 6))
            self.add(self._goal())
            self.heading(self.num(2) + " Mục tiêu cụ thể", (3, 6))
            bullets(max(n_targets, 1), rng.randint(0, 1))
        elif style == "2030-2045":
            self.heading(self.num(1) + " Mục tiêu đến năm 2030", (3, 6))
            bullets(n_targets, rng.randint(1, 2))
            self.heading(self.num(2) + " Tầm nhìn đến năm 2045", (3, 6))
            vision = self._damage(
                f"Tiếp tục {self.topic['focus']} của {self.loc_full}, đáp ứng yêu cầu phát triển nhanh, bền vững")
            if rng.random() < 0.4:
                vision += "; " + self._target_clause()
                self.targets += 1
            self.add(vision + ".")
        elif style == "letters":
            self.add("a) Mục tiêu chung")
            self.add(self._goal())
            self.add("b) Mục tiêu cụ thể")
            bullets(n_targets, 1)
        else:
            bullets(n_targets, rng.randint(1, 2))

    # ---- task parts
    def _group_plan(self, n_tasks: int) -> list[tuple[int, str, int]]:
        """Split n_tasks over topic groups -> [(group index, title, quota)]."""
        rng = self.rng
        titles = list(self.topic["groups"])
        n_groups = max(1, min(len(titles), n_tasks // 2, rng.randint(2, 6)))
        chosen = sorted(rng.sample(range(len(titles)), n_groups))
        quotas = [1] * n_groups
        for _ in range(n_tasks - n_groups):
            quotas[rng.randrange(n_groups)] += 1
        return [(gi, titles[gi], q) for gi, q in zip(chosen, quotas)]

    def owner_label(self, owners: list[str]) -> str:
        if len(owners) == 1:
            return owners[0]
        return self.rng.choice([", ", " và ", "; "]).join(owners)

    def tasks_part_state(self, pidx: int, n_tasks: int) -> str:
        """UBND-style: groups with agency-owned items (seed 000)."""
        rng = self.rng
        r = self.part(pidx, rng.choice(["NHIỆM VỤ CỤ THỂ", "NHIỆM VỤ, GIẢI PHÁP", "NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU",
                                        "NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM", "NHIỆM VỤ TRỌNG TÂM"]))
        styles_used = Counter()
        for g, (gi, title, quota) in enumerate(self._group_plan(n_tasks), start=1):
            self.heading(f"{self.num(g)} {title}", (3, 6))
            style = rng.choices(["heading-bullets", "inline", "dash-inline", "subject", "no-colon", "letters"],
                                weights=[3, 4, 2, 2, 1, 1 if quota <= len(LETTERS) else 0])[0]
            styles_used[style] += 1
            numbered_subject = rng.random() < 0.5
            k = 0
            seen: set[str] = set()
            while quota > 0:
                k += 1
                for _ in range(5):
                    owners = self.pick_owners()
                    if not seen.intersection(owners):
                        break
                seen.update(owners)
                label = self.owner_label(owners)
                if style == "heading-bullets" or (style == "no-colon" and rng.random() < 0.5):
                    n = min(quota, rng.randint(1, 4))
                    colon = ":" if style == "heading-bullets" else ""
                    mark = "+" if rng.random() < 0.15 else "-"
                    self.add(f"{self.num(g, k)} {label}{colon}")
                    for _ in range(n):
                        text, coop, raw, sp = self.task_body(owners, group=gi)
                        self.add(self.bullet(text, mark))
                        self.record(f"{r}.{g}.{k}", text, owners, coop, raw, sp, gi)
                    quota -= n
                elif style == "no-colon":
                    text, coop, raw, sp = self.task_body(owners, group=gi)
                    self.add(f"{self.num(g, k)} {label}")
                    self.add(text)
                    self.record(f"{r}.{g}.{k}", text, owners, coop, raw, sp, gi)
                    quota -= 1
                elif style == "inline":
                    text, coop, raw, sp = self.task_body(owners, group=gi)
                    self.add(f"{self.num(g, k)} {label}: {text}")
                    self.record(f"{r}.{g}.{k}", text, owners, coop, raw, sp, gi)
                    quota -= 1
                elif style == "dash-inline":
                    text, coop, raw, sp = self.task_body(owners, group=gi)
                    self.add(self.bullet(f"{label}: {text}"))
                    self.record(f"{r}.{g}", text, owners, coop, raw, sp, gi)
                    quota -= 1
                elif style == "subject":
                    if len(owners) > 1 and owners[0] not in self.collective:
                        owners = owners[:1]
                    giao = rng.random() < 0.35
                    if giao:  # "Giao các sở, ban, ngành ..." - recorded as written
                        owners = [_lc(o) if o.startswith("Các ") else o for o in owners]
                    label = self.owner_label(owners).replace("; ", ", ")
                    subj = ("Giao " if giao else "") + label
                    text, coop, raw, sp = self.task_body(owners, coop_prob=0.6, subject=subj, group=gi)
                    if numbered_subject:
                        self.add(f"{self.num(g, k)} {text}")
                        self.record(f"{r}.{g}.{k}", text, owners, coop, raw, sp, gi)
                    else:
                        self.add(self.bullet(text))
                        self.record(f"{r}.{g}", text, owners, coop, raw, sp, gi)
                    quota -= 1
                else:  # letters
                    text, coop, raw, sp = self.task_body(owners, group=gi)
                    letter = LETTERS[k - 1]
                    self.add(f"{letter}) {label}: {text}")
                    self.record(f"{r}.{g}.{letter}", text, owners, coop, raw, sp, gi)
                    quota -= 1
        self.features["item_styles"] = dict(styles_used)
        return r

    def tasks_part_general(self, pidx: int, n_tasks: int) -> str:
        """Party-style general solutions: groups of bullets with no owner (seed 002 part III)."""
        rng = self.rng
        r = self.part(pidx, rng.choice(["NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", "NHIỆM VỤ, GIẢI PHÁP",
                                        "NHỮNG NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU"]))
        for g, (gi, title, quota) in enumerate(self._group_plan(n_tasks), start=1):
            self.heading(f"{self.num(g)} {title}", (3, 6))
            for _ in range(quota):
                text, coop, raw, sp = self.task_body([], coop_prob=0.0, deadline=False, group=gi)
                self.add(self.bullet(text) if rng.random() < 0.85 else text)
                self.record(f"{r}.{g}", text, [], [], raw, None, gi)
        return r

    def tasks_part_assign(self, pidx: int, n_tasks: int) -> str:
        """Party-style "NHIỆM VỤ CỤ THỂ": agency headings, no colon (seed 002 part IV)."""
        rng = self.rng
        r = self.part(pidx, rng.choice(["NHIỆM VỤ CỤ THỂ", "PHÂN CÔNG NHIỆM VỤ", "NHIỆM VỤ CỤ THỂ CỦA CÁC CƠ QUAN, ĐƠN VỊ"]))
        used: set[str] = set()
        k = 0
        colon = ":" if rng.random() < 0.3 else ""
        while n_tasks > 0:
            k += 1
            if rng.random() < 0.12:
                owners = [rng.choice(self.collective)]
            else:
                owners = [self.pick_agency(used)]
            used.update(owners)
            self.add(f"{self.num(k)} {owners[0]}{colon}")
            n = min(n_tasks, rng.randint(1, 3))
            for _ in range(n):
                text, coop, raw, sp = self.task_body(owners, coop_prob=0.2)
                self.add(self.bullet(text) if n > 1 or rng.random() < 0.5 else text)
                self.record(f"{r}.{k}", text, owners, coop, raw, sp)
            n_tasks -= n
        return r

    def funding(self, pidx: int) -> None:
        self.part(pidx, "KINH PHÍ THỰC HIỆN")
        self.add("Kinh phí thực hiện Kế hoạch được bố trí từ nguồn ngân sách nhà nước theo phân cấp hiện hành "
                 "và các nguồn huy động hợp pháp khác theo quy định của pháp luật.")

    def implementation(self, pidx: int, n_tasks: int, has_annex: bool) -> None:
        rng = self.rng
        r = self.part(pidx, "TỔ CHỨC THỰC HIỆN")
        lead = self.lead_agency()
        mttq = {"province": "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "district": "Ủy ban Mặt trận Tổ quốc Việt Nam huyện"}[self.level]
        cands: list[tuple[list[str], str, list[str]]] = []  # owners, text, coop
        coll = self.collective
        annex_note = (" (chi tiết theo Phụ lục kèm theo)" if has_annex else "")
        owners0 = list(coll) if rng.random() < 0.5 else [coll[0]]
        cands.append((owners0, f"{', '.join(owners0)} căn cứ chức năng, nhiệm vụ được giao, tổ chức triển khai thực hiện "
                    f"các nội dung của Kế hoạch này{annex_note}; cụ thể hóa thành chương trình, kế hoạch công tác "
                    f"{self.hang_nam} của cơ quan, đơn vị, địa phương.", []))
        coop = [rng.choice(GENERIC_COOP[self.issuer])]
        cands.append(([lead], f"Giao {lead} chủ trì, phối hợp với {coop[0]} theo dõi, đôn đốc, kiểm tra việc triển "
                      f"khai thực hiện Kế hoạch; định kỳ tổng hợp, báo cáo {self.superior} kết quả thực hiện", coop))
        if not self.party:
            owners = [mttq, f"các tổ chức chính trị - xã hội {self.loc_word}"]
            cands.append((owners, f"Đề nghị {mttq} và {owners[1]} tăng cường tuyên truyền, vận động đoàn viên, hội "
                          f"viên và Nhân dân tích cực thực hiện; tham gia giám sát, phản biện xã hội việc thực hiện "
                          f"{self.res.kind} số {self.res.number}.", []))
        else:
            owners = [f"Các đồng chí ủy viên Ban Thường vụ {'Tỉnh' if self.level == 'province' else 'Huyện'} ủy"]
            cands.append((owners, f"{owners[0]} có trách nhiệm lãnh đạo, chỉ đạo, kiểm tra, đôn đốc việc thực hiện "
                          f"{self.res.kind} số {self.res.number} và Kế hoạch này ở địa phương, cơ quan, đơn vị được "
                          f"phân công phụ trách.", []))
        fin = self.finance_agency()
        cands.append(([fin], f"{fin} tham mưu bố trí kinh phí thực hiện Kế hoạch theo quy định.", []))
        n = max(1, min(n_tasks, len(cands)))
        chosen = cands[:1] + rng.sample(cands[1:], n - 1) if n > 1 else cands[:1]
        for i, (owners, text, cp) in enumerate(chosen, start=1):
            raw = None
            if not text.endswith("."):
                if rng.random() < 0.4:
                    raw = rng.choice(["trước ngày 15/12 " + self.hang_nam, "định kỳ 6 tháng, " + self.hang_nam,
                                      "thực hiện thường xuyên"])
                    text += f" ({raw})"
                text += "."
            if i == len(chosen):
                text = text[:-1] + "./."
            self.add(f"{self.num(i)} {text}")
            self.tasks.append(GoldTask(f"{r}.{i}", _words(text), owners, cp, raw))

    def recipients_and_signature(self) -> None:
        rng = self.rng
        lv = self.level
        if self.party:
            recips = (["Ban Bí thư Trung ương Đảng (để b/c)", "Thường trực Tỉnh ủy", "Các ban đảng Tỉnh ủy",
                       "Các huyện ủy, thị ủy, thành ủy, đảng ủy trực thuộc", "Lưu Văn phòng Tỉnh ủy"]
                      if lv == "province" else
                      ["Thường trực Tỉnh ủy (b/c)", "Thường trực Huyện ủy, HĐND huyện", "Ủy ban nhân dân huyện",
                       "Các cơ quan, ban, ngành, đoàn thể huyện", "Các chi, đảng bộ trực thuộc Huyện ủy",
                       "Lưu Văn phòng Huyện ủy"])
            role = rng.choice(["BÍ THƯ", "PHÓ BÍ THƯ", "PHÓ BÍ THƯ THƯỜNG TRỰC"])
            sig = [rng.choice(["T/M BAN THƯỜNG VỤ", "TM. BAN THƯỜNG VỤ", "T/M BAN THƯỜNG VỤ HUYỆN ỦY"
                               if lv == "district" else "T/M BAN THƯỜNG VỤ TỈNH ỦY"]), role]
        else:
            recips = (["Văn phòng Chính phủ (b/c)", "TT Tỉnh ủy, TT HĐND tỉnh", "Chủ tịch, các Phó Chủ tịch UBND tỉnh",
                       "Ủy ban MTTQ tỉnh và các tổ chức CT-XH", "Các sở, cơ quan thuộc UBND tỉnh",
                       "UBND các huyện, thị xã, thành phố", "Lưu: VT, KGVX"]
                      if lv == "province" else
                      ["UBND tỉnh (b/c)", "TT Huyện ủy, TT HĐND huyện", "Chủ tịch, các PCT UBND huyện",
                       "Các cơ quan, đơn vị thuộc UBND huyện", "UBND các xã, thị trấn", "Lưu: VT"])
            sig = ["TM. ỦY BAN NHÂN DÂN"] + rng.choice([["CHỦ TỊCH"], ["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]])
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"
        if rng.random() < 0.3:
            name = name.split(" ", 1)[0] + " " + name.rsplit(" ", 1)[1]
        if rng.random() < 0.3:
            recips = [x for i, x in enumerate(recips) if i != rng.randrange(len(recips) - 1)]
        head = "Nơi nhận:"
        if self.fmt == "md":
            rec_block = f"#### **{head}**" if rng.random() < 0.5 else f"**{head}**"
            lines = "\n".join(f"- {x};" for x in recips)
            sig_block = "  \n".join(f"**{x}**" for x in sig)
            name_block = f"**{name}**"
        else:
            rec_block = head
            lines = "\n".join(f"- {x}," for x in recips)
            sig_block = "\n".join(sig)
            name_block = name
        extra = ["(Đã ký)"] if rng.random() < 0.15 else []
        if rng.random() < 0.6:
            self.add(rec_block)
            self.add(lines)
            self.add(sig_block)
            self.blocks += extra
            self.add(name_block)
        else:
            self.add(sig_block)
            self.blocks += extra
            self.add(name_block)
            self.add(rec_block)
            self.add(lines)

    # ---- annex
    def annex(self, n_rows: int) -> None:
        rng = self.rng
        self.features["annex"] = True
        if self.number:
            number_ref = self.number
        else:
            number_ref = f"   /{self.suffix}" if self.suffix == "KH-UBND" else f"   -{self.suffix}"
        ref_doc = next((x for x in self.implements[1:]), None)
        title = rng.choice([
            f"DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM THỰC HIỆN KẾ HOẠCH SỐ {ref_doc}" if ref_doc else
            f"DANH MỤC CÁC NHIỆM VỤ TRỌNG TÂM THỰC HIỆN {self.res.kind.upper()} SỐ {self.res.number}",
            "PHỤ LỤC\nPHÂN CÔNG NHIỆM VỤ THỰC HIỆN KẾ HOẠCH",
            "PHỤ LỤC\nDANH MỤC NHIỆM VỤ CỤ THỂ",
        ])
        date_txt = f"ngày {_date_short(self.date)}" if not self.blank_day else f"ngày   /{self.date.month}/{self.year}"
        sub = f"(Kèm theo Kế hoạch số {number_ref} {date_txt} của {self.issuer_short})"
        if self.fmt == "md":
            self.add("**" + title.replace("\n", "**  \n**") + "**")
        else:
            self.add(title)
        self.add(sub if self.fmt == "txt" or rng.random() < 0.5 else f"*{sub}*")

        header = ["TT", "Nội dung nhiệm vụ",
                  rng.choice(["Cơ quan chủ trì", "Cơ quan chủ trì thực hiện", "Đơn vị chủ trì"]),
                  rng.choice(["Cơ quan phối hợp", "Cơ quan phối hợp thực hiện", "Đơn vị phối hợp"]),
                  rng.choice(["Thời gian thực hiện", "Thời gian trình/ thực hiện", "Thời gian hoàn thành",
                              "Thời hạn hoàn thành"])]
        bold_tags = rng.random() < 0.5
        abbreviate = rng.random() < 0.6
        row_dot = rng.random() < 0.8

        # choose rows: mostly from body tasks (as in seed 000), topped up with fresh ones
        pool = list(self.annex_pool)
        rng.shuffle(pool)
        rows = pool[:n_rows]
        while len(rows) < n_rows:
            owners = [self.pick_agency()]
            verbs, obj, g = self._deck()
            g = g if g >= 0 else rng.randrange(len(self.topic["groups"]))
            rows.append((g, (rng.choice(verbs), self._fill(obj)), owners, []))
        groups: dict[int, list] = {}
        for row in rows:
            groups.setdefault(row[0], []).append(row)

        lines: list[str] = []
        if self.fmt == "md":
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
        else:
            lines.append("\t".join(header))
        coll_abbrev = ANNEX_COOP[self.issuer]

        def ab(a: str) -> str:
            return ABBREVIATIONS.get(a, a) if abbreviate else a

        for gno, gi in enumerate(sorted(groups)):
            roman = ROMAN[gno]
            gtitle = self.topic["groups"][gi]
            if self.fmt == "md":
                lines.append(f"| **{roman}** | **{gtitle}** |  |  |  |")
            elif bold_tags:
                lines.append(f"<b>{roman}</b>\t<b>{gtitle}</b>\t\t\t")
            else:
                lines.append(f"{roman}\t{gtitle}\t\t\t")
            for n, (_, (verb, obj), owners, coop) in enumerate(groups[gi], start=1):
                text = _cap(f"{verb} {obj}") + ("." if rng.random() < 0.6 else "")
                own = [ab(o) for o in owners]
                if coop and rng.random() < 0.7:
                    cp = [ab(c) if c[0].isupper() else _cap(c) if i == 0 else c for i, c in enumerate(coop)]
                elif rng.random() < 0.8:
                    cp = [rng.choice(coll_abbrev)]
                else:
                    cp = []
                own_cell = ", ".join(own)
                if cp and cp[0][0].isupper() and rng.random() < 0.25 and len(cp) < 3:
                    cp.append("đơn vị liên quan")  # "Sở Tài chính và đơn vị liên quan" (seed 000)
                    cp_cell = ", ".join(cp[:-1]) + " và đơn vị liên quan"
                else:
                    cp_cell = ", ".join(cp)
                dl = _fill_time(rng, rng.choice(CELL_DEADLINES), self.date) if rng.random() < 0.9 else None
                dl_cell = dl or ""
                tt = f"{n}." if row_dot else str(n)
                if self.fmt == "md":
                    lines.append(f"| {tt} | {text} | {own_cell} | {cp_cell} | {dl_cell} |")
                elif rng.random() < 0.08 and len(text.split()) > 12:
                    # row split over a page break, as in seed 000
                    w = text.split()
                    k = rng.randint(8, len(w) - 3)
                    cw = cp_cell.split(" ")
                    j = len(cw) // 2
                    lines.append(f"{tt}\t{' '.join(w[:k])}\t{own_cell}\t{' '.join(cw[:j])}\t{dl_cell}")
                    lines.append("\n")
                    lines.append(f"\t{' '.join(w[k:])}\t\t{' '.join(cw[j:])}\t")
                    self.features["split_rows"] = int(self.features.get("split_rows", 0)) + 1
                else:
                    lines.append(f"{tt}\t{text}\t{own_cell}\t{cp_cell}\t{dl_cell}")
                self.tasks.append(GoldTask(f"annex {roman}.{n}", _words(text), own, cp, dl))
        self.add("\n".join(lines))

    # ---------------------------------------------------------------- assemble
    def build(self) -> SyntheticPlan:
        rng = self.rng
        self.annex_pool = []
        total = rng.randint(8, 40)
        has_annex = rng.random() < (0.55 if not self.party else 0.15)
        annex_n = rng.randint(3, min(15, total - 5)) if has_annex else 0
        impl_n = rng.randint(2, 4)
        body_n = total - annex_n - impl_n
        party_layout = (self.party and rng.random() < 0.75) or (not self.party and rng.random() < 0.1)
        self.features["layout"] = "party" if party_layout else "state"

        self.header()
        self.title()
        self.preamble()
        p = 0
        self.purpose(p)
        p += 1
        if rng.random() < 0.85:
            self.objectives(p)
            p += 1
        if party_layout and body_n >= 4:
            general = rng.randint(1, body_n - 2)
            self.tasks_part_general(p, general)
            p += 1
            self.tasks_part_assign(p, body_n - general)
            p += 1
        else:
            self.tasks_part_state(p, body_n)
            p += 1
        if not self.party and rng.random() < 0.3:
            self.funding(p)
            p += 1
        self.implementation(p, impl_n, annex_n > 0)
        self.recipients_and_signature()
        if annex_n:
            self.annex(annex_n)
        self.features.setdefault("annex", False)
        self.features["format"] = self.fmt + ("-mdish" if self.txt_mdish else "")

        text = self.sep.join(self.blocks).strip("\n") + "\n"
        if rng.random() < 0.3:  # stray leading blank lines, as in the seeds
            text = "\n" * rng.randint(1, 3) + text
        return SyntheticPlan(
            filename=self.filename, text=text, province=self.province, district=self.district,
            level=self.level, number=self.number, implements=list(self.implements), tasks=self.tasks,
            targets=self.targets, issuer=self.issuer, features=dict(self.features),
        )


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def generate_plan(index: int, seed: int = 0) -> SyntheticPlan:
    """One synthetic plan; the same (index, seed) always gives the same plan."""
    return _Gen(index, seed).build()


def generate_corpus(count: int, seed: int = 0) -> Iterator[SyntheticPlan]:
    for i in range(count):
        yield generate_plan(i, seed)


def write_corpus(directory: Path, count: int, seed: int = 0) -> list[SyntheticPlan]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    plans = []
    for plan in generate_corpus(count, seed):
        (directory / plan.filename).write_text(plan.text, encoding="utf-8")
        plans.append(plan)
    return plans


def _summary(plans: list[SyntheticPlan]) -> str:
    n = len(plans)
    if not n:
        return "no plans"
    c = Counter
    ntasks = [len(p.tasks) for p in plans]
    lines = [
        f"plans: {n}",
        f"issuers: {dict(c(p.issuer for p in plans))}",
        f"formats: {dict(c(str(p.features.get('format')) for p in plans))}",
        f"provinces: {len(set(p.province for p in plans))}, districts: {len(set(p.district for p in plans if p.district))}",
        f"implemented central docs: {dict(c(p.implements[0] for p in plans))}",
        f"blank numbers: {sum(p.number is None for p in plans)}",
        f"with annex table: {sum(bool(p.features.get('annex')) for p in plans)}",
        f"tasks: total {sum(ntasks)}, min {min(ntasks)}, max {max(ntasks)}, mean {sum(ntasks) / n:.1f}",
        f"tasks with deadline: {sum(t.deadline_raw is not None for p in plans for t in p.tasks)}",
        f"tasks without owner: {sum(not t.owners for p in plans for t in p.tasks)}",
        f"targets: total {sum(p.targets for p in plans)}",
        f"page-break damage: {sum(int(p.features.get('page_breaks', 0)) for p in plans)} "
        f"+ {sum(int(p.features.get('split_rows', 0)) for p in plans)} split table rows",
        f"headers: {dict(c(str(p.features.get('header')) for p in plans))}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Write synthetic Vietnamese implementation plans with gold data.")
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gold", type=Path, default=None,
                    help="also write the gold annotations as JSON lines to this file")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    plans = write_corpus(args.out, args.count, args.seed)
    if args.gold:
        with args.gold.open("w", encoding="utf-8") as fh:
            for p in plans:
                d = asdict(p)
                d.pop("text")
                fh.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(_summary(plans))
    print(f"wrote {len(plans)} files to {args.out} in {time.perf_counter() - t0:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
