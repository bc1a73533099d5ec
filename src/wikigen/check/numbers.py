"""The numbers a sentence states (a dose, a percentage, a sample size, a year), in digits, as S002 compares them.

A run of digits counts unless it is part of a name: after letters (`COVID-19`, `IL-6`, `H1N1`, `CD4`), an
ordinal (`2nd`), a fraction of a name (`OCT3/4`), or the figures after a capitalised acronym (`MEK 1/2`,
`HER 2`). A unit may be glued on (`10mg`). Thousands separators (a comma, a no-break or thin space) and
trailing decimal zeros are dropped: `1,000`, `1 000` and `1000` are one number, as are `5.0` and `5`.
A decade (`1980s`) is stated by any of its years.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

_NUMBER = re.compile(
    r"(?<![\w.,/-])"  # not inside a word, a decimal or a name such as IL-6
    r"(?<![A-Z]{2} )(?<![A-Z]{3} )(?<![A-Z]{4} )(?<![A-Z]{5} )"  # not after an acronym: MEK 1/2, HER 2
    r"(\d{1,3}(?:,\d{3})+(?!\d)|\d+)((?:\.\d+)?)(?:(?<=\d0)(s)\b)?"  # a decade: 1980s
    r"(?!\d|/|(?:st|nd|rd|th)\b)"  # not an ordinal (2nd) nor before a slash (1/2)
)
_SPACED_THOUSANDS = re.compile(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}(?!\d))")
_DIGIT_GLUE = re.compile(r"(?<=[^\W\d_])-(?=\d)")


def numbers_in(text: str) -> list[str]:
    """The numbers of `text`, each as digits with no separators, in order."""
    text = unicodedata.normalize("NFKC", _SPACED_THOUSANDS.sub(",", text))
    found = []
    for whole, decimals, decade in _NUMBER.findall(_DIGIT_GLUE.sub("_", text)):
        digits = re.sub(r"\D", "", whole).lstrip("0") or "0"
        decimals = decimals.rstrip("0").rstrip(".")
        found.append(digits + decimals + decade)
    return found


def stated(number: str, known: Collection[str]) -> bool:
    """Whether `number` is among the `known` numbers; a decade (`1980s`) is stated by any year in it."""
    if number.endswith("s"):
        return any(len(k) == len(number) - 1 and k[:-1] == number[:-2] for k in known) or number in known
    return number in known
