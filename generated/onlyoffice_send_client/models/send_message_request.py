from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.file_share import FileShare
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.mail_attachment import MailAttachment


T = TypeVar("T", bound="SendMessageRequest")


@_attrs_define
class SendMessageRequest:
    """Every field is optional on the wire except `from` and at least one recipient in `to`, `cc` or `bcc`. A missing field
    means its type's default. Fields the server does not know are ignored. An optional string may be `null`, which means
    the same as absent (the web client sends `mimeReplyToId: null` for a reopened draft).

        Attributes:
            from_ (str): An RFC 5322 mailbox: `name@domain` or `Name <name@domain>`. Format
                `mailbox` is this spec's own; the server's parser is the judge.
                 Example: Alice Example <alice@example.com>.
            id (int | Unset):  Default: 0.
            to (list[str] | Unset):
            cc (list[str] | Unset): ONLYOFFICE's own C# client (`ApiHelper.cs` 212-260) sends `cc` and `bcc` as one string
                of comma-joined addresses. The binder takes a lone string as a list of one item, and that item is then parsed as
                one mailbox (`Parser.ToMailAddresses`, `MailboxAddress.Parse`): "a@x, b@y" does not parse, so the send is
                refused with 400 (the draft already saved). Its one caller, the autoreply, never sets them.
            bcc (list[str] | Unset): Recipients who get the message; no Bcc header is sent to the others. One comma-joined
                string is refused as `cc`'s is.
            mime_reply_to_id (None | str | Unset): The Message-ID of the message this one replies to; sent as In-Reply-To.
                The real server reads it with MimeKit 2.15 as one mailbox, loosely (`MimeMessage.InReplyTo`: the domain
                optional, text after the first mailbox dropped) and writes `<address>`; a value MimeKit cannot read (`a b`,
                `<>`, blank) is accepted with 200 and then no mail goes out (its send task throws "Invalid Message-Id format."
                and the message goes back to Drafts), a known defect. The contract requires the mail.
            importance (bool | Unset): Marks the message as important (Importance high, X-Priority 1).
            subject (None | str | Unset):
            tags (list[int] | Unset): Ids of tags to put on the sent message. ONLYOFFICE's C# client would send them as a
                JSON-encoded string (`"[1,2]"`, `ApiHelper.cs` 240): the binder takes it as a list of one item that does not
                convert to an Int32, and the answer is 400 "Invalid arguments" (`Binder.cs` 249-254, `ConvertUtils.cs` 56-64).
                Its one caller never sets tags.
            body (None | str | Unset): The message body as HTML. A stored draft sent by its `id` may hold at most `x-stored-
                draft-limit` characters of it (the setting `mail.maximum-message-body-size`): else 403 "Message body exceeded
                limit (512 KB)". A new message's is bounded only by the web server's request size limit.
            attachments (list[MailAttachment] | Unset): The declared `size`s of the distinct attachments (distinct by
                `fileId`, `fileName` and `storedName`) must add up to at most `x-total-size-limit` bytes
                (`Defines.ATTACHMENTS_TOTAL_SIZE_LIMIT`, 25 MB): else 400 "Total size of all files exceeds limit!", before
                anything is saved. The real server 12.7 answers that case 500 (`MailComposeBase.cs` 53-57 throws, and
                `SendMessage` does not map it), a known defect that `PROFILE=onlyoffice` reports by name.
            file_links_share_mode (FileShare | Unset): How file links in the body are shared. The real server also binds a
                member name in any case (`"Read"`) and any other integer (`99`).
            calendar_ics (None | str | Unset): An iCalendar event. It goes out twice: as a `text/calendar; method=...` part
                (quoted-printable) in the multipart/alternative, and as an `application/ics` attachment (`invite.ics`,
                `reply.ics` or `cancel.ics` for those methods in capitals, else `calendar.ics`) in a multipart/mixed; and it
                adds `Auto-Submitted: auto-generated`. The real server needs exactly one VCALENDAR, VERSION 2.0, a METHOD of
                REQUEST, REPLY or CANCEL (any case) and exactly one VEVENT (`MailUtil.ParseValidCalendar`, over Ical.Net 4.2.0);
                for any other text it answers 200 and then sends nothing (a null `method` parameter makes MimeKit throw in the
                send task), a known defect. The contract requires the mail.
            is_autoreply (bool | Unset):
            request_receipt (bool | Unset): Asks for a delivery receipt (Return-Receipt-To).
            request_read (bool | Unset): Asks for a read receipt (Disposition-Notification-To).
    """

    from_: str
    id: int | Unset = 0
    to: list[str] | Unset = UNSET
    cc: list[str] | Unset = UNSET
    bcc: list[str] | Unset = UNSET
    mime_reply_to_id: None | str | Unset = UNSET
    importance: bool | Unset = UNSET
    subject: None | str | Unset = UNSET
    tags: list[int] | Unset = UNSET
    body: None | str | Unset = UNSET
    attachments: list[MailAttachment] | Unset = UNSET
    file_links_share_mode: FileShare | Unset = UNSET
    calendar_ics: None | str | Unset = UNSET
    is_autoreply: bool | Unset = UNSET
    request_receipt: bool | Unset = UNSET
    request_read: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from_ = self.from_

        id = self.id

        to: list[str] | Unset = UNSET
        if not isinstance(self.to, Unset):
            to = self.to

        cc: list[str] | Unset = UNSET
        if not isinstance(self.cc, Unset):
            cc = self.cc

        bcc: list[str] | Unset = UNSET
        if not isinstance(self.bcc, Unset):
            bcc = self.bcc

        mime_reply_to_id: None | str | Unset
        if isinstance(self.mime_reply_to_id, Unset):
            mime_reply_to_id = UNSET
        else:
            mime_reply_to_id = self.mime_reply_to_id

        importance = self.importance

        subject: None | str | Unset
        if isinstance(self.subject, Unset):
            subject = UNSET
        else:
            subject = self.subject

        tags: list[int] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        body: None | str | Unset
        if isinstance(self.body, Unset):
            body = UNSET
        else:
            body = self.body

        attachments: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.attachments, Unset):
            attachments = []
            for attachments_item_data in self.attachments:
                attachments_item = attachments_item_data.to_dict()
                attachments.append(attachments_item)

        file_links_share_mode: int | Unset = UNSET
        if not isinstance(self.file_links_share_mode, Unset):
            file_links_share_mode = self.file_links_share_mode.value

        calendar_ics: None | str | Unset
        if isinstance(self.calendar_ics, Unset):
            calendar_ics = UNSET
        else:
            calendar_ics = self.calendar_ics

        is_autoreply = self.is_autoreply

        request_receipt = self.request_receipt

        request_read = self.request_read

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "from": from_,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if to is not UNSET:
            field_dict["to"] = to
        if cc is not UNSET:
            field_dict["cc"] = cc
        if bcc is not UNSET:
            field_dict["bcc"] = bcc
        if mime_reply_to_id is not UNSET:
            field_dict["mimeReplyToId"] = mime_reply_to_id
        if importance is not UNSET:
            field_dict["importance"] = importance
        if subject is not UNSET:
            field_dict["subject"] = subject
        if tags is not UNSET:
            field_dict["tags"] = tags
        if body is not UNSET:
            field_dict["body"] = body
        if attachments is not UNSET:
            field_dict["attachments"] = attachments
        if file_links_share_mode is not UNSET:
            field_dict["fileLinksShareMode"] = file_links_share_mode
        if calendar_ics is not UNSET:
            field_dict["calendarIcs"] = calendar_ics
        if is_autoreply is not UNSET:
            field_dict["isAutoreply"] = is_autoreply
        if request_receipt is not UNSET:
            field_dict["requestReceipt"] = request_receipt
        if request_read is not UNSET:
            field_dict["requestRead"] = request_read

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mail_attachment import MailAttachment  # noqa: PLC0415

        d = dict(src_dict)
        from_ = d.pop("from")

        id = d.pop("id", UNSET)

        to = cast(list[str], d.pop("to", UNSET))

        cc = cast(list[str], d.pop("cc", UNSET))

        bcc = cast(list[str], d.pop("bcc", UNSET))

        def _parse_mime_reply_to_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        mime_reply_to_id = _parse_mime_reply_to_id(d.pop("mimeReplyToId", UNSET))

        importance = d.pop("importance", UNSET)

        def _parse_subject(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subject = _parse_subject(d.pop("subject", UNSET))

        tags = cast(list[int], d.pop("tags", UNSET))

        def _parse_body(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        body = _parse_body(d.pop("body", UNSET))

        _attachments = d.pop("attachments", UNSET)
        attachments: list[MailAttachment] | Unset = UNSET
        if _attachments is not UNSET:
            attachments = []
            for attachments_item_data in _attachments:
                attachments_item = MailAttachment.from_dict(attachments_item_data)

                attachments.append(attachments_item)

        _file_links_share_mode = d.pop("fileLinksShareMode", UNSET)
        file_links_share_mode: FileShare | Unset
        if isinstance(_file_links_share_mode, Unset):
            file_links_share_mode = UNSET
        else:
            file_links_share_mode = FileShare(_file_links_share_mode)

        def _parse_calendar_ics(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        calendar_ics = _parse_calendar_ics(d.pop("calendarIcs", UNSET))

        is_autoreply = d.pop("isAutoreply", UNSET)

        request_receipt = d.pop("requestReceipt", UNSET)

        request_read = d.pop("requestRead", UNSET)

        send_message_request = cls(
            from_=from_,
            id=id,
            to=to,
            cc=cc,
            bcc=bcc,
            mime_reply_to_id=mime_reply_to_id,
            importance=importance,
            subject=subject,
            tags=tags,
            body=body,
            attachments=attachments,
            file_links_share_mode=file_links_share_mode,
            calendar_ics=calendar_ics,
            is_autoreply=is_autoreply,
            request_receipt=request_receipt,
            request_read=request_read,
        )

        send_message_request.additional_properties = d
        return send_message_request

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
