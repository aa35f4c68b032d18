"""``flask theme check``: render the shop's pages, partials and emails with a theme, on a scratch
demo shop, and report every template error with its file and line.

1. **A scratch shop.** An application of its own, with the theme to check, on a temporary SQLite
   database built by the migrations and filled with the demo data (``flask seed-demo``'s code, a
   small catalog). The configured database is never read or written, and no email leaves: they
   go to a mail capture of the check's own.
2. **Compile** every template the theme can reach (its files, its parents', the defaults):
   syntax errors, and what a theme may not do (``{% autoescape %}``, ``|safe``).
3. **A scenario through the services** (:mod:`.scenario`): an address book, a password reset,
   orders placed, shipped, refunded and cancelled, conversations, a cart at the last step of
   checkout. Every email is rendered on the way, then again in each language.
4. **Crawl**: every page of the URL map without arguments, the demo's richest product, its
   category and sellers, the links of the emails, then every link, htmx link and GET form found
   (a few per endpoint), as a visitor, then as the demo customer, seller and operator signed in,
   in turns of language; htmx links are requested as htmx requests them (``HX-Request``), which
   renders the partial alone.
5. **Review the theme's own files**: a template that extends itself, that names a template or
   a static file that does not exist, variables the template it replaces does not receive, and
   what the content security policy will block.

Rendering is strict here (the shop itself is lenient): an undefined variable printed, iterated,
compared or followed by ``.attribute`` is an error; testing it for truth (``{% if message %}``)
is allowed, since the default templates treat optional variables that way.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import socket
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from flask import Flask, template_rendered
from jinja2 import BaseLoader, StrictUndefined, TemplateError, nodes
from werkzeug.exceptions import HTTPException
from werkzeug.routing.exceptions import RoutingException

from storefront.settings import LOCALES

from .diagnostics import Location, describe, display_path, locate
from .loader import CORE, THEMES, TemplateFile, effective_templates, reserved_files
from .manifest import DEFAULT, Theme, resolve_chain
from .reference import NOT_THEMED, constant_references, helper_names
from .static import find_static

CHECK_PRODUCTS = 40
MAX_URLS_PER_ENDPOINT = 3
MAX_REQUESTS = 1000
# Images, development tools and JSON: no theme template behind them.
NOT_CRAWLED_BLUEPRINTS = frozenset({"media", "devmail", "api"})
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')

_SCRIPT_WITH_BODY = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
_EVENT_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
_EXTERNAL = re.compile(
    r"<(?:link|script|img|iframe|source)\b[^>]*\s(?:href|src)\s*=\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
_POST_FORM = re.compile(
    r"<form\b[^>]*\bmethod\s*=\s*[\"']?post\b[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL
)


class CheckUndefined(StrictUndefined):
    """Strict, except that an undefined name is false in a test (optional variables)."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    message: str
    location: Location | None = None
    where: str = ""  # the request or step that showed it

    def __str__(self) -> str:
        place = f"{self.location}: " if self.location else ""
        return f"{place}{self.message}" + (f"  [{self.where}]" if self.where else "")


@dataclass
class Report:
    theme: str
    chain: list[Theme]
    problems: list[Problem] = field(default_factory=list)
    compiled: int = 0
    requests: int = 0
    htmx_requests: int = 0
    emails: list[str] = field(default_factory=list)
    not_rendered: list[TemplateFile] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = [
            f"{self.compiled} templates compiled; {self.requests} pages requested "
            f"({self.htmx_requests} as htmx); emails rendered: {', '.join(self.emails) or 'none'}."
        ]
        if self.not_rendered:
            out.append(
                f"{len(self.not_rendered)} template(s) compiled but never rendered "
                "(no page of the demo shop shows them):"
            )
            out += [f"  {display_path(t.path)}" for t in self.not_rendered]
        if self.warnings:
            out.append(f"{len(self.warnings)} warning(s):")
            out += [f"  {p}" for p in self.warnings]
        if self.errors:
            out.append(f"{len(self.errors)} error(s):")
            out += [f"  {p}" for p in self.errors]
        out.append(
            f"Theme {self.theme!r}: "
            + ("no template error." if self.ok else f"{len(self.errors)} template error(s).")
        )
        return out


