from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SuccessEnvelope")


@_attrs_define
class SuccessEnvelope:
    """
    Attributes:
        count (int):
        response (int): The id of the message accepted for sending.
        status (int):
        status_code (int):
    """

    count: int
    response: int
    status: int
    status_code: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        count = self.count

        response = self.response

        status = self.status

        status_code = self.status_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "count": count,
                "response": response,
                "status": status,
                "statusCode": status_code,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        count = d.pop("count")

        response = d.pop("response")

        status = d.pop("status")

        status_code = d.pop("statusCode")

        success_envelope = cls(
            count=count,
            response=response,
            status=status,
            status_code=status_code,
        )

        success_envelope.additional_properties = d
        return success_envelope

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
