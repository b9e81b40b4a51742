from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.error_info_data import ErrorInfoData


T = TypeVar("T", bound="ErrorInfo")


@_attrs_define
class ErrorInfo:
    """
    Attributes:
        message (str): What went wrong, in the server's words.
        hresult (int):
        data (ErrorInfoData | Unset):
        type_ (str | Unset): The exception type; debug builds only.
        stack (str | Unset): The stack trace; debug builds only.
    """

    message: str
    hresult: int
    data: ErrorInfoData | Unset = UNSET
    type_: str | Unset = UNSET
    stack: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        hresult = self.hresult

        data: dict[str, Any] | Unset = UNSET
        if not isinstance(self.data, Unset):
            data = self.data.to_dict()

        type_ = self.type_

        stack = self.stack

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "hresult": hresult,
            }
        )
        if data is not UNSET:
            field_dict["data"] = data
        if type_ is not UNSET:
            field_dict["type"] = type_
        if stack is not UNSET:
            field_dict["stack"] = stack

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.error_info_data import ErrorInfoData  # noqa: PLC0415

        d = dict(src_dict)
        message = d.pop("message")

        hresult = d.pop("hresult")

        _data = d.pop("data", UNSET)
        data: ErrorInfoData | Unset
        if isinstance(_data, Unset):
            data = UNSET
        else:
            data = ErrorInfoData.from_dict(_data)

        type_ = d.pop("type", UNSET)

        stack = d.pop("stack", UNSET)

        error_info = cls(
            message=message,
            hresult=hresult,
            data=data,
            type_=type_,
            stack=stack,
        )

        error_info.additional_properties = d
        return error_info

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