def check_theme(
    app: Flask,
    key: str,
    *,
    products: int = CHECK_PRODUCTS,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Check theme ``key`` of ``app``'s THEMES_DIR; raises ThemeError if it cannot be loaded."""
    say = progress or (lambda message: None)
    chain = resolve_chain(key, Path(app.config["THEMES_DIR"]))
    report = Report(key, chain)
    with (
        tempfile.TemporaryDirectory(prefix="theme-check-") as scratch,
        _mail_capture(Path(scratch)) as mail_url,
    ):
        check_app = _scratch_app(app, key, Path(scratch), mail_url)
        try:
            run = _Run(check_app, report, say)
            run.check()
        finally:
            _dispose(check_app)
    return report


def _scratch_app(app: Flask, key: str, scratch: Path, mail_url: str) -> Flask:
    from storefront import create_app

    environ = {
        "STOREFRONT_ENV": "testing",
        "STOREFRONT_INSTANCE": str(scratch / "instance"),
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": f"sqlite:///{scratch / 'check.db'}",
        "MAIL_URL": mail_url,
        "THEME": key,
        "THEMES_DIR": app.config["THEMES_DIR"],
        "PUBLIC_URL": app.config["PUBLIC_URL"],
        "DEFAULT_POSTAL_CODE": app.config["DEFAULT_POSTAL_CODE"],
        "JOBS_DB": str(scratch / "jobs.db"),
    }
    return create_app(
        environ,
        # The check's own requests: no cache between them. (Rate limits stay: the check signs in
        # three times, and each check app counts from zero.)
        PAGE_CACHE_SECONDS=0,
    )


def _dispose(check_app: Flask) -> None:
    from storefront.extensions import db

    with check_app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def _mail_capture(scratch: Path) -> Iterator[str]:
    from storefront.devmail import start_capture

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = start_capture(scratch / "mail", "127.0.0.1", port)
    try:
        yield f"smtp://127.0.0.1:{port}"
    finally:
        controller.stop()


class _RecordingLoader(BaseLoader):
    """The app's loader, noting each file it reads: the templates actually rendered."""

    def __init__(self, inner: BaseLoader, seen: set[str]):
        self.inner = inner
        self.seen = seen

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        self.seen.add(os.path.normpath(filename))
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


@dataclass
class _Identity:
    label: str
    client: object
    visits: dict = field(default_factory=dict)  # (endpoint, htmx) → number of URLs requested


class _Run:
    def __init__(self, app: Flask, report: Report, say: Callable[[str], None]):
        self.app = app
        self.report = report
        self.say = say
        self.active = app.extensions["themes"]
        self.loader = app.jinja_loader
        self.seen: set[str] = set()
        self.contexts: dict[str, set[str]] = {}  # template name → context keys views passed
        self.email_contexts: dict[str, dict] = {}  # email name → its context, captured once
        self.missing_assets: set[str] = set()
        self.seeds: list[str] = []
        self.helpers: set[str] = set()
        self.scenario_data = None
        self._where = ""  # the request or step running: where an error shows
        self._reported: set[tuple] = set()

    # --- the steps ---------------------------------------------------------------------------

    def check(self) -> None:
        app = self.app
        app.jinja_env.undefined = CheckUndefined
        app.jinja_loader = _RecordingLoader(self.loader, self.seen)
        app.jinja_env.globals["asset_url"] = self._recording_asset_url(
            app.jinja_env.globals["asset_url"]
        )
        app.register_error_handler(TemplateError, self._failed)
        app.register_error_handler(Exception, self._failed)
        self.helpers = helper_names(app)
        chain_label = " → ".join([*(t.key for t in self.report.chain), DEFAULT])
        self.say(f"Checking theme {self.report.theme!r} ({chain_label}) on a scratch demo shop…")
        self.compile_all()
        self.say("  building the demo shop…")
        if not self.build_shop():
            return
        self.say("  rendering emails and pages…")
        with template_rendered.connected_to(self._rendered, app):
            # One context for both: the emails are rendered again with the objects the first
            # rendering had, still attached to this context's database session.
            with app.test_request_context(base_url=app.config["PUBLIC_URL"]):
                self.scenario()
                self.render_emails()
            self.crawl()
        self.review_theme_files()
        self.find_not_rendered()

    def compile_all(self) -> None:
        """Compile every reachable file without rendering (and without counting it rendered)."""
        env = self.app.jinja_env
        files = self._all_files()
        for name, path in files:
            try:
                source = path.read_text(encoding="utf-8")
                env.compile(source, name, os.path.normpath(path))
            except TemplateError as error:
                self.problem("error", describe(error), locate(error) or Location(str(path), 1))
            except UnicodeDecodeError as error:
                self.problem("error", f"not UTF-8 text: {error}", Location(str(path), 1))
        self.report.compiled = len(files)

    def build_shop(self) -> bool:
        from flask_migrate import upgrade

        from storefront import PROJECT_ROOT, clock
        from storefront.demo.bulk import write_catalog
        from storefront.demo.catalog import CatalogGenerator
        from storefront.demo.command import DEFAULT_SEED
        from storefront.demo.shop import ensure_shop
        from storefront.extensions import db

        with self.app.app_context():
            try:
                # Alembic logs every revision it applies on stderr: not news for a theme's author.
                with contextlib.redirect_stderr(io.StringIO()):
                    upgrade(directory=str(PROJECT_ROOT / "migrations"), revision="heads")
                ids = ensure_shop(db.session, seed=DEFAULT_SEED)
                write_catalog(
                    db.session,
                    CatalogGenerator(ids, DEFAULT_SEED),
                    CHECK_PRODUCTS,
                    now=clock.now(),
                )
            except Exception as error:  # the check cannot run at all: say why, as an error
                self.problem(
                    "error", f"the scratch demo shop could not be built: {describe(error)}"
                )
                return False
        return True

    def scenario(self) -> None:
        """Put the scratch shop in states that show every part of the pages and send the emails."""
        from storefront.demo.scenario import DemoScenario

        self.scenario_data = DemoScenario.find(self.app)
        if self.scenario_data is None:
            self.problem(
                "warning",
                "the demo shop has no customer or no product with an offer: pages show empty states",
            )
            return
        self.seeds += self.scenario_data.seeds
        for label, step in self.scenario_data.steps():
            with self.step(label):
                step()
        self.seeds += self.scenario_data.email_links()

    def render_emails(self) -> None:
        """Each email the scenario sent, again in every language."""
        from storefront.notifications.render import render_email

        for name, context in sorted(self.email_contexts.items()):
            for locale in LOCALES:
                with self.step(f"the {name} email in {locale}"):
                    render_email(name, context, locale)
                    self.report.emails.append(f"{name} ({locale})")

    def crawl(self) -> None:
        identities = self._identities()
        seeds = [*self._url_map_seeds(), *self.seeds]
        for identity in identities:
            queue = deque((url, False) for url in seeds)
            done: set[tuple[str, bool]] = set()
            while queue and self.report.requests < MAX_REQUESTS:
                url, htmx = queue.popleft()
                if (url, htmx) in done:
                    continue
                done.add((url, htmx))
                endpoint = self._endpoint(url)
                if endpoint is None:
                    continue
                visits = identity.visits.get((endpoint, htmx), 0)
                if visits >= MAX_URLS_PER_ENDPOINT:
                    continue
                identity.visits[(endpoint, htmx)] = visits + 1
                queue.extend(self._get(identity, url, htmx))

    def review_theme_files(self) -> None:
        """What compiling and rendering cannot see in the theme's own files."""
        env = self.app.jinja_env
        for theme in self.report.chain:
            for path in reserved_files(theme):
                self.problem(
                    "warning",
                    f"ignored: {CORE}/ and {THEMES}/ are reserved names in a theme's templates",
                    Location(str(path), 1),
                )
            for name in _template_names(theme.templates_folder):
                path = theme.templates_folder / name
                try:
                    source = path.read_text(encoding="utf-8")
                    ast = env.parse(source, name, str(path))
                except (TemplateError, UnicodeDecodeError):
                    continue  # reported when compiling
                self._review(theme, name, path, source, ast)

    def find_not_rendered(self) -> None:
        for template in effective_templates(self.report.chain, self.active.default_templates):
            if template.name.startswith(NOT_THEMED):
                continue
            if os.path.normpath(template.path) not in self.seen:
                self.report.not_rendered.append(template)

    # --- crawling ----------------------------------------------------------------------------

    def _identities(self) -> list[_Identity]:
        """A visitor, then each demo account signed in (customer, seller, operator), in turns of
        language; the visitor has a cart of its own (the customer's was filled by the scenario)."""
        from storefront.demo.shop import DEMO_ACCOUNTS

        visitor = _Identity(f"visitor, {LOCALES[0]}", self.app.test_client())
        identities = [visitor]
        for number, account in enumerate(DEMO_ACCOUNTS, start=1):
            locale = LOCALES[number % len(LOCALES)]
            identity = _Identity(f"{account.role.value.lower()}, {locale}", self.app.test_client())
            with self.step(f"signing the demo {account.role.value.lower()} in"):
                response = self._post(
                    identity,
                    self._url("account.login"),
                    {"email": account.email, "password": account.password},
                )
                if response.status_code != 302:
                    raise RuntimeError(
                        f"signing in answered {response.status_code}, not a redirect"
                    )
                identities.append(identity)
        for number, identity in enumerate(identities):
            with self.step(f"choosing the language of the {identity.label}"):
                self._post(
                    identity, self._url("shop.set_locale", code=LOCALES[number % len(LOCALES)]), {}
                )
        scenario = self.scenario_data
        if scenario is not None and scenario.offer_ids:
            with self.step("a visitor's cart"):
                response = self._post(
                    visitor,
                    self._url("cart.add"),
                    {"offer_id": scenario.offer_ids[0], "quantity": 1},
                )
                if response.status_code >= 400:
                    raise RuntimeError(f"adding to the cart answered {response.status_code}")
        return identities

    def _post(self, identity: _Identity, url: str, data: dict):
        """A form POST as a browser sends it: with the CSRF token of the pages' meta tag (read on
        the sign-in page, which shows no product: a broken product partial does not stop it)."""
        page_url = self._url("account.login")
        self._where = f"GET {page_url} as the {identity.label}"
        page = identity.client.get(page_url, follow_redirects=True)  # signed in: to their home
        token = _CSRF_META.search(page.get_data(as_text=True))
        if token is None:
            self.problem(
                "warning",
                'the pages have no <meta name="csrf-token">: htmx requests will be refused '
                "(keep the meta tag of core/base.html)",
            )
            return identity.client.post(url, data=data)
        return identity.client.post(url, data=data, headers={"X-CSRFToken": token.group(1)})

    def _url_map_seeds(self) -> list[str]:
        seeds = []
        with self.app.test_request_context():
            for rule in self.app.url_map.iter_rules():
                if (
                    rule.arguments
                    or "GET" not in (rule.methods or ())
                    or not self._crawlable(rule.endpoint)
                ):
                    continue
                seeds.append(self._url(rule.endpoint))
        return sorted(seeds)

    def _crawlable(self, endpoint: str) -> bool:
        blueprint = endpoint.rpartition(".")[0]
        return endpoint != "static" and blueprint not in NOT_CRAWLED_BLUEPRINTS

    def _endpoint(self, url: str) -> str | None:
        parts = urlsplit(url)
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, _ = adapter.match(parts.path, method="GET")
        except (HTTPException, RoutingException):
            return None
        return endpoint if self._crawlable(endpoint) else None

    def _get(self, identity: _Identity, url: str, htmx: bool) -> list[tuple[str, bool]]:
        headers = {"HX-Request": "true"} if htmx else {}
        where = f"GET {url}" + (" (htmx)" if htmx else "") + f" as the {identity.label}"
        self.report.requests += 1
        self.report.htmx_requests += htmx
        self._where = where
        try:
            response = identity.client.get(url, headers=headers)
        except Exception as error:  # an error page that could not render either
            self._record(error, where)
            return []
        if response.status_code in (301, 302, 303, 307, 308) and response.location:
            return (
                [(self._local(url, response.location), htmx)]
                if self._local(url, response.location)
                else []
            )
        if response.status_code != 200 or response.mimetype != "text/html":
            return []
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        links = [(u, False) for u in parser.pages] + [(u, True) for u in parser.htmx]
        return [(local, as_htmx) for link, as_htmx in links if (local := self._local(url, link))]

    @staticmethod
    def _local(base: str, link: str) -> str | None:
        absolute = urljoin("http://localhost" + base, link.strip())
        parts = urlsplit(absolute)
        if parts.scheme != "http" or parts.netloc != "localhost":
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def _url(self, endpoint: str, **values) -> str:
        from flask import url_for

        with self.app.test_request_context():
            return url_for(endpoint, **values)

    # --- recording what went wrong -----------------------------------------------------------

    def _failed(self, error: Exception):
        """The check app's handler of every error (a 404 keeps its own page)."""
        if isinstance(error, HTTPException):
            return error
        self._record(error, self._where)
        return "template error", 500

    def _record(self, error: BaseException, where: str) -> None:
        location = locate(error)
        self.problem("error", describe(error), location, where)

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        self._where = label
        try:
            yield
        except Exception as error:
            if locate(error) is not None or isinstance(error, TemplateError):
                self._record(error, label)
            else:
                # Not the theme's fault: the part of the check that needed it is skipped.
                self.problem("warning", f"skipped {label}: {describe(error)}")

    def problem(
        self, level: str, message: str, location: Location | None = None, where: str = ""
    ) -> None:
        key = (level, message, location)
        if key in self._reported:
            return
        self._reported.add(key)
        self.report.problems.append(Problem(level, message, location, where))

    def _rendered(self, sender, template, context, **extra) -> None:
        name = template.name or ""
        self.contexts.setdefault(name, set()).update(context)
        if name.startswith("emails/") and name.endswith(".subject.txt"):
            email = name.removeprefix("emails/").removesuffix(".subject.txt")
            if email not in self.email_contexts:
                self.email_contexts[email] = {
                    k: v for k, v in context.items() if k not in self.helpers
                }

    def _recording_asset_url(self, asset_url):
        def recording(filename: str) -> str:
            if find_static(filename) is None and filename not in self.missing_assets:
                self.missing_assets.add(filename)
                self.problem(
                    "error",
                    f"asset_url({filename!r}): no such file in the theme's static/ nor in static/",
                    where=self._where,
                )
            return asset_url(filename)

        return recording

    # --- the theme's own files ---------------------------------------------------------------

    def _all_files(self) -> list[tuple[str, Path]]:
        files = [
            (t.name, t.path)
            for t in effective_templates(self.report.chain, self.active.default_templates)
        ]
        named = {path for _, path in files}
        for theme in self.report.chain:  # a parent's file its child replaces is still reachable
            for name in _template_names(theme.templates_folder):
                path = theme.templates_folder / name
                if path not in named:
                    files.append((f"{THEMES}/{theme.key}/{name}", path))
        for name in _template_names(self.active.default_templates):  # and so is every default
            path = self.active.default_templates / name
            if path not in named:
                files.append((f"{CORE}/{name}", path))
        return files

    def _review(
        self, theme: Theme, name: str, path: Path, source: str, ast: nodes.Template
    ) -> None:
        kinds = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
        for target, line in constant_references(ast, kinds):
            if target == name:
                replaced = self._replaced(theme, name)
                hint = f'; extend "{replaced[1]}" instead' if replaced else ""
                self.problem("error", f"{name} refers to itself{hint}", Location(str(path), line))
            elif not self._exists(target):
                self.problem("error", f"no template named {target!r}", Location(str(path), line))
        for call in ast.find_all(nodes.Call):
            if (
                isinstance(call.node, nodes.Name)
                and call.node.name == "asset_url"
                and call.args
                and isinstance(call.args[0], nodes.Const)
                and isinstance(call.args[0].value, str)
                and find_static(call.args[0].value, self.app) is None
            ):
                self.problem(
                    "error",
                    f"asset_url({call.args[0].value!r}): no such file in the theme's static/ nor in static/",
                    Location(str(path), call.lineno),
                )
        self._review_names(theme, name, path, ast)
        if not name.startswith("emails/") and name.endswith(".html"):
            self._review_policy(path, source)

    def _review_names(self, theme: Theme, name: str, path: Path, ast: nodes.Template) -> None:
        from jinja2 import meta

        from .reference import assigned_names

        replaced = self._replaced(theme, name)
        if replaced is None:
            return  # a template of the theme's own: it sees what its includer has
        replaced_path = replaced[0]
        env = self.app.jinja_env
        try:
            original = env.parse(replaced_path.read_text(encoding="utf-8"))
        except (TemplateError, UnicodeDecodeError):
            return
        known = (
            meta.find_undeclared_variables(original) | self.helpers | self.contexts.get(name, set())
        )
        new = meta.find_undeclared_variables(ast) - assigned_names(ast) - known
        for variable in sorted(new):
            line = min(n.lineno for n in ast.find_all(nodes.Name) if n.name == variable)
            self.problem(
                "warning",
                f"uses {variable!r}, which {display_path(replaced_path)} does not: "
                "every page that renders it must pass it",
                Location(str(path), line),
            )

    def _review_policy(self, path: Path, source: str) -> None:
        # Comments may well mention <script> or style=: blank them, keeping the line numbers.
        source = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), source)

        def line_of(index: int) -> int:
            return source.count("\n", 0, index) + 1

        for pattern, what in (
            (_SCRIPT_WITH_BODY, "an inline <script>"),
            (_EVENT_ATTRIBUTE, "an on…= event attribute"),
            (_STYLE_ATTRIBUTE, "a style= attribute"),
            (_STYLE_ELEMENT, "a <style> element"),
            (_EXTERNAL, "a file from another site"),
        ):
            for match in pattern.finditer(source):
                self.problem(
                    "warning",
                    f"{what}: the content security policy blocks it (put it in the theme's static/)",
                    Location(str(path), line_of(match.start())),
                )
        for match in _POST_FORM.finditer(source):
            body = match.group(1)
            if "csrf_token" not in body and "hidden_tag" not in body:
                self.problem(
                    "warning",
                    "a POST form without csrf_token: the shop will refuse it (400)",
                    Location(str(path), line_of(match.start())),
                )

    def _replaced(self, theme: Theme, name: str) -> tuple[Path, str] | None:
        """The file ``theme``'s ``name`` replaces (its parent's, or the default), and the name
        that reaches it."""
        chain = self.report.chain
        for parent in chain[chain.index(theme) + 1 :]:
            if (parent.templates_folder / name).is_file():
                return parent.templates_folder / name, f"{THEMES}/{parent.key}/{name}"
        default = self.active.default_templates / name
        return (default, f"{CORE}/{name}") if default.is_file() else None

    def _exists(self, name: str) -> bool:
        try:
            self.loader.get_source(self.app.jinja_env, name)
        except TemplateError:
            return False
        return True


def _template_names(folder: Path) -> list[str]:
    from .loader import ThemeFolderLoader

    return ThemeFolderLoader(str(folder)).list_templates() if folder.is_dir() else []


class _Links(HTMLParser):
    """Links (``a href``), htmx links (``hx-get``) and GET forms (with their default values)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pages: list[str] = []
        self.htmx: list[str] = []
        self._form: tuple[str, list[tuple[str, str]]] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.pages.append(a["href"])
        if a.get("hx-get"):
            self.htmx.append(a["hx-get"])
        if tag == "form" and a.get("method", "get").lower() == "get" and "action" in a:
            self._form = (a["action"], [])
        elif self._form is not None and a.get("name"):
            fields = self._form[1]
            if tag == "input" and a.get("type", "text") not in (
                "checkbox",
                "radio",
                "submit",
                "button",
            ):
                fields.append((a["name"], a.get("value", "")))
            elif tag == "select":
                self._select = a["name"]
        if tag == "option" and self._form is not None and self._select:
            self._form[1].append((self._select, a.get("value", "")))
            self._select = None  # the first option: what the form sends untouched

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            action, fields = self._form
            self.pages.append(action + ("?" + urlencode(fields) if fields else ""))
            self._form = None
