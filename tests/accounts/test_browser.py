"""Accounts in a real browser (Debian chromium via Playwright), desktop and 390×844, Korean and English: the
account page, the password-reset flow end to end through the loopback SMTP server, Kakao-style sign-in
against the loopback OpenID Connect provider (its own login and consent pages), and deleting the account.
Screenshots of every step go to tests/artifacts/screenshots/ (accounts-…)."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from app.core.i18n import translate
from tests.browser.helpers import DEVICES, Shots, Watch
from tests.support.accounts import AccountsDeployment
from tests.support.smtp import first_link
from tests.support.users import new_user

pytestmark = [pytest.mark.browser, pytest.mark.db]
COMBOS = [("desktop", "ko"), ("desktop", "en"), ("mobile", "ko"), ("mobile", "en")]
IDS = [f"{d}-{lang}" for d, lang in COMBOS]


@pytest_asyncio.fixture(loop_scope="session")
async def context(request: pytest.FixtureRequest, browser: Browser) -> AsyncIterator[BrowserContext]:
    device, lang = request.param
    ctx = await browser.new_context(
        **DEVICES[device], locale="en-US" if lang == "en" else "ko-KR", accept_downloads=True
    )
    await ctx.route("https://fonts.googleapis.com/**", lambda route: route.abort())  # the provider's dev pages
    yield ctx
    await ctx.close()


def _t(lang: str, key: str, **params: Any) -> str:
    return translate(lang, key, **params)


async def _new_page(context: BrowserContext, accounts: AccountsDeployment) -> tuple[Page, Watch]:
    page = await context.new_page()
    return page, Watch(page, accounts.url)


async def _log_in(page: Page, accounts: AccountsDeployment, email: str, password: str) -> None:
    await page.goto(accounts.url + "/login")
    await page.fill("#f-email", email)
    await page.fill("#f-password", password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_url(accounts.url + "/")


@pytest.mark.parametrize("context", COMBOS, ids=IDS, indirect=True)
async def test_account_page(
    context: BrowserContext, accounts: AccountsDeployment, request: pytest.FixtureRequest
) -> None:
    device, lang = request.node.callspec.params["context"]
    shots = Shots(device, f"accounts-{lang}-account")
    page, watch = await _new_page(context, accounts)
    email = f"b{uuid.uuid4().hex[:10]}@example.com"

    # sign up: the terms must be accepted (and are linked)
    await page.goto(accounts.url + "/signup")
    await page.fill("#f-email", email)
    await page.fill("#f-nickname", "화가" if lang == "ko" else "Painter")
    await page.fill("#f-password", "correct horse battery")
    await expect(page.locator("label[for=f-terms]")).to_contain_text(_t(lang, "signup_terms"))
    await page.click("form[action='/signup'] button[type=submit]")
    await expect(page.locator("#e-terms")).to_have_text(_t(lang, "terms_required"))
    await page.fill("#f-password", "correct horse battery")
    await page.check("#f-terms")
    await shots(page, "signup")
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_url(accounts.url + "/create")

    # the nickname in the header leads to the account page
    await page.goto(accounts.url + "/")
    await page.click("header .who")
    await page.wait_for_url(accounts.url + "/account")
    await expect(page.locator("h1")).to_have_text(_t(lang, "account_title"))
    await expect(page.locator("#profile dd")).to_have_text(email)
    await shots(page, "account")

    await page.fill("#f-nickname", "새 닉네임" if lang == "ko" else "New name")
    await page.click("#profile button[type=submit]")
    await expect(page.locator("#account-notice")).to_have_text(_t(lang, "account_done_nickname"))
    await expect(page.locator("header .who")).to_have_text("새 닉네임" if lang == "ko" else "New name")

    # another device is logged in; a wrong current password is refused in place, the right one logs it out
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        token = (await api.post("/api/auth/token", json={"email": email, "password": "correct horse battery"})).json()
        other = {"authorization": f"Bearer {token['access_token']}"}
        await page.fill("#f-current_password", "not my password")
        await page.fill("#f-new_password", "a much better one")
        await page.click("#password button[type=submit]")
        await expect(page.locator("#e-current_password")).to_have_text(_t(lang, "wrong_password"))
        await shots(page, "password-wrong")
        await page.fill("#f-current_password", "correct horse battery")
        await page.fill("#f-new_password", "a much better one")
        await page.click("#password button[type=submit]")
        await expect(page.locator("#account-notice")).to_have_text(_t(lang, "account_done_password"))
        await shots(page, "password-changed")
        assert (await api.get("/api/me", headers=other)).status_code == 401

    # the export downloads a zip of everything
    async with page.expect_download() as download_info:
        await page.click("#export a[download]")
    download = await download_info.value
    data = Path(await download.path()).read_bytes()
    assert {"profile.json", "tasks.json", "posts.json", "comments.json"} <= set(
        zipfile.ZipFile(io.BytesIO(data)).namelist()
    )

    # log out everywhere: back to the log-in page with a notice
    await page.click("#sessions button[type=submit]")
    await page.wait_for_url("**/login?done=logged_out_everywhere")
    await expect(page.locator(".alert.info")).to_have_text(_t(lang, "logged_out_everywhere"))
    await shots(page, "logged-out-everywhere")
    await page.goto(accounts.url + "/account")
    assert "/login" in page.url
    watch.check(allowed_errors=(r"status of 400 .*/(signup|account/password)$",))  # the refused forms above


@pytest.mark.parametrize("context", COMBOS, ids=IDS, indirect=True)
async def test_password_reset_by_mail(
    context: BrowserContext, accounts: AccountsDeployment, request: pytest.FixtureRequest
) -> None:
    device, lang = request.node.callspec.params["context"]
    shots = Shots(device, f"accounts-{lang}-reset")
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        user = await new_user(api, "잊은사람" if lang == "ko" else "Forgetful")
    page, watch = await _new_page(context, accounts)
    await page.goto(accounts.url + "/login")
    await page.click(f"text={_t(lang, 'forgot_link')}")
    await page.wait_for_url(accounts.url + "/forgot")
    await shots(page, "forgot")
    await page.fill("#f-email", user.email)
    await page.click("form[action='/forgot'] button[type=submit]")
    await expect(page.locator(".alert.info")).to_have_text(_t(lang, "reset_sent"))
    await shots(page, "sent")

    mail = (await accounts.smtp.wait_for(user.email))[-1]
    assert mail["Subject"] == _t(lang, "mail_reset_subject")  # in the language the request was made in
    await page.goto(first_link(mail))
    await expect(page.locator("h1")).to_have_text(_t(lang, "reset_title"))
    await shots(page, "new-password")
    await page.fill("#f-new_password", "my new secret pass")
    await page.click("form[action='/reset'] button[type=submit]")
    await page.wait_for_url(accounts.url + "/account?done=reset")
    await expect(page.locator("#account-notice")).to_have_text(_t(lang, "account_done_reset"))
    await shots(page, "logged-in")
    # the link was for one use only
    await page.goto(first_link(mail))
    await page.fill("#f-new_password", "once again please")
    await page.click("form[action='/reset'] button[type=submit]")
    await expect(page.locator(".alert.error")).to_have_text(_t(lang, "reset_link_invalid"))
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        assert (
            await api.post("/api/auth/token", json={"email": user.email, "password": user.password})
        ).status_code == 401
        assert (
            await api.post("/api/auth/token", json={"email": user.email, "password": "my new secret pass"})
        ).status_code == 200
    watch.check(allowed_errors=(r"status of 400 .*/reset$",))  # the reused link


async def _provider_sign_in(page: Page, sub: str) -> None:
    """The provider's own pages: log in as ``sub``, then consent."""
    await page.wait_for_selector("input[name=login]")
    await page.fill("input[name=login]", sub)
    await page.fill("input[name=password]", "any password")  # the development pages accept any
    await page.click("button[type=submit]")
    consent = page.locator("form:has(input[name=prompt][value=consent]) button[type=submit]")
    await consent.click()  # "Continue": consent to share the profile and email


