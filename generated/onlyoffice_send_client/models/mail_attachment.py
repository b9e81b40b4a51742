from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MailAttachment")


@_attrs_define
class MailAttachment:
    """An attachment, by reference: the server reads its content from its own
    storage (`fileId` for a file in Documents, `storedName` or
    `tempStoredUrl` for an uploaded one), in the background after it has
    answered. One it cannot read is skipped; the send is never refused for
    it. Optional strings may be `null`, the same as absent (the web client
    sends `contentId: null` and `tempStoredUrl: null` for a file it
    uploaded). Members the web client adds for its own use (`docId`,
    `orderNumber`, `iconCls`...) are ignored.

        Attributes:
            file_id (int | Unset):
            file_name (None | str | Unset):
            size (int | Unset):
            content_type (None | str | Unset):
            need_save_to_temp (bool | Unset):
            content_id (None | str | Unset): When set, the part is sent inline with this Content-ID.
            file_number (int | Unset):
            stored_name (None | str | Unset):
            stream_id (None | str | Unset):
            attached_as_link (bool | Unset): Sent as a link in the body rather than attached (the server's answers call it
                `savedToMyDocuments`; a request binds this name).
            temp_stored_url (None | str | Unset):
    """

    file_id: int | Unset = UNSET
    file_name: None | str | Unset = UNSET
    size: int | Unset = UNSET
    content_type: None | str | Unset = UNSET
    need_save_to_temp: bool | Unset = UNSET
    content_id: None | str | Unset = UNSET
    file_number: int | Unset = UNSET
    stored_name: None | str | Unset = UNSET
    stream_id: None | str | Unset = UNSET
    attached_as_link: bool | Unset = UNSET
    temp_stored_url: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file_id = self.file_id

        file_name: None | str | Unset
        if isinstance(self.file_name, Unset):
            file_name = UNSET
        else:
            file_name = self.file_name

        size = self.size

        content_type: None | str | Unset
        if isinstance(self.content_type, Unset):
            content_type = UNSET
        else:
            content_type = self.content_type

        need_save_to_temp = self.need_save_to_temp

        content_id: None | str | Unset
        if isinstance(self.content_id, Unset):
            content_id = UNSET
        else:
            content_id = self.content_id

        file_number = self.file_number

        stored_name: None | str | Unset
        if isinstance(self.stored_name, Unset):
            stored_name = UNSET
        else:
            stored_name = self.stored_name

        stream_id: None | str | Unset
        if isinstance(self.stream_id, Unset):
            stream_id = UNSET
        else:
            stream_id = self.stream_id

        attached_as_link = self.attached_as_link

        temp_stored_url: None | str | Unset
        if isinstance(self.temp_stored_url, Unset):
            temp_stored_url = UNSET
        else:
            temp_stored_url = self.temp_stored_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if file_id is not UNSET:
            field_dict["fileId"] = file_id
        if file_name is not UNSET:
            field_dict["fileName"] = file_name
        if size is not UNSET:
            field_dict["size"] = size
        if content_type is not UNSET:
            field_dict["contentType"] = content_type
        if need_save_to_temp is not UNSET:
            field_dict["needSaveToTemp"] = need_save_to_temp
        if content_id is not UNSET:
            field_dict["contentId"] = content_id
        if file_number is not UNSET:
            field_dict["fileNumber"] = file_number
        if stored_name is not UNSET:
            field_dict["storedName"] = stored_name
        if stream_id is not UNSET:
            field_dict["streamId"] = stream_id
        if attached_as_link is not UNSET:
            field_dict["attachedAsLink"] = attached_as_link
        if temp_stored_url is not UNSET:
            field_dict["tempStoredUrl"] = temp_stored_url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        file_id = d.pop("fileId", UNSET)

        def _parse_file_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        file_name = _parse_file_name(d.pop("fileName", UNSET))

        size = d.pop("size", UNSET)

        def _parse_content_type(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content_type = _parse_content_type(d.pop("contentType", UNSET))

        need_save_to_temp = d.pop("needSaveToTemp", UNSET)

        def _parse_content_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        content_id = _parse_content_id(d.pop("contentId", UNSET))

        file_number = d.pop("fileNumber", UNSET)

        def _parse_stored_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stored_name = _parse_stored_name(d.pop("storedName", UNSET))

        def _parse_stream_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stream_id = _parse_stream_id(d.pop("streamId", UNSET))

        attached_as_link = d.pop("attachedAsLink", UNSET)

        def _parse_temp_stored_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        temp_stored_url = _parse_temp_stored_url(d.pop("tempStoredUrl", UNSET))

        mail_attachment = cls(
            file_id=file_id,
            file_name=file_name,
            size=size,
            content_type=content_type,
            need_save_to_temp=need_save_to_temp,
            content_id=content_id,
            file_number=file_number,
            stored_name=stored_name,
            stream_id=stream_id,
            attached_as_link=attached_as_link,
            temp_stored_url=temp_stored_url,
        )

        mail_attachment.additional_properties = d
        return mail_attachment

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
