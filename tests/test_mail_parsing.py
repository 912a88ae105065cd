"""Mail from the clients customers use, each parsed as an agent needs it (cs_console.channels)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from cs_console.channels.acknowledgement import DEFAULT_TEMPLATE, fill, template_problem
from cs_console.channels.html_text import html_to_text
from cs_console.channels.inbound import parse_mail
from cs_console.channels.noise import Noise
from cs_console.channels.outbound import OutgoingReply, compose
from cs_console.channels.quotes import fold_quoted
from cs_console.channels.threading import reply_message_id, reply_of, subject_with_number, ticket_number_in

FIXTURES = Path(__file__).parent / "fixtures" / "mail"
OURS = frozenset({"support@seanet.example"})


def parsed(name: str):
    return parse_mail((FIXTURES / name).read_bytes(), OURS)


def test_outlook_utf8_keeps_the_new_text_and_folds_the_original_message():
    mail = parsed("outlook_utf8.eml")
    assert mail.sender == "li.wei@oceanpioneer.example" and mail.sender_name == "Li Wei"
    assert mail.subject == "VSAT link down on MV Ocean Pioneer"
    assert mail.message_id == "<DB9PR02MB7125A1B2C3D4E5F6@DB9PR02MB7125.eurprd02.prod.outlook.com>"
    assert "14°32'N 112°10'E" in mail.text and "Chief Officer Li Wei" in mail.text
    assert "412 GB" not in mail.text and "quoted history folded" in mail.text
    assert mail.noise is Noise.NONE and mail.attachments == () and mail.problems == ()
    assert mail.sent_at == datetime(2026, 12, 7, 4, 2, 11, tzinfo=UTC)


def test_foxmail_declares_gb2312_and_sends_gbk_characters():
    mail = parsed("foxmail_gbk.eml")
    assert mail.sender_name == "王建国" and mail.subject == "海事卫星电话无法拨出"
    assert "网络注册失败" in mail.text and "李喆" in mail.text
    assert "月度话费账单" not in mail.text and mail.problems == ()


def test_qq_mail_html_only_in_gb18030_reads_as_text_with_its_list():
    mail = parsed("qqmail_html_gb18030.eml")
    assert mail.subject == "物联网卡无法激活"
    assert "- 卡号尾号 0193\n- 卡号尾号 0194" in mail.text
    assert "<div>" not in mail.text and "&nbsp;" not in mail.text and "发送时间" not in mail.text


def test_gmail_reply_names_the_ticket_and_our_reply():
    mail = parsed("gmail_reply_utf8.eml")
    assert ticket_number_in(mail.subject) == "MAIL-0003"
    assert [reply_of(i) for i in mail.in_reply_to] == ["6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"]
    assert "ICCID ending 4417" in mail.text and "dispatched by courier" not in mail.text


def test_apple_mail_attachment_is_kept_with_its_name_and_bytes():
    mail = parsed("applemail_attachment.eml")
    [attachment] = mail.attachments
    assert attachment.filename == "crew change Bohai 7.pdf" and attachment.content_type == "application/pdf"
    assert attachment.data.startswith(b"%PDF-1.4")
    assert "28 persons" in mail.text and "send the list by Monday" not in mail.text


def test_an_automatic_reply_is_noise():
    assert parsed("autoreply_outlook.eml").noise is Noise.AUTO_REPLY


def test_a_bounce_names_the_reply_it_returns_and_why():
    mail = parsed("bounce_postfix.eml")
    assert mail.noise is Noise.BOUNCE and mail.attachments == ()
    assert reply_of(mail.bounce.original_message_id) == "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    assert mail.bounce.reason == "550 5.1.1 <radio@nosuchship.example>: Recipient address rejected: User unknown"


def test_mail_from_our_own_address_is_noise():
    raw = b"From: Fleet Support <Support@SeaNet.example>\r\nSubject: hi\r\nMessage-ID: <a@b>\r\n\r\nloop\r\n"
    assert parse_mail(raw, OURS).noise is Noise.OWN


@pytest.mark.parametrize("header", ["Precedence: bulk", "Auto-Submitted: auto-generated", "X-Autoreply: yes"])
def test_rfc3834_and_common_auto_headers_are_noise(header):
    raw = f"From: a@ship.example\r\n{header}\r\nSubject: x\r\n\r\nbody\r\n".encode()
    assert parse_mail(raw).noise is Noise.AUTO_REPLY


def test_an_unknown_charset_and_broken_mime_still_give_text_and_say_why():
    raw = (b"From: a@ship.example\r\nSubject: x\r\nContent-Type: multipart/mixed; boundary=zz\r\n\r\n"
           b"--zz\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nengine room flooded\r\n")
    mail = parse_mail(raw)
    assert "engine room flooded" in mail.text
    assert any("x-klingon" in problem for problem in mail.problems)
    assert mail.message_id.startswith("<sha256-") and parse_mail(raw).message_id == mail.message_id


def test_an_iso_8859_1_mail_decodes():
    raw = "From: a@ship.example\r\nSubject: x\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nTromsø fjord, 3°C\r\n"
    assert parse_mail(raw.encode("iso-8859-1")).text == "Tromsø fjord, 3°C"


def test_html_to_text_drops_styles_and_keeps_links():
    html = "<style>.x{}</style><p>See <a href='https://status.seanet.example'>status</a></p><p>Next</p>"
    assert html_to_text(html) == "See status <https://status.seanet.example>\n\nNext"


def test_a_mail_that_is_only_quotation_keeps_it():
    assert fold_quoted("> all of it quoted") == "> all of it quoted"


def test_the_reply_carries_number_threading_and_our_address():
    message = compose(OutgoingReply(
        message_id=reply_message_id("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "seanet.example"), ticket_number="MAIL-0002",
        subject="Inmarsat C terminal not polling", body="Please power-cycle the terminal.\n",
        to_address="radio@ship.example", to_name="Radio Officer", from_address="support@seanet.example",
        from_name="Fleet Support", in_reply_to="<abc@ship.example>", references=("<root@ship.example>",),
        sent_at=datetime(2026, 12, 7, 9, 0, tzinfo=UTC),
    ))
    assert message["Subject"] == "Re: [MAIL-0002] Inmarsat C terminal not polling"
    assert message["Message-ID"] == "<reply-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d@seanet.example>"
    assert message["In-Reply-To"] == "<abc@ship.example>"
    assert message["References"] == "<root@ship.example> <abc@ship.example>"
    assert message["From"].addresses[0].addr_spec == "support@seanet.example"
    assert subject_with_number(message["Subject"], "MAIL-0002") == message["Subject"]
    assert message["Auto-Submitted"] is None, "a person's reply is not automatic"


def test_the_acknowledgement_names_the_ticket_and_the_promise_in_both_languages():
    text = fill(DEFAULT_TEMPLATE, number="MAIL-0007", subject="VSAT link down", name="Li Wei", team="Fleet Support")
    assert "工单号 MAIL-0007" in text and "1 小时内首次答复" in text
    assert "within 3 business days" in text and "keep [MAIL-0007] in the subject" in text and text.endswith("Fleet Support\n")
    assert template_problem(DEFAULT_TEMPLATE) is None


@pytest.mark.parametrize(("template", "problem"), [
    ("Ticket {ticket}", "the template has the unknown blank {ticket}; it may use name, number, subject, team"),
    ("Ticket {number", "the template is malformed"),
])
def test_a_template_with_a_wrong_blank_is_refused_by_name(template, problem):
    assert template_problem(template).startswith(problem)