@pytest.mark.parametrize("context", COMBOS, ids=IDS, indirect=True)
async def test_kakao_style_sign_in(
    context: BrowserContext, accounts: AccountsDeployment, request: pytest.FixtureRequest
) -> None:
    device, lang = request.node.callspec.params["context"]
    shots = Shots(device, f"accounts-{lang}-kakao")
    kakao_label = "카카오 로그인" if lang == "ko" else "Sign in with Kakao"
    page = await context.new_page()

    # a first sign-in makes an account from the provider's profile
    sub = accounts.oidc.add_account(f"kakao-{uuid.uuid4().hex[:8]}", nickname="카카오친구", email_verified=False)
    await page.goto(accounts.url + "/login?next=/board")
    await shots(page, "login")
    await page.click(f"a.provider-kakao:has-text('{kakao_label}')")
    await _provider_sign_in(page, sub)
    await page.wait_for_url(accounts.url + "/board")
    await expect(page.locator("header .who")).to_have_text("카카오친구")
    await page.goto(accounts.url + "/account")
    await expect(page.locator("#providers li", has_text=kakao_label)).to_contain_text(_t(lang, "account_connected"))
    await expect(page.locator("#profile dd")).to_have_text(_t(lang, "account_email_none"))
    await shots(page, "account")
    await page.click(f"#providers li:has-text('{kakao_label}') button")  # its only way in: refused
    await expect(page.locator(".alert.error")).to_have_text(_t(lang, "last_sign_in_method"))
    # connecting another provider from the account page (the provider knows this person already: consent only)
    corp_label = "회사 계정" if lang == "ko" else "Company account"
    await page.click(f"#providers li:has-text('{corp_label}') a")
    await page.locator("form:has(input[name=prompt][value=consent]) button[type=submit]").click()
    await page.wait_for_url("**/account?done=linked&provider=corp")
    await expect(page.locator("#account-notice")).to_have_text(_t(lang, "account_done_linked", provider=corp_label))
    await expect(page.locator("#providers li", has_text=corp_label)).to_contain_text(_t(lang, "account_connected"))
    await page.click(f"#providers li:has-text('{kakao_label}') button")  # no longer the only way in
    await page.wait_for_url("**/account?done=unlinked&provider=kakao")
    await expect(page.locator("#providers li", has_text=kakao_label)).to_contain_text(_t(lang, "account_connect"))
    await page.click("header form[action='/logout'] button")

    # a verified email of an existing account is linked only once its password confirms it
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        owner = await new_user(api, "원래계정")
    sub2 = accounts.oidc.add_account(
        f"kakao-{uuid.uuid4().hex[:8]}", email=owner.email, email_verified=True, nickname="카카오의나"
    )
    await context.clear_cookies()  # someone else at the provider now (its session cookie is gone)
    await page.goto(accounts.url + "/login")
    await page.click("a.provider-kakao")
    await _provider_sign_in(page, sub2)
    await page.wait_for_url(accounts.url + "/auth/oidc/link")
    await expect(page.locator("main")).to_contain_text(owner.email)
    await shots(page, "link")
    await page.fill("#f-password", "wrong wrong wrong")
    await page.click("form[action='/auth/oidc/link'] button[type=submit]")
    await expect(page.locator("#e-password")).to_have_text(_t(lang, "wrong_password"))
    await page.fill("#f-password", owner.password)
    await page.click("form[action='/auth/oidc/link'] button[type=submit]")
    await page.wait_for_url(accounts.url + "/")
    await expect(page.locator("header .who")).to_have_text("원래계정")
    # from now on Kakao signs the owner in directly
    await page.click("header form[action='/logout'] button")
    await page.goto(accounts.url + "/login")
    await page.click("a.provider-kakao")
    await page.wait_for_url(accounts.url + "/")  # the provider remembers the session: no second consent
    await expect(page.locator("header .who")).to_have_text("원래계정")
    await shots(page, "linked")


