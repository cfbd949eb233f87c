"""Console screening page: search a name or an address, see graded hits with their explanations."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse

from warden.console.auth import console_router
from warden.console.templating import TEMPLATES
from warden.screening.matcher import DEFAULT_THRESHOLD, NameQuery
from warden.web.screening import screener_for

router = console_router()  # every page needs a signed-in user
_ADDRESS_LIKE = re.compile(r"^[A-Za-z0-9:]{25,128}$")


@router.get("/screening", response_class=HTMLResponse)
def screening_page(
    request: Request,
    q: str = Query("", max_length=500),
    kind: str = Query("", pattern="^(|person|entity|vessel|aircraft)$"),
    dob: str = Query("", max_length=10),
    threshold: float = Query(DEFAULT_THRESHOLD, ge=0.0, le=1.0),
) -> HTMLResponse:
    result: dict[str, Any] | None = None
    mode = "name"
    error = ""
    if q.strip():
        screener = screener_for(request)
        if _ADDRESS_LIKE.match(q.strip()):
            mode, result = "address", screener.screen_address(q.strip())
        else:
            year = int(dob[:4]) if dob[:4].isdigit() else None
            if dob and year is None:
                error = "date of birth must start with a year (YYYY)"
            result = screener.screen_name(NameQuery(q, kind or None, year), threshold)
    context = {"q": q, "kind": kind, "dob": dob, "threshold": threshold, "result": result, "mode": mode, "error": error}
    return TEMPLATES.TemplateResponse(request, "screening.html", context)
