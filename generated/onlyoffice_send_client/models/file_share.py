from enum import IntEnum


class FileShare(IntEnum):
    NONE = 0
    READ_WRITE = 1
    READ = 2
    RESTRICT = 3
    VARIES = 4
    REVIEW = 5
    COMMENT = 6
    FILL_FORMS = 7
    CUSTOM_FILTER = 8

    def __str__(self) -> str:
        return str(self.value)