@pytest.mark.parametrize("context", COMBOS, ids=IDS, indirect=True)
async def test_delete_account(
    context: BrowserContext, accounts: AccountsDeployment, request: pytest.FixtureRequest
) -> None:
    device, lang = request.node.callspec.params["context"]
    shots = Shots(device, f"accounts-{lang}-delete")
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        user = await new_user(api, "떠나요" if lang == "ko" else "Leaving")
    page, watch = await _new_page(context, accounts)
    await _log_in(page, accounts, user.email, user.password)
    await page.goto(accounts.url + "/account#delete")
    form = page.locator("#delete form")
    await expect(form).to_be_hidden()  # behind a disclosure: one more deliberate step
    await page.click("#delete summary")
    await expect(form).to_be_visible()
    await page.check("#delete input[value=anonymize]")
    await page.fill("#delete #f-password", user.password)
    await page.click("#delete button[type=submit]")  # the confirmation box is not ticked yet: refused
    await expect(page.locator("#delete .field.check .field-error")).to_have_text(
        _t(lang, "account_delete_confirm_required")
    )
    await expect(form).to_be_visible()  # shown again, open, with the choice kept
    await expect(page.locator("#delete input[value=anonymize]")).to_be_checked()
    await page.fill("#delete #f-password", user.password)
    await page.check("#f-confirm")
    await shots(page, "confirm")
    await page.click("#delete button[type=submit]")
    await expect(page.locator("h1")).to_have_text(_t(lang, "account_deleted_title"))
    await expect(page.locator("header .who")).to_have_count(0)
    await shots(page, "deleted")
    async with httpx.AsyncClient(base_url=accounts.url) as api:
        assert (
            await api.post("/api/auth/token", json={"email": user.email, "password": user.password})
        ).status_code == 401
        assert (await api.get("/api/me", headers=user.headers)).status_code == 401
    watch.check(allowed_errors=(r"status of 400 .*/account/delete$",))  # the unconfirmed try
