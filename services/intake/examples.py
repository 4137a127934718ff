"""Examples shown in intake's OpenAPI (`/docs`): real Thai answers as municipalities write them."""

from __future__ import annotations

from typing import Any

SUBMISSION: dict[str, Any] = {
    "campaign": "fy2568",
    "source": "api",
    "source_response_id": "resp-0001",
    "submitted_at": "2025-11-24T10:15:00+07:00",
    "lao": {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
            "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"},
    "contact": {"name": "สมชาย ใจดี", "position": "ปลัดเทศบาล", "phone": "044-811-234",
                "email": "smartcity@example.go.th"},
    "readiness": {"has_plan": True, "plan_url": "https://example.go.th/plan.pdf",
                  "depa_mark": "applying", "data_platform": True},
    "dimensions": ["environment", "governance", "living"],
    "projects": [{
        "name": "ระบบแจ้งเหตุผ่าน LINE OA", "dimensions": ["governance"],
        "description": "ประชาชนแจ้งเหตุและติดตามสถานะผ่าน LINE", "budget_thb": 450000,
        "status": "completed", "beneficiaries": 12000,
        "outcomes": "ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง",
        "evidence_urls": ["https://drive.google.com/file/d/abc/view"],
    }],
    "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"],
}

THAI_ANSWERS: dict[str, Any] = {
    **SUBMISSION,
    "source_response_id": "resp-0002",
    "submitted_at": "25/11/2568, 22:41:07",
    "lao": {"name": "ทต.บ้านเขว้า", "code": "๕๓๖๐๒๐๑", "type": "ทต.", "province": "จ.ชัยภูมิ",
            "district": "อ.บ้านเขว้า"},
    "contact": {"name": "สมหญิง รักเมือง", "phone": "๐๘๑ ๒๓๔ ๕๖๗๘", "email": "Saraban@BanKhwao.go.th"},
    "readiness": {"has_plan": "ใช่", "depa_mark": "อยู่ระหว่างยื่นขอ", "data_platform": "ไม่มี"},
    "dimensions": "สิ่งแวดล้อมอัจฉริยะ, การดำรงชีวิตอัจฉริยะ",
    "projects": [{"name": "ตลาดชุมชนออนไลน์", "dimensions": "เศรษฐกิจอัจฉริยะ",
                  "budget_thb": "๑.๕ ล้านบาท", "status": "อยู่ระหว่างดำเนินการ", "beneficiaries": "๓,๒๐๐ คน",
                  "evidence_urls": "drive.google.com/file/d/xyz/view"}],
    "partners": "มหาวิทยาลัยราชภัฏชัยภูมิ\nสำนักงานพัฒนาชุมชนอำเภอบ้านเขว้า",
}

FORM_RESPONSE: dict[str, Any] = {
    "response_id": "2_ABaOnudXyz123",
    "timestamp": "2025-11-25T15:41:07.123Z",
    "respondent_email": "saraban@bankhwao.go.th",
    "answers": {
        "ชื่อองค์กรปกครองส่วนท้องถิ่น": "  เทศบาลตำบล บ้านเขว้า ",
        "รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)": "๕๓๖๐๒๐๑",
        "ประเภทองค์กรปกครองส่วนท้องถิ่น": "เทศบาลตำบล",
        "จังหวัด": "ชัยภูมิ",
        "อำเภอ": "บ้านเขว้า",
        "ชื่อ-นามสกุล ผู้ประสานงาน": "สมหญิง รักเมือง",
        "ตำแหน่ง": "นักวิเคราะห์นโยบายและแผน",
        "หมายเลขโทรศัพท์": "๐๔๔-๘๙๑-๒๓๔",
        "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": "ใช่",
        "ลิงก์เอกสารแผนพัฒนาเมืองอัจฉริยะ": "https://bankhwao.go.th/smartcity-plan.pdf",
        "ได้รับตราสัญลักษณ์เมืองอัจฉริยะ (Smart City Thailand) หรือไม่": "อยู่ระหว่างยื่นขอ",
        "มีแพลตฟอร์มข้อมูลเมือง (City Data Platform) หรือไม่": "ไม่มี",
        "ด้านของเมืองอัจฉริยะที่ดำเนินการ": ["สิ่งแวดล้อมอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ"],
        "โครงการที่ 1: ชื่อโครงการ": "ตลาดชุมชนออนไลน์",
        "โครงการที่ 1: ด้าน": ["เศรษฐกิจอัจฉริยะ"],
        "โครงการที่ 1: งบประมาณ (บาท)": "๑.๕ ล้านบาท",
        "โครงการที่ 1: สถานะ": "อยู่ระหว่างดำเนินการ",
        "โครงการที่ 1: จำนวนผู้ได้รับประโยชน์": "๓,๒๐๐",
        "โครงการที่ 1: ลิงก์หลักฐาน": ["https://drive.google.com/open?id=1AbCdEf"],
        "ความร่วมมือกับภาคีเครือข่าย": "มหาวิทยาลัยราชภัฏชัยภูมิ, สำนักงานพัฒนาชุมชนอำเภอบ้านเขว้า",
    },
}

