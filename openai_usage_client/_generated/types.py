"""Contains some shared types for properties"""

# Project change: only ``Unset``/``UNSET`` (used by the endpoint request builders). The stock
# file also defines attrs classes (``File``, ``Response``) for the generated client, which is
# not generated here; see templates/README.md.

from typing import Literal


class Unset:
    def __bool__(self) -> Literal[False]:
        return False


UNSET: Unset = Unset()


__all__ = ["UNSET", "Unset"]
