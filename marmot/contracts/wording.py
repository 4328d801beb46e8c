"""A contract's checks in plain words, for partners' receipts (and anything else that shows them).

Every row problem a receipt reports is worded here from the contract that set the check: what the column
expects, what was wrong, and what to do. No sentence quotes a regular expression or the internal name of a
reference list: a pattern is said with its contract's ``pattern_description`` and ``example``, a reference
list with its title (``REFERENCE_LISTS``), a range as "between 0 and 120", a date as "in the form 2025-04-30".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from marmot.contracts.model import Column, Contract
from marmot.contracts.periods import PERIOD_TYPES

# reference lists a column's ``reference`` may name: their title in words, and what one code of them is
REFERENCE_LISTS: dict[str, tuple[str, str]] = {
    "coventry_lsoa21": ("Coventry's 2021 LSOAs (the small areas of the 2021 Census boundaries)",
                        "the LSOA code of an area in Coventry, on the 2021 Census boundaries"),
    "coventry_lsoa11": ("Coventry's 2011 LSOAs (the small areas of the 2011 Census boundaries)",
                        "the LSOA code of an area in Coventry, on the 2011 Census boundaries"),
}
UNKNOWN_REFERENCE = ("the codes this dataset accepts", "one of the codes this dataset accepts")
SAMPLE_DAY = date(2025, 4, 30)  # dates are shown in the form a partner should write them, with this day
TRUE_WORDS_TEXT = "Y or N (Yes/No, True/False and 1/0 are also accepted)"
SUPPRESSION_TEXT = "a suppression marker such as *, c, x, ~, .., - or <5"
LEVELS = ("file", "row", "warning", "notice")


@dataclass(frozen=True)
class Wording:
    """One check in words: ``problem`` completes "The value ..." (no value quoted), ``expected`` says what the
    column takes, ``action`` what to do about it. ``title`` names the kind of problem in a few words."""

    code: str
    title: str
    problem: str
    expected: str
    action: str


TITLES: dict[str, str] = {
    "missing_value": "Required value missing",
    "not_a_number": "Not a number",
    "suppressed_value": "Suppressed count",
    "not_a_date": "Not a date",
    "future_date": "Date in the future",
    "not_a_boolean": "Not a yes/no value",
    "not_allowed": "Not one of the allowed values",
    "bad_pattern": "Not in the expected form",
    "out_of_range": "Outside the allowed range",
    "bad_check_digit": "NHS number check digit wrong",
    "not_in_reference": "Not one of the listed codes",
    "future_period": "Period had not started",
    "before_first_period": "Period before this dataset starts",
    "duplicate_key": "Same record twice",
    # file problems, warnings and notices
    "empty_file": "Empty file",
    "no_data_rows": "No data rows",
    "unreadable": "File could not be read",
    "binary_file": "Not a text file",
    "archive_file": "Zip archive",
    "web_page": "Web page instead of an export",
    "json_document": "JSON instead of CSV",
    "too_large": "File too big",
    "unsupported_format": "File type not accepted",
    "missing_required_column": "Required column missing",
    "unknown_partner": "Unknown partner folder",
    "wrong_dataset_folder": "Wrong dataset folder",
    "missing_sheet": "Sheet not found",
    "unknown_dataset": "Unknown dataset folder",
    "not_in_dataset_folder": "Not in a dataset folder",
    "not_a_file": "Not a file",
    "crashed_reader": "File stopped our reader",
    "unsafe_name": "File name not accepted",
    "duplicate_file": "Already received",
    "formula_like_text": "Text that looks like a spreadsheet formula",
    "extra_column": "Column not in the agreement",
    "restatement_drop": "Far fewer rows than the data it replaces",
}


def date_form(fmt: str) -> str:
    """``%d/%m/%Y`` as the partner should write it: ``30/04/2025``."""
    return SAMPLE_DAY.strftime(fmt)


def _join_or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) or float(value).is_integer() else f"{value:,}"


def range_words(col: Column) -> str:
    """"between 0 and 120", "0 or more", "no more than 100" ("" without a range)."""
    low, high = col.minimum, col.maximum
    if low is not None and high is not None:
        return f"between {_number(low)} and {_number(high)}"
    if low is not None:
        return f"{_number(low)} or more"
    if high is not None:
        return f"no more than {_number(high)}"
    return ""


def reference_title(name: str | None) -> tuple[str, str]:
    """(title, what one code is) of a reference list; never its internal name."""
    return REFERENCE_LISTS.get(name or "", UNKNOWN_REFERENCE)


def pattern_words(col: Column) -> str:
    """What a column with a ``pattern`` takes, from its ``pattern_description`` and ``example``."""
    if col.pattern_description and col.example:
        return f"a value like {col.example}: {col.pattern_description}"
    if col.pattern_description:
        return f"a value that is {col.pattern_description}"
    if col.example:
        return f"a value written in the same form as {col.example}"
    return "a value in the form agreed for this column (ask the data team for its specification)"


def expects(col: Column, contract: Contract | None = None) -> str:
    """Everything the column takes, in one phrase (for the receipt's column guide and messages)."""
    if contract is not None and col.name == contract.period_column:
        _, form, example = PERIOD_TYPES[contract.schedule.period_type]
        return f"a period written like {example} ({form.replace('YYYY', 'year').replace('YY', 'year')})"
    if col.allowed:
        return f"one of: {', '.join(col.allowed)}"
    if col.type == "integer":
        bounds = range_words(col)
        return f"a whole number{' ' + bounds if bounds else ''}, in digits"
    if col.type == "number":
        bounds = range_words(col)
        return f"a number{' ' + bounds if bounds else ''}, in digits"
    if col.type == "date":
        return f"a date in the form {_join_or([date_form(f) for f in col.date_formats])}"
    if col.type == "boolean":
        return TRUE_WORDS_TEXT
    if col.check == "nhs_number":
        return "a valid 10-digit NHS number"
    if col.reference:
        return reference_title(col.reference)[1]
    if col.pattern:
        return pattern_words(col)
    return "text"


def _shown(col: Column, header: str | None) -> str:
    return f"'{header or col.name}'"


def check(code: str, col: Column, contract: Contract | None = None, header: str | None = None, *,
          bound: str | None = None) -> Wording:
    """The words for one row check ``code`` on ``col`` (``header``: the column's name in the partner's file;
    ``bound``: "minimum" or "maximum" for ``out_of_range``)."""
    name = _shown(col, header)
    title = TITLES[code]
    if code == "missing_value":
        return Wording(code, title, "is empty, but this column needs a value in every row",
                       f"a value in every row ({expects(col, contract)})",
                       f"Fill in {name} for this row, or remove the row if the record is not real.")
    if code == "suppressed_value":
        return Wording(code, title, f"is {SUPPRESSION_TEXT}, not a number", expects(col, contract),
                       "Send the actual count, however small: the platform hides small numbers itself before "
                       "anything is published.")
    if code == "not_a_number":
        return Wording(code, title, f"is not a {'whole number' if col.type == 'integer' else 'number'}",
                       expects(col, contract),
                       f"Write {name} as {expects(col, contract)}: no letters, symbols, spaces or commas.")
    if code == "not_a_date":
        forms = _join_or([date_form(f) for f in col.date_formats])
        return Wording(code, title, "is not a date we can read (or is a day that does not exist)",
                       f"a date in the form {forms}",
                       f"Write the date in the form {forms}, and check the day exists (e.g. no 31 April).")
    if code == "future_date":
        return Wording(code, title, "is a date after the day the file arrived",
                       "a date no later than the day the file was sent",
                       "Check the day and month are not swapped and the year is right, then correct the date.")
    if code == "not_a_boolean":
        return Wording(code, title, "is not a yes/no value", TRUE_WORDS_TEXT, f"Write {name} as Y or N.")
    if code == "not_allowed":
        allowed = ", ".join(col.allowed or ())
        return Wording(code, title, "is not one of the values this column allows", f"one of: {allowed}",
                       f"Use one of the allowed values: {allowed} (capital or small letters are both fine).")
    if code == "bad_pattern":
        words = pattern_words(col)
        return Wording(code, title, "is not in the form this column takes", words,
                       f"Correct {name} so it is written like {col.example}." if col.example else
                       f"Correct {name} to the agreed form, or ask the data team.")
    if code == "out_of_range":
        bounds = range_words(col)
        over = "is more than" if bound == "maximum" else "is less than"
        limit = col.maximum if bound == "maximum" else col.minimum
        return Wording(code, title, f"{over} {_number(limit)}, outside the range this column allows"
                       if limit is not None else "is outside the range this column allows",
                       f"a value {bounds}",
                       f"Check the value against the source record: {name} must be {bounds}.")
    if code == "bad_check_digit":
        return Wording(code, title,
                       "is not a valid NHS number: its last digit (the check digit) does not match the nine digits "
                       "before it, so a digit was mistyped or it is not an NHS number",
                       "a valid NHS number: ten digits, the last one a check digit worked out from the first nine",
                       "Copy the NHS number again from the source record, looking for swapped or mistyped digits.")
    if code == "not_in_reference":
        title_words, one = reference_title(col.reference)
        return Wording(code, title, f"is not one of {title_words}", one,
                       "Check the code is for an area in Coventry and uses the right boundaries (2021 codes "
                       "replaced some 2011 ones); correct it, or remove the row if the record is outside the city.")
    raise KeyError(code)


def period_check(code: str, contract: Contract, header: str | None, *, received: str, latest: str,
                 first: str | None) -> Wording:
    """``future_period`` / ``before_first_period`` on the contract's period column."""
    col = contract.column(contract.period_column)
    name = _shown(col, header)
    if code == "future_period":
        return Wording(code, TITLES[code],
                       f"is a period that had not started when the file arrived on {received}",
                       f"a period no later than {latest}",
                       f"Check {name} (often a mistyped year), correct it and send the file again. If this "
                       "dataset sends forecasts, ask the data team to allow them.")
    return Wording(code, TITLES[code], f"is a period before {first}, the first period this dataset takes",
                   f"{first} or a later period",
                   f"Check {name} (often a mistyped year) and send the file again, or ask the data team if the "
                   "earlier periods are wanted.")


def duplicate_key(contract: Contract, headers: list[str]) -> Wording:
    """A row repeating the key of an earlier row of the same file."""
    names = _join_or([f"'{h}'" for h in headers]).replace(" or ", " and ")
    return Wording("duplicate_key", TITLES["duplicate_key"],
                   f"repeats an earlier row of this file: the same {names}",
                   f"each row to have a different combination of {names}",
                   "Remove the repeated row, or correct it if it is a different record.")


def sentence(w: Wording, *, row: int | None, header: str, value: str | None, personal: bool = False) -> str:
    """One problem of one row as a partner reads it: where, what was found, why it is a problem, what was
    expected (``personal``: the value is not repeated)."""
    where = f"Row {row:,}, column '{header}'" if row is not None else f"Column '{header}'"
    expected = w.expected
    if w.code == "duplicate_key":
        return f"Row {row:,} {w.problem}" + (f" ({value})" if value else "") + f". Expected: {expected}."
    if value is None:
        found = f"{where} {w.problem}" if w.code == "missing_value" else f"{where} is empty: it {w.problem}"
    elif personal:
        found = f"{where} (value not shown: personal data) {w.problem}"
    else:
        found = f"{where} holds '{value}', which {w.problem}"
    return f"{found}. Expected: {expected}."