FORM_RESPONSE_INVALID: dict[str, Any] = {
    "error": "invalid_response",
    "message_th": "คำตอบบางข้ออ่านไม่ได้ โปรดแก้ไขตามรายการด้านล่าง",
    "message_en": "Some answers cannot be read; see each question below.",
    "errors": [{
        "field": "projects[0].budget_thb", "code": "money", "column": "โครงการที่ 1: งบประมาณ (บาท)", "row": None,
        "message_th": "ไม่ใช่จำนวนเงินที่อ่านได้ (ตัวอย่าง 1,500,000 หรือ 1.5 ล้านบาท) ('ประมาณหนึ่งล้าน')",
        "message_en": "not an amount in baht: 'ประมาณหนึ่งล้าน'",
    }],
}

IMPORT_SUMMARY: dict[str, Any] = {
    "mapping": "reference-form", "campaign": "fy2568", "rows": 120, "imported": 112, "new_revisions": 4,
    "duplicates": 2, "rejected": 2, "unknown_columns": ["หมายเหตุจากอำเภอ"],
    "errors": [{
        "row": 37, "column": "ประทับเวลา", "field": "submitted_at", "code": "timestamp",
        "message_th": "อ่านวันเวลาไม่ได้: '31/11/2568' (ตัวอย่าง 25/11/2568, 22:41:07)",
        "message_en": "cannot read the date and time '31/11/2568' (e.g. 25/11/2568, 22:41:07 or 11/25/2025 22:41:07)",
    }, {
        "row": 88, "column": "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "field": "readiness.has_plan",
        "code": "yes_no", "message_th": "ต้องตอบ ใช่ หรือ ไม่ใช่ ('กำลังจัดทำ')",
        "message_en": "expected yes/no (ใช่/ไม่ใช่), got 'กำลังจัดทำ'",
    }],
    "errors_truncated": False, "stopped": None,
    "message_th": "นำเข้า 112 รายการใหม่, ฉบับแก้ไข 4, ซ้ำ 2, ไม่รับ 2 แถว",
    "message_en": "112 imported, 4 new revisions, 2 duplicates, 2 rows rejected",
}

IMPORT_REFUSED: dict[str, Any] = {
    "error": "columns_missing",
    "message_th": "ไม่พบคอลัมน์ที่ต้องมี จึงยังไม่ได้นำเข้าแถวใดเลย (ไฟล์จับคู่ reference-form)",
    "message_en": "Required columns are missing, so no row was imported (mapping 'reference-form').",
    "errors": [{
        "row": 1, "column": "จังหวัด", "field": "lao.province", "code": "column_missing",
        "message_th": "ไม่พบคอลัมน์/คำถามที่ต้องมี: 'จังหวัด' หรือ 'Province' "
                      "(ถ้าเปลี่ยนชื่อคำถาม ให้เพิ่มชื่อใหม่ในไฟล์จับคู่ reference-form)",
        "message_en": "required column/question not found: 'จังหวัด' or 'Province' "
                      "(if the question was renamed, add its new title to the mapping 'reference-form')",
    }],
}

UNAUTHORISED: dict[str, Any] = {
    "error": "timestamp_expired",
    "message_th": "เวลาที่ลงลายมือชื่อห่างจากเวลาของระบบเกิน 5 นาที (เก่าเกินไป): ลงลายมือชื่อใหม่ก่อนส่ง "
                  "และตรวจนาฬิกาของเครื่องผู้ส่ง",
    "message_en": "The signed timestamp is more than 5 minutes old: sign each request when it is sent, and check "
                  "the sender's clock.",
    "errors": [],
}

TOO_MANY: dict[str, Any] = {
    "error": "rate_limited",
    "message_th": "ส่งคำขอถี่เกินไป โปรดรอ 2 วินาทีแล้วลองใหม่",
    "message_en": "Too many requests from this sender: retry after 2 s.",
    "errors": [],
}
