"""Read the contracts folder: every file is validated and every problem of every file is collected,
so ``marmot contracts validate`` lists them all at once, each with its file and key path
(``ingestion/contracts/police__stop_search.yml: columns[3].type: ...``)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, ValidationError

from marmot.contracts.model import TRANSPORTS, Contract
from marmot.settings import contracts_dir

# how a value that does not match its field's pattern is worded
_PATTERN_WORDS = {
    "conn_id": "must be a snake_case Airflow connection id",
    "due": "must be a number of days after the period ends ('20') or a month-day ('03-31')",
    "period_param": "must be a query parameter name such as 'month'",
    "name": "must be snake_case",
}


class ContractError(ValueError):
    """One or more contracts are invalid; the message lists every problem."""


def read_yaml(path: Path):
    """A YAML file parsed by libyaml's safe loader where PyYAML has it: the pure-Python loader took
    0.4 s for the contracts, paid by every Airflow task as it parses its DAG file."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_contracts(directory: Path | None = None) -> dict[str, Contract]:
    """Every contract keyed by ``partner__dataset``; raises ContractError listing all problems."""
    contracts: dict[str, Contract] = {}
    errors: list[str] = []
    for path in sorted((directory or contracts_dir()).glob("*.yml")):
        shown = _shown(path)
        try:
            raw = read_yaml(path)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            errors.append(f"{shown}: not valid YAML{where}: {getattr(exc, 'problem', None) or exc}")
            continue
        if not isinstance(raw, dict):
            errors.append(f"{shown}: must be a YAML mapping")
            continue
        try:
            contract = Contract.model_validate(raw, context={"path": path})
        except ValidationError as exc:
            errors += [f"{shown}: {problem}" for problem in describe(exc, raw)]
            continue
        contracts[contract.id] = contract
    if errors:
        raise ContractError("\n".join(errors))
    return contracts


def describe(exc: ValidationError, raw: dict) -> list[str]:
    """pydantic's errors for one contract, worded for the engineer who writes it: a key path and
    the problem; refused keys and unknown list values are grouped per place."""
    problems: list[str] = []
    grouped: dict[tuple[str, str], list] = {}  # (what, where) -> offending keys or values
    for e in exc.errors():
        loc, kind, value = e["loc"], e["type"], e.get("input")
        kind_of_transport = loc[1] if len(loc) > 1 and loc[0] == "transport" and loc[1] in TRANSPORTS else None
        where = _key_path(loc)
        if kind == "missing":
            problems.append(f"transport type {kind_of_transport!r} needs setting {loc[-1]!r}" if kind_of_transport
                            else f"{_prefix(loc[:-1])}missing key {loc[-1]!r}")
        elif kind == "extra_forbidden":
            grouped.setdefault(("keys", _key_path(loc[:-1])), [loc[:-1]]).append(loc[-1])
        elif kind == "literal_error" and isinstance(loc[-1], int):
            grouped.setdefault(("values", _key_path(loc[:-1])), [e["ctx"]["expected"]]).append(value)
        elif kind == "literal_error" and loc[0] == "columns" and loc[-1] == "type":
            problems.append(f"{where}: column {_column_name(raw, loc[1])!r} has type {value!r}; "
                            f"use one of {_choices(e['ctx']['expected'])}")
        elif kind == "literal_error":
            problems.append(f"{where} {value!r} must be one of {_choices(e['ctx']['expected'])}")
        elif kind == "union_tag_invalid":
            problems.append(f"{where}.type is {e['ctx']['tag']!r}; use one of {sorted(TRANSPORTS)}")
        elif kind == "union_tag_not_found":
            problems.append(f"{where}.type is missing; use one of {sorted(TRANSPORTS)}")
        elif kind in ("model_attributes_type", "model_type", "dict_type"):
            problems.append(f"{where} must be a mapping" if loc != ("transport",) else
                            f"transport must be a mapping with a 'type' ({', '.join(TRANSPORTS)})")
        elif kind == "string_pattern_mismatch":
            words = _PATTERN_WORDS.get(str(loc[-1]), f"must match {e['ctx']['pattern']}")
            problems.append(f"{where} {value!r} {words}")
        elif kind == "contract_value":
            problems.append(f"{where} {value!r} {e['msg']}")
        elif kind == "contract_named":
            problems.append(e["msg"])
        elif kind == "contract":
            problems.append(f"{_prefix(loc)}{e['msg']}")
        else:
            problems.append(f"{where} {value!r}: {e['msg']}")
    for (what, where), (first, *found) in grouped.items():
        if what == "values":
            problems.append(f"{where}: unknown {where} {sorted(map(str, found))}; use one of {_choices(first)}")
        elif first[:1] == ("transport",):
            kind_of_transport = first[1]
            allowed = sorted(set(TRANSPORTS[kind_of_transport].model_fields) - {"type"})
            problems.append(f"transport type {kind_of_transport!r} has unknown settings {sorted(found)}; "
                            f"allowed: {allowed}")
        else:
            model = _model_at(first)
            problems.append(f"{_prefix(first)}unknown keys {sorted(found)}; allowed: {sorted(model.model_fields)}")
    return problems


def _model_at(location: tuple) -> type[BaseModel]:
    """The model of the mapping at ``location`` in a contract (list indexes skipped), for the "allowed:" list."""
    model: type[BaseModel] = Contract
    for part in location:
        if isinstance(part, int):
            continue
        pending, found = [model.model_fields[part].annotation], None
        while pending and found is None:
            kind = pending.pop()
            if isinstance(kind, type) and issubclass(kind, BaseModel):
                found = kind
            pending += get_args(kind)
        model = found
    return model


def _shown(path: Path) -> Path:
    """The file as the engineer would type it: relative to the current folder when inside it."""
    here = Path.cwd()
    return path.resolve().relative_to(here) if path.resolve().is_relative_to(here) else path


def _key_path(loc: tuple) -> str:
    """('columns', 3, 'type') -> 'columns[3].type'; a transport's type tag is left out."""
    if len(loc) > 1 and loc[0] == "transport" and loc[1] in TRANSPORTS:
        loc = loc[:1] + loc[2:]
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _prefix(loc: tuple) -> str:
    return f"{_key_path(loc)}: " if loc else ""


def _choices(expected: str) -> list[str]:
    """pydantic's "'a', 'b' or 'c'" as ['a', 'b', 'c']."""
    return sorted(re.findall(r"'([^']*)'", expected))


def _column_name(raw: dict, index: int):
    column = raw["columns"][index]
    return column.get("name") if isinstance(column, dict) else None
