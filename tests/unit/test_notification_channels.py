"""What the HTTP channels put on the wire: the webhook's signature and body, LINE's retry key."""

from __future__ import annotations

import hashlib
import hmac
import json

from services.notification.channels import DeliveryError, line_retry_key, sign, webhook_body
from services.notification.templates import Message


def test_the_webhook_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = b'{"id":"k"}'
    expected = hmac.new(b"s" * 32, b"1764086400." + body, hashlib.sha256).hexdigest()
    assert sign(b"s" * 32, "1764086400", body) == expected
    assert sign(b"s" * 32, "1764086401", body) != expected


def test_the_webhook_body_is_the_message_with_its_key_and_facts_in_utf8() -> None:
    message = Message(template="returned", subject="โปรดแก้ไข", body="ข้อความ", short="สั้น",
                      data={"submission_id": "fy2568-4360101"})
    payload = json.loads(webhook_body(message, "event:returned:abc"))
    assert payload == {"id": "event:returned:abc", "template": "returned", "subject": "โปรดแก้ไข",
                       "text": "ข้อความ", "data": {"submission_id": "fy2568-4360101"}}
    assert "โปรดแก้ไข".encode() in webhook_body(message, "k")  # not \\u-escaped


def test_lines_retry_key_is_a_uuid_that_follows_from_the_notification_key() -> None:
    assert line_retry_key("a:reminder:x") == line_retry_key("a:reminder:x")
    assert line_retry_key("a:reminder:x") != line_retry_key("b:reminder:x")
    assert len(line_retry_key("k")) == 36


def test_a_delivery_error_is_short_and_masked() -> None:
    error = DeliveryError("HTTP 400 for U" + "0" * 32 + " " + "x" * 2000, permanent=True)
    assert len(str(error)) == 500 and "U0000***" in str(error) and error.permanent


def test_applicants_words_cannot_add_an_email_header() -> None:
    from email import message_from_bytes, policy

    import pytest

    from services.notification.mailer import EmailChannel
    from shared.settings import Settings

    settings = Settings(amqp_url="amqp://guest:guest@127.0.0.1:5672/", mongodb_url="mongodb://127.0.0.1:1")
    channel = EmailChannel(settings)
    mail = Message("received", "ได้รับแบบรายงานของ เทศบาลตำบลโนนสำราญ\r\nBcc: victim@example.com", "เนื้อหา", "สั้น")
    built = message_from_bytes(channel.build(mail, to="smartcity@example.go.th", key="k").as_bytes(),
                               policy=policy.default)
    assert built["Bcc"] is None
    assert "\n" not in str(built["Subject"]) and "Bcc: victim@example.com" in str(built["Subject"])
    for to in ("a@example.go.th\r\nBcc: victim@example.com", "a@example.go.th, victim@example.com"):
        with pytest.raises(ValueError):
            channel.build(mail, to=to, key="k")
