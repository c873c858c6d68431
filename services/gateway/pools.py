"""Volunteer pools and quotas as CSV, the form sortition tools use, turned into a
citizen-panel request for the matching service.

- The pool: a header row, then one row per volunteer: an ``id`` column (an opaque
  id from the recruitment list, never a name), an optional ``household`` column
  (volunteers with the same value share a household), and one column per feature
  (age band, gender, area …).
- The quotas ("categories"): ``feature,value,min,max`` per row, with or without
  that header row.

Pure: no I/O.  The page (``web/views/staff.py``) and the API
(``POST /municipalities/{m}/panels/csv``) both use it, so they refuse the same
rows with the same field names.
"""
import csv
import io
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from samskab.contracts.matching import PanelRule
from samskab.errors import Invalid

# 20,000 volunteers with a handful of features are about 2.5 MB of JSON (measured: 1,000
# with readable ids and five features, 113 KB); the panel routes take up to this much.
POOL_MAX_BODY = 8 * 1024 * 1024
POOL_MAX_VOLUNTEERS = 20000
ID_COLUMN, HOUSEHOLD_COLUMN = "id", "household"
QUOTA_HEADER = ["feature", "value", "min", "max"]


class PoolInvalid(Invalid):
    """A pool the page can explain in the reader's language: ``code`` is ``empty``,
    ``header``, ``rows`` or ``too_many``; ``rows`` the line numbers at fault."""

    def __init__(self, field, code, detail, rows=()):
        super().__init__(f"{field}: {detail}", errors=[{"field": field, "message": detail}])
        self.code, self.rows = code, list(rows)


class PanelCsvRequest(BaseModel):
    """``POST /municipalities/{m}/panels/csv``: the panel request with the pool and the
    quotas as the text of their CSV files."""

    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    proposal_id: uuid.UUID | None = None
    size: int = Field(ge=1, le=1000)
    pool_csv: str = Field(min_length=1, max_length=POOL_MAX_BODY,
                          description="id, optional household, one column per feature; a row per volunteer")
    quotas_csv: str = Field(min_length=1, max_length=100_000,
                            description="feature,value,min,max per row (the header row is optional)")
    one_per_household: bool = False
    alternates: int = Field(0, ge=0, le=500)
    seed: int | None = Field(None, ge=0, le=2**63 - 1)
    rule: PanelRule = "maximin"


def _rows(text):
    # The BOM that spreadsheet programs write first would become part of the first name.
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff").strip())))


def parse_pool(text, field="pool"):
    """The volunteers of a pool CSV, or :class:`Invalid` naming the first bad rows."""
    rows = _rows(text)
    if not rows:
        raise PoolInvalid(field, "empty", "the pool is empty")
    header = [name.strip() for name in rows[0]]
    lowered = [name.lower() for name in header]
    problems = []
    if ID_COLUMN not in lowered:
        problems.append(f"the header row has no '{ID_COLUMN}' column")
    if len(set(lowered)) != len(lowered) or "" in lowered:
        problems.append("the header row has an empty or repeated column name")
    if problems:
        raise PoolInvalid(field, "header", "; ".join(problems))
    volunteers, bad, seen = [], [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines between rows
        if len(row) != len(header):
            bad.append(number)
            continue
        values = {lowered[i]: (header[i], cell.strip()) for i, cell in enumerate(row)}
        vid = values.pop(ID_COLUMN)[1]
        household = values.pop(HOUSEHOLD_COLUMN, (None, ""))[1] or None
        features = {name: value for name, value in values.values()}
        if not vid or vid in seen or not all(features.values()):
            bad.append(number)
            continue
        seen.add(vid)
        volunteers.append({"id": vid, "features": features, "household": household})
    if bad:
        shown = ", ".join(map(str, bad[:10])) + (" …" if len(bad) > 10 else "")
        raise PoolInvalid(field, "rows", f"rows {shown} lack a value, repeat an id or have the wrong number "
                                         "of columns", rows=bad[:10])
    if len(volunteers) > POOL_MAX_VOLUNTEERS:
        raise PoolInvalid(field, "too_many", f"at most {POOL_MAX_VOLUNTEERS} volunteers")
    return volunteers


def parse_quotas(text):
    """``({feature: {value: {min, max}}}, [bad row numbers])``."""
    quotas, bad = {}, []
    for number, row in enumerate(_rows(text), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells] == QUOTA_HEADER:
            continue
        if len(cells) != 4 or not cells[0] or not cells[1] or not cells[2].isdigit() or not cells[3].isdigit():
            bad.append(number)
            continue
        quotas.setdefault(cells[0], {})[cells[1]] = {"min": int(cells[2]), "max": int(cells[3])}
    return quotas, bad


def panel_request(body):
    """A :class:`PanelCsvRequest` as the matching service's panel request (a dict)."""
    quotas, bad = parse_quotas(body.quotas_csv)
    if bad:
        raise Invalid(f"quotas_csv: rows {', '.join(map(str, bad))} are not feature,value,min,max",
                      errors=[{"field": "quotas_csv", "message": f"rows {', '.join(map(str, bad))}"}])
    payload = body.model_dump(mode="json", exclude={"pool_csv", "quotas_csv"}, exclude_none=True)
    payload["volunteers"] = parse_pool(body.pool_csv, field="pool_csv")
    payload["quotas"] = quotas
    return payload
