"""The portal's routes (FastAPI). Every route decides who may use it with one of the guards below; a dataset,
upload or delivery of another partner answers exactly as one that does not exist (404).

| who | may |
|---|---|
| anyone | sign in |
| a partner's user | its own datasets: status, deliveries, receipts, rejected rows; upload and send files |
| a partner's API token | upload to its own datasets and follow those uploads (``Authorization: Bearer``) |
| the data team | every dataset's status, deliveries, receipts and uploads; late deliveries, quarantines, audit log |
"""

# no ``from __future__ import annotations``: FastAPI reads the guards (closures) from the annotations
import secrets
from datetime import date
from typing import Annotated

from fastapi import Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from marmot.contracts import Contract, load_contracts
from marmot.ingest import ledger
from marmot.portal import audit, sessions, status, uploads
from marmot.portal.accounts import User, authenticate, partners, token_partner
from marmot.portal.pages import render
from marmot.portal.precheck import Prechecker
from marmot.portal.sessions import COOKIE, LOGIN_CSRF_COOKIE, Session
from marmot.settings import Paths, portal_secure_cookies
from marmot.settings import paths as home_paths

FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the other fields, on top of the file
HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class Portal:
    """What the routes share: the home, the contracts, the pre-checker, the cookie setting."""

    def __init__(self, paths: Paths, contracts: dict[str, Contract], secure_cookies: bool) -> None:
        self.paths = paths
        self.contracts = contracts
        self.secure_cookies = secure_cookies
        self.prechecker = Prechecker(paths, contracts)
        self.partner_names = partners(contracts)

    def contracts_of(self, user: User) -> list[Contract]:
        return sorted((c for c in self.contracts.values() if user.is_data_team or c.partner == user.partner),
                      key=lambda c: c.id)


