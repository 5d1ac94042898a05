"""Triage of a comparison's findings: the API routes, and the route the report page's
controls post to (a plain form without JavaScript, JSON for the page's script).

Reads and writes go through the gate like every other route: a key (or, for the page, the
sign-in cookie) names the workspace, another workspace's comparison is not found, and a write
sent by another site is refused before it gets here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from analyzer.report.render import triage_status_html
from analyzer.store import WorkspaceRef
from analyzer.store.triage import MAX_NOTE, MAX_REASON
from analyzer.web.api import router as api_router
from analyzer.web.api import service_of
from analyzer.web.auth import COOKIE, api_workspace, page_workspace
from analyzer.web.service import ComparisonTriage

router = APIRouter(prefix="/api/v1", responses=api_router.responses)
pages = APIRouter(include_in_schema=False)
ApiWorkspace = Annotated[WorkspaceRef, Depends(api_workspace)]
PageWorkspace = Annotated[WorkspaceRef, Depends(page_workspace)]
State = Literal["open", "reviewed", "dismissed", "flagged"]


class TriageIn(BaseModel):
    state: State = Field(description="reviewed, dismissed (needs a reason), flagged, or open "
                                     "(clears the verdict)")
    reason: str | None = Field(None, description=f"why it is dismissed (required then); at "
                                                 f"most {MAX_REASON:,} characters")
    note: str | None = Field(None, description=f"a note for the team; at most {MAX_NOTE:,} "
                                               "characters. A PUT replaces the state: a note "
                                               "left out is removed")


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _one(triage: ComparisonTriage, comparison_id: str, finding_id: str) -> dict[str, Any]:
    return {"comparison": comparison_id, "finding": finding_id,
            **triage.triage.of(finding_id), "summary": dict(triage.triage.summary)}


@router.get("/comparisons/{comparison_id}/triage", tags=["triage"],
            summary="Every finding of a comparison with its triage, and the count of states")
async def list_triage(request: Request, ws: ApiWorkspace, comparison_id: str) -> dict[str, Any]:
    service = service_of(request)
    record = await service.comparison(ws, comparison_id)
    triage = await anyio.to_thread.run_sync(service.triage_of, ws, record)
    return {"comparison": record.id, "summary": dict(triage.triage.summary),
            "findings": triage.items()}


@router.get("/comparisons/{comparison_id}/findings/{finding}/triage", tags=["triage"],
            summary="One finding's triage (the finding by its id, or by its triage key)")
async def get_triage(request: Request, ws: ApiWorkspace, comparison_id: str,
                     finding: str) -> dict[str, Any]:
    service = service_of(request)
    record = await service.comparison(ws, comparison_id)
    triage = await anyio.to_thread.run_sync(service.triage_of, ws, record)
    return _one(triage, record.id, triage.finding(finding)["id"])


@router.put("/comparisons/{comparison_id}/findings/{finding}/triage", tags=["triage"],
            summary="Set one finding's triage: reviewed, dismissed with a reason, flagged, "
                    "or open again")
async def put_triage(request: Request, ws: ApiWorkspace, comparison_id: str, finding: str,
                     body: TriageIn) -> dict[str, Any]:
    finding_id, triage = await service_of(request).set_triage(
        ws, comparison_id, finding, state=body.state, reason=body.reason, note=body.note,
        actor_key=_bearer(request))
    return _one(triage, comparison_id, finding_id)


@pages.post("/comparisons/{comparison_id}/triage")
async def triage_form(request: Request, ws: PageWorkspace, comparison_id: str,
                      finding: Annotated[str, Form(max_length=64)],
                      state: Annotated[str, Form(max_length=16)],
                      reason: Annotated[str | None, Form()] = None,
                      note: Annotated[str | None, Form()] = None) -> Response:
    """The report page's triage controls: JSON for its script, else back to the finding."""
    finding_id, triage = await service_of(request).set_triage(
        ws, comparison_id, finding, state=state, reason=reason, note=note,
        actor_key=request.cookies.get(COOKIE))
    if "application/json" in request.headers.get("accept", ""):
        shown = triage.triage.of(finding_id)
        return JSONResponse({"finding": finding_id, "triage": dict(shown),
                             "summary": dict(triage.triage.summary),
                             "summary_text": triage.triage.summary_text(),
                             "status_html": triage_status_html(shown)})
    return RedirectResponse(f"/comparisons/{comparison_id}#{finding_id}", 303)
