"""What can be wrong with a partner's file or row, in plain words, with how to fix it.

Receipts and the ledger use these codes, so a partner always gets the same explanation for
the same problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from marmot.contracts.wording import TITLES

FIXES: dict[str, str] = {
    # file-level: the whole file is quarantined
    "empty_file": "The file has no bytes. Export the extract again and check it opens before sending.",
    "no_data_rows": "The file has a header but no data rows. Check the extract's filter or period.",
    "unreadable": ("We could not read the file in its stated format. "
                   "Save it as CSV (UTF-8), XLSX, Parquet or JSON and send it again."),
    "binary_file": ("The file is not text although its name says it is. "
                    "Send the export itself, not a compressed or binary file."),
    "archive_file": "The file is a zip archive. Unzip it and send the data file inside.",
    "web_page": ("The file is a web page (often an error or login page saved in place of the download), not "
                 "an export. Download or export the extract again, check it opens as a table, and send that."),
    "json_document": ("The file holds JSON, not CSV. Export the extract as CSV (UTF-8), or send the JSON file "
                      "named .json if the receipt lists JSON among the formats this dataset accepts."),
    "too_large": ("Send the extract as smaller files, one file per period: a file for a period replaces any "
                  "earlier file for that period, so never split one period across files. Delete blank rows, "
                  "columns or stray cells below and beside the data. If one period alone is over the limit, "
                  "ask the data team to raise the limit in the dataset's contract."),
    "unsupported_format": ("This dataset's contract does not accept this file type. "
                           "Send one of the formats listed in the receipt."),
    "missing_required_column": ("A required column is missing. Add it with the header shown "
                                "(or one of its accepted aliases) and send the file again."),
    "unknown_partner": ("We have no partner of this name. "
                        "Put the file in your own partner folder (ask the data team if unsure)."),
    "wrong_dataset_folder": ("The file belongs to another dataset (named in the message). "
                             "Move it to that dataset's folder."),
    "missing_sheet": ("The workbook has no sheet with the name the contract expects. "
                      "Name the data sheet as shown, or send CSV."),
    "unknown_dataset": ("We have no contract for this partner and dataset folder. "
                        "Check the folder name, or ask the data team to add a contract."),
    "not_in_dataset_folder": ("Files must be placed in landing/<partner>/<dataset>/. "
                              "Move the file into its dataset folder."),
    "not_a_file": ("A link, pipe, device or folder stood where a file was expected; we read nothing from it. "
                   "Copy the file itself into the folder."),
    "crashed_reader": ("Reading the file crashed our reader, or stopped the ingest twice (too deeply nested, or "
                       "needing too much memory). Check that it opens and is a plain export, and send it again."),
    "unsafe_name": ("The file name contains characters we do not accept. "
                    "Rename it using letters, digits, '-', '_' and '.'."),
    # row-level: the row is rejected, the rest of the file loads
    "missing_value": "Fill in this required value, or remove the row if the record is not real.",
    "not_a_number": "Use digits only (no text, symbols or suppression markers) in this column.",
    "suppressed_value": ("Send the actual count, however small: "
                         "the platform suppresses small numbers itself before anything is published."),
    "duplicate_key": ("Each row must have a different key. "
                      "Remove the repeated row, or correct its key if it is a different record."),
    "future_date": "The date is after today. Check the day/month order and the year.",
    "not_a_date": "Write the date as YYYY-MM-DD or DD/MM/YYYY.",
    "not_a_boolean": "Use Y or N (also accepted: Yes/No, True/False, 1/0).",
    "not_allowed": "Use one of the allowed values listed for this column.",
    "bad_pattern": "Correct the value to the form shown in the receipt (it gives an example).",
    "out_of_range": "The value is outside the range this column allows.",
    "bad_check_digit": ("The NHS number's check digit is wrong: it was mistyped or is not an NHS number. "
                        "Correct it from the source record."),
    "not_in_reference": ("The code is not one of the city's areas. "
                         "Check it is a Coventry code and the right boundary year."),
    "future_period": ("A period that had not begun when the file arrived cannot have data yet: check the period "
                      "column (often a mistyped year), correct it and send the file again. If this dataset sends "
                      "forecasts, ask the data team to allow future periods for this dataset."),
    "before_first_period": ("This dataset starts at the period the message names: "
                            "check the period column (often a mistyped year) and send the file again, or ask the "
                            "data team if the earlier periods are wanted."),
    # neither loaded nor a problem
    "duplicate_file": "Nothing to do: we already have this exact file content.",
    # warnings: the file loads
    "formula_like_text": ("Nothing to fix unless these values were meant as spreadsheet formulas: "
                          "they are kept as text."),
    "extra_column": "An extra column was ignored. Remove it from the extract, or ask us to add it to the contract.",
    "restatement_drop": ("Check that the extract is complete (its filters, its period, any row limit of the export). "
                         "If the fall is real, nothing to do; if rows are missing, send the complete file again: "
                         "it replaces this one."),
}


FILE_LEVEL = frozenset(("empty_file", "no_data_rows", "unreadable", "binary_file", "archive_file", "web_page",
                        "json_document", "too_large", "unsupported_format", "missing_required_column",
                        "unknown_partner", "wrong_dataset_folder", "missing_sheet", "unknown_dataset",
                        "not_in_dataset_folder", "not_a_file", "crashed_reader", "unsafe_name"))
WARNINGS = frozenset(("formula_like_text", "extra_column", "restatement_drop"))


def level_of(code: str) -> str:
    """``file`` (the whole file was quarantined), ``row`` (rows were rejected), ``warning`` (loaded, but
    look) or ``notice`` (nothing to do)."""
    return ("file" if code in FILE_LEVEL else "warning" if code in WARNINGS else
            "notice" if code == "duplicate_file" else "row")


def title_of(code: str) -> str:
    """The kind of problem in a few words ("Not one of the allowed values")."""
    return TITLES.get(code, code.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Problem:
    """A problem as receipts, the ledger and the partner portal show it. ``as_dict`` keys (stable; new ones are
    only ever added): ``code`` (stable, for machines), ``title`` (the kind of problem in a few words),
    ``level`` (file, row, warning, notice), ``column`` (the contract's name) and ``column_in_file`` (as the
    partner named it), ``message`` (what happened, in a sentence), ``expected`` (what was expected, in words,
    when a check says), ``action`` (what to do) and ``fix`` (the same as ``action``, its older name)."""

    code: str
    message: str
    column: str | None = None
    action: str | None = None  # what to do; FIXES[code] unless the check words it for its column
    expected: str | None = None
    column_in_file: str | None = None
    level: str | None = None  # level_of(code) unless said (a row problem in every row stops the whole file)

    @property
    def fix(self) -> str:
        return self.action or FIXES[self.code]

    def as_dict(self) -> dict:
        return {"code": self.code, "column": self.column, "message": self.message, "fix": self.fix,
                "action": self.fix, "expected": self.expected, "column_in_file": self.column_in_file or self.column,
                "title": title_of(self.code), "level": self.level or level_of(self.code)}


class FileProblem(Exception):
    """A problem that quarantines the whole file."""

    def __init__(self, code: str, message: str, column: str | None = None, action: str | None = None,
                 expected: str | None = None, column_in_file: str | None = None):
        super().__init__(message)
        self.problem = Problem(code, message, column, action, expected, column_in_file, "file")