def create_app(paths: Paths | None = None, contracts: dict[str, Contract] | None = None,
               secure_cookies: bool | None = None) -> FastAPI:
    portal = Portal(paths or home_paths(), contracts if contracts is not None else load_contracts(),
                    portal_secure_cookies() if secure_cookies is None else secure_cookies)
    app = FastAPI(title="Marmot partner portal", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.portal = portal
    app.router.add_event_handler("shutdown", portal.prechecker.close)

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        if exc.status_code in (301, 302, 303, 307):
            return RedirectResponse(exc.headers["Location"], exc.status_code)  # type: ignore[index]
        return HTMLResponse(render("message.html.j2", title=_TITLES.get(exc.status_code, "Error"),
                                   message=str(exc.detail), session=None), exc.status_code, headers=exc.headers)

    # -- guards --------------------------------------------------------------------------------------------
    def session_of(request: Request) -> Session | None:
        return sessions.find(portal.paths, request.cookies.get(COOKIE))

    def signed_in(request: Request) -> Session:
        session = session_of(request)
        if session is None:
            if request.method == "GET":
                raise HTTPException(303, "Sign in first.", headers={"Location": "/login"})
            raise HTTPException(403, "Sign in first.")
        return session

    async def posted(request: Request, session: Annotated[Session, Depends(signed_in)]) -> Session:
        """A signed-in form post carrying the session's CSRF token."""
        form = await request.form()
        if not sessions.same(session.csrf, form.get("csrf")):  # type: ignore[arg-type]
            raise HTTPException(403, "This form has expired. Go back, reload the page and try again.")
        return session

    def team_only(session: Annotated[Session, Depends(signed_in)]) -> Session:
        if not session.user.is_data_team:
            raise HTTPException(404, "Not found")
        return session

    def visible_contract(contract_id: str, user: User) -> Contract:
        contract = portal.contracts.get(contract_id)
        if contract is None or not (user.is_data_team or contract.partner == user.partner):
            raise HTTPException(404, "Not found")
        return contract

    def visible_upload(upload_id: str, user: User | None, partner: str | None = None) -> uploads.Upload:
        upload = uploads.load(portal.paths, upload_id)
        owner = partner if user is None else (None if user.is_data_team else user.partner)
        if upload is None or (owner is not None and upload.partner != owner) or (
                user is None and partner is None):
            raise HTTPException(404, "Not found")
        return upload

    def api_partner(request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        partner = token_partner(portal.paths, token.strip()) if scheme.lower() == "bearer" else None
        if partner is None:
            raise HTTPException(401, "A valid API token is needed (Authorization: Bearer <token>).",
                                headers={"WWW-Authenticate": "Bearer"})
        return partner

    def ip(request: Request) -> str:
        return request.client.host if request.client else "-"

    def page(name: str, session: Session | None, status_code: int = 200, **context: object) -> HTMLResponse:
        return HTMLResponse(render(name, session=session, **context), status_code)

    # -- signing in and out ----------------------------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", 303)
        return RedirectResponse("/team" if session.user.is_data_team else "/datasets", 303)

    @app.get("/login")
    def login_form(request: Request) -> Response:
        token = secrets.token_urlsafe(24)
        response = page("login.html.j2", None, csrf=token, error=None, username="")
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, secure=portal.secure_cookies,
                            samesite="strict", path="/login")
        return response

    @app.post("/login")
    def login(request: Request, username: Annotated[str, Form(max_length=200)] = "",
              password: Annotated[str, Form(max_length=1000)] = "",
              csrf: Annotated[str, Form(max_length=200)] = "") -> Response:
        if not sessions.same(request.cookies.get(LOGIN_CSRF_COOKIE), csrf):
            raise HTTPException(403, "This form has expired. Go back, reload the page and try again.")
        address = ip(request)
        if sessions.throttled(portal.paths, username, address):
            audit.record(portal.paths, "login_throttled", user=username, ip=address)
            return PlainTextResponse("Too many failed sign-ins for this user from your address. "
                                     "Wait 15 minutes, then try again (or ask the data team to reset your password).",
                                     429)
        user = authenticate(portal.paths, username, password)
        if user is None:
            sessions.failed(portal.paths, username, address)
            audit.record(portal.paths, "login_failure", user=username, ip=address)
            return page("login.html.j2", None, 401, csrf=csrf, username=username,
                        error="The user name or password is wrong.")
        sessions.succeeded(portal.paths, username, address)
        token, _ = sessions.start(portal.paths, user)
        audit.record(portal.paths, "login_success", user=username, ip=address)
        response = RedirectResponse("/", 303)
        response.set_cookie(COOKIE, token, httponly=True, secure=portal.secure_cookies, samesite="strict", path="/",
                            max_age=sessions.SESSION_SECONDS)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
        return response

    @app.post("/logout")
    def logout(request: Request, session: Annotated[Session, Depends(posted)]) -> Response:
        sessions.end(portal.paths, request.cookies.get(COOKIE))
        audit.record(portal.paths, "logout", user=session.user.username, ip=ip(request))
        response = RedirectResponse("/login", 303)
        response.delete_cookie(COOKIE, path="/")
        return response

    # -- a partner's datasets --------------------------------------------------------------------------------
    @app.get("/datasets")
    def datasets(session: Annotated[Session, Depends(signed_in)]) -> Response:
        mine = portal.contracts_of(session.user)
        return page("datasets.html.j2", session, rows=status.statuses(portal.paths, mine),
                    partner_name=portal.partner_names.get(session.user.partner or "", "All partners"))

    @app.get("/datasets/{contract_id}")
    def dataset(contract_id: str, session: Annotated[Session, Depends(signed_in)]) -> Response:
        contract = visible_contract(contract_id, session.user)
        return page("dataset.html.j2", session, contract=contract,
                    state=status.statuses(portal.paths, [contract])[0],
                    deliveries=status.deliveries(portal.paths, contract),
                    indicators=status.published_indicators(portal.paths, contract),
                    limit_mb=uploads.limit_bytes(contract) // 1_000_000,
                    can_upload=not session.user.is_data_team, error=None)

    @app.get("/datasets/{contract_id}/deliveries/{batch_id}/receipt")
    def receipt(request: Request, contract_id: str, batch_id: str,
                session: Annotated[Session, Depends(signed_in)]) -> Response:
        contract = visible_contract(contract_id, session.user)
        entry = status.delivery(portal.paths, contract, batch_id)
        html = status.receipt_html(portal.paths, entry) if entry else None
        if html is None:
            raise HTTPException(404, "Not found")
        audit.record(portal.paths, "download_receipt", user=session.user.username, ip=ip(request),
                     dataset=contract.id, batch_id=batch_id)
        return HTMLResponse(html.read_text(encoding="utf-8"))

    @app.get("/datasets/{contract_id}/deliveries/{batch_id}/rejected.csv")
    def rejected_rows(request: Request, contract_id: str, batch_id: str,
                      session: Annotated[Session, Depends(signed_in)]) -> Response:
        contract = visible_contract(contract_id, session.user)
        entry = status.delivery(portal.paths, contract, batch_id)
        if entry is None:
            raise HTTPException(404, "Not found")
        audit.record(portal.paths, "download_rejected_rows", user=session.user.username, ip=ip(request),
                     dataset=contract.id, batch_id=batch_id)
        return Response(status.rejected_rows_csv(portal.paths, entry), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{batch_id}-rejected.csv"'})

    # -- uploading -------------------------------------------------------------------------------------------
    def refuse_oversize(request: Request, contract: Contract) -> None:
        """Before the body is read: an upload must say its length (browsers and curl do; the server holds the
        body to it), and that length must be within the dataset's limit."""
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            raise HTTPException(411, "Send the file with its length (a Content-Length header).")
        if int(length) > uploads.limit_bytes(contract) + FORM_OVERHEAD:
            raise HTTPException(413, f"The file is larger than the {uploads.limit_bytes(contract) // 1_000_000} MB "
                                     "this dataset takes.")

    async def receive_and_check(request: Request, contract: Contract, user: str,
                                file: UploadFile) -> uploads.Upload:
        upload = await run_in_threadpool(uploads.receive, portal.paths, contract, user, file.filename, file.file)
        result = await run_in_threadpool(portal.prechecker.check, uploads.file_of(portal.paths, upload), contract,
                                         upload.sha256)
        upload.precheck = {**result.as_dict(), "can_land": result.can_land, "clean": result.clean}
        uploads.save(portal.paths, upload)
        audit.record(portal.paths, "upload", user=user, ip=ip(request), dataset=contract.id,
                     upload_id=upload.upload_id, file=upload.name, sha256=upload.sha256, bytes=upload.bytes,
                     precheck=result.status, rows_in=result.rows_in, rows_rejected=result.rows_rejected)
        return upload

    def land(request: Request, upload: uploads.Upload, user: str) -> None:
        try:
            name = uploads.land(portal.paths, upload)
        except uploads.UploadRefused as exc:
            audit.record(portal.paths, "landing_refused", user=user, ip=ip(request), dataset=upload.contract_id,
                         upload_id=upload.upload_id, why=str(exc))
            raise HTTPException(409, "The file could not be put in its landing folder; the data team has to look "
                                     "at the folder first.") from None
        audit.record(portal.paths, "landed", user=user, ip=ip(request), dataset=upload.contract_id,
                     upload_id=upload.upload_id, landed_as=name, sha256=upload.sha256)

    @app.post("/datasets/{contract_id}/uploads")
    async def upload_form(request: Request, contract_id: str) -> Response:
        session = signed_in(request)
        contract = visible_contract(contract_id, session.user)
        if session.user.is_data_team:
            raise HTTPException(403, "Files are sent by the partner's own users.")
        refuse_oversize(request, contract)
        session = await posted(request, session)
        form = await request.form()
        file = form.get("file")
        if not isinstance(file, UploadFile) or not file.filename:
            return page("dataset.html.j2", session, 400, contract=contract,
                        state=status.statuses(portal.paths, [contract])[0],
                        deliveries=status.deliveries(portal.paths, contract),
                        indicators=status.published_indicators(portal.paths, contract),
                        limit_mb=uploads.limit_bytes(contract) // 1_000_000, can_upload=True,
                        error="Choose a file to upload.")
        try:
            upload = await receive_and_check(request, contract, session.user.username, file)
        except uploads.UploadRefused as exc:
            raise HTTPException(413, str(exc)) from None
        if upload.precheck["clean"]:
            await run_in_threadpool(land, request, upload, session.user.username)
        return RedirectResponse(f"/uploads/{upload.upload_id}", 303)

    @app.get("/uploads/{upload_id}")
    def upload_page(upload_id: str, session: Annotated[Session, Depends(signed_in)]) -> Response:
        upload = visible_upload(upload_id, session.user)
        contract = visible_contract(upload.contract_id, session.user)
        entry = uploads.receipt_of(portal.paths, upload)
        published = status.published_in(portal.paths, entry) if entry and entry.status in ledger.LOADED else None
        return page("upload.html.j2", session, upload=upload, contract=contract, result=upload.precheck,
                    entry=entry, published=published,
                    indicators=status.published_indicators(portal.paths, contract) if published else [],
                    waiting=bool(upload.landed_name) and entry is None,
                    publishing=entry is not None and entry.status in ledger.LOADED and published is None,
                    held=status.held_back(portal.paths, entry) if entry and entry.status in ledger.LOADED
                    and published is None else None,
                    can_send=not session.user.is_data_team and upload.precheck["can_land"]
                    and not upload.landed_name)

    @app.post("/uploads/{upload_id}/send")
    def send(request: Request, upload_id: str, session: Annotated[Session, Depends(posted)]) -> Response:
        upload = visible_upload(upload_id, session.user)
        if session.user.is_data_team:
            raise HTTPException(403, "Files are sent by the partner's own users.")
        if not upload.precheck.get("can_land"):
            raise HTTPException(409, "This file would not load; fix it and upload it again.")
        if not upload.landed_name:
            if not uploads.file_of(portal.paths, upload).exists():
                raise HTTPException(410, "This upload is too old to send; upload the file again.")
            land(request, upload, session.user.username)
        return RedirectResponse(f"/uploads/{upload.upload_id}", 303)

    # -- the API (a partner's token) --------------------------------------------------------------------------
    @app.post("/api/datasets/{dataset}/uploads")
    async def api_upload(request: Request, dataset: str, check_only: bool = False) -> Response:
        partner = api_partner(request)  # before the body is read
        contract = portal.contracts.get(f"{partner}__{dataset}")
        if contract is None:
            raise HTTPException(404, "Not found")
        refuse_oversize(request, contract)
        file = (await request.form(max_files=1)).get("file")
        if not isinstance(file, UploadFile):
            raise HTTPException(400, "send the file as the form field 'file' (curl -F file=@extract.csv)")
        try:
            upload = await receive_and_check(request, contract, f"token:{partner}", file)
        except uploads.UploadRefused as exc:
            raise HTTPException(413, str(exc)) from None
        if upload.precheck["can_land"] and not check_only:
            await run_in_threadpool(land, request, upload, f"token:{partner}")
        return JSONResponse(_api_view(upload, None), 201)

    @app.get("/api/uploads/{upload_id}")
    def api_follow(request: Request, upload_id: str) -> Response:
        partner = api_partner(request)
        upload = visible_upload(upload_id, None, partner)
        return JSONResponse(_api_view(upload, uploads.receipt_of(portal.paths, upload)))

    # -- the data team ---------------------------------------------------------------------------------------
    @app.get("/team")
    def team(session: Annotated[Session, Depends(team_only)]) -> Response:
        rows = status.statuses(portal.paths, portal.contracts_of(session.user))
        return page("team.html.j2", session, rows=rows, late=[r for r in rows if r.owed],
                    quarantined=status.quarantined(portal.paths), uploads=uploads.recent(portal.paths),
                    today=date.today().isoformat())

    @app.get("/team/audit")
    def audit_log(session: Annotated[Session, Depends(team_only)]) -> Response:
        return page("audit.html.j2", session, events=audit.read(portal.paths))

    return app


_TITLES = {400: "Check the form", 401: "Sign in", 403: "Not allowed", 404: "Not found", 409: "Cannot send",
           410: "Upload again", 411: "File length missing", 413: "File too large", 429: "Too many attempts"}


def _api_view(upload: uploads.Upload, entry) -> dict:
    result = upload.precheck
    return {"upload_id": upload.upload_id, "dataset": upload.dataset, "file": upload.name,
            "sha256": upload.sha256, "precheck": {k: result[k] for k in (
                "status", "rows_in", "rows_loaded", "rows_rejected", "periods", "problems", "rejects", "replaces",
                "drop_warning")},
            "landed_as": upload.landed_name,
            "receipt": None if entry is None else {"status": entry.status, "batch_id": entry.batch_id,
                                                   "rows_loaded": entry.rows_loaded,
                                                   "rows_rejected": entry.rows_rejected}}
