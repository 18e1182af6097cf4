#!/usr/bin/env python
"""The screenshots of the user guides (docs/huong-dan/), made by driving Debian's Chromium over the demo.

    .venv/bin/python scripts/guide_screenshots.py [--out docs/huong-dan/anh] [--only staff-1]

Builds a fresh SQLite demo database in a temporary folder (migrate, load_reference,
load_project_reference, load_demo: what `make demo` does), serves it with the development server on
a free port, signs in as each demo user through the login form and saves the viewport (1280 × 800)
of each page in SHOTS as a 256-colour PNG. Nothing of the developer's own database or media is read
or written; the server and the temporary folder are removed at the end, whatever happens.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "KhuyenCong@2026"  # khuyencong.demo.DEMO_PASSWORD
VIEWPORT = {"width": 1280, "height": 800}

# Demo logins (khuyencong.demo.DEMO_USERS), by the role whose guide uses them.
LOGINS = {
    "staff": "0912000001",
    "leader": "0912000002",
    "unit": "0912000003",
    "applicant": "0912000006",
    "observer": "0912000007",
}

# (file name without .png, login key or None for a visitor, path, link to follow on that page or None)
SHOTS = [
    ("chung-dang-nhap", None, "/tai-khoan/dang-nhap/", None),
    ("chung-huong-dan", "staff", "/huong-dan/", None),
    ("can-bo-so-1-trang-lam-viec", "staff", "/tai-khoan/", None),
    ("can-bo-so-2-xac-minh", "staff", "/co-so/xac-minh/", None),
    ("can-bo-so-3-de-nghi", "staff", "/co-so/de-nghi/danh-sach/", None),
    ("can-bo-so-4-de-an", "staff", "/de-an/", None),
    ("can-bo-so-5-de-an-chi-tiet", "staff", "/de-an/", "main table tbody a[href^='/de-an/']"),
    ("can-bo-so-6-ky-bao-cao", "staff", "/bao-cao/ky/", None),
    ("lanh-dao-so-1-trang-lam-viec", "leader", "/tai-khoan/", None),
    ("lanh-dao-so-2-ke-hoach", "leader", "/chuong-trinh/ke-hoach/", None),
    ("lanh-dao-so-3-bao-cao-nam", "leader", "/bao-cao/tong-hop/", None),
    ("don-vi-1-trang-lam-viec", "unit", "/tai-khoan/", None),
    ("don-vi-2-bao-cao", "unit", "/bao-cao/don-vi/", None),
    ("don-vi-3-bao-cao-chi-tiet", "unit", "/bao-cao/don-vi/", "main a[href^='/bao-cao/don-vi/']"),
    ("co-so-0-dang-ky", None, "/co-so/dang-ky/", None),
    ("co-so-1-trang-lam-viec", "applicant", "/tai-khoan/", None),
    ("co-so-2-ho-so", "applicant", "/co-so/ho-so/", None),
    ("co-so-3-de-nghi", "applicant", "/co-so/de-nghi/", None),
    ("co-so-4-de-an", "applicant", "/de-an/cua-toi/", None),
    ("co-so-5-tra-cuu", None, "/co-so/tra-cuu/", None),
    ("theo-doi-1-trang-chu", "observer", "/", None),
    ("theo-doi-2-de-an", "observer", "/de-an/", None),
    ("theo-doi-3-de-an-chi-tiet", "observer", "/de-an/", "main table tbody a[href^='/de-an/']"),
    ("theo-doi-4-bao-cao-nam", "observer", "/bao-cao/tong-hop/", None),
]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args, log):
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        check=True,
        stdout=log,
        stderr=log,
        timeout=900,
    )


def _wait_until_up(url, server, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the development server stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz/", timeout=2):  # noqa: S310 (our own local server)
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"the development server did not answer within {seconds} s")


def _optimise(path):
    """A 256-colour palette PNG: screenshots of a flat interface keep their look at a third the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    small.save(path, optimize=True)


def _shoot(url, out, shots):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        contexts = {}
        try:
            for name, who, path, follow in shots:
                if who not in contexts:
                    contexts[who] = browser.new_context(
                        viewport=VIEWPORT, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
                    )
                    if who:
                        _login(contexts[who].new_page(), url, LOGINS[who])
                page = contexts[who].new_page()
                page.goto(f"{url}{path}")
                if follow:
                    page.locator(follow).first.click()
                    page.wait_for_load_state()
                target = out / f"{name}.png"
                page.screenshot(path=str(target), full_page=False)
                _optimise(target)
                print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}  {page.url}")
                page.close()
        finally:
            browser.close()


def _login(page, url, login):
    page.goto(f"{url}/tai-khoan/dang-nhap/")
    page.get_by_label("Email hoặc số điện thoại").fill(login)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").last.click()
    page.wait_for_load_state()
    if "/dang-nhap/" in page.url:
        raise RuntimeError(f"sign-in as {login} failed")
    page.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "huong-dan" / "anh"))
    parser.add_argument("--only", action="append", help="only the shots whose name starts with this")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    shots = [s for s in SHOTS if not args.only or any(s[0].startswith(prefix) for prefix in args.only)]

    work = Path(tempfile.mkdtemp(prefix="kc-guide-"))
    env = {
        **os.environ,
        "DJANGO_ENV": "local",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "MEDIA_ROOT": str(work / "media"),
        "REDIS_URL": "",
        "EMAIL_URL": "consolemail://",
        "DJANGO_SETTINGS_MODULE": "khuyencong.settings",
    }
    server = None
    try:
        with open(work / "setup.log", "w") as log:
            print(f"Demo database in {work} …")
            for command in ("migrate --noinput", "load_reference", "load_project_reference", "load_demo"):
                _manage(env, *command.split(), log=log)
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            server = subprocess.Popen(  # noqa: S603 (our own manage.py)
                [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
                env={**env, "SITE_URL": url},
                stdout=log,
                stderr=log,
            )
            _wait_until_up(url, server)
            _shoot(url, out, shots)
    except Exception:
        print(f"Failed; the setup and server log is kept in {work / 'setup.log'}", file=sys.stderr)
        raise
    else:
        shutil.rmtree(work, ignore_errors=True)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    print(f"{len(shots)} screenshots, {total / 1024:.0f} KB in {out}")


if __name__ == "__main__":
    main()
