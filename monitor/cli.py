"""The `webcare` command: each subcommand parses its arguments and calls one function."""

from __future__ import annotations

import csv
import json
import logging
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from monitor.config import Settings, load_settings
from monitor.errors import WebcareError
from monitor.names import ROLES, TEAMS

F = TypeVar("F", bound=Callable[..., Any])


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "waitress.queue", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class Context:
    def __init__(self, config: str | None) -> None:
        self.config_path = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path)
        return self._settings

    def runtime(self) -> Any:
        from monitor.runtime import Runtime

        return Runtime(self.settings)


def friendly_errors(command: F) -> F:
    """Turn errors a user can cause into one line on stderr and exit status 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WebcareError as exc:
            click.echo(f"webcare: error: {exc}", err=True)
            sys.exit(2)
        except (OperationalError, ProgrammingError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            click.echo(f"webcare: error: database problem: {reason}", err=True)
            sys.exit(2)

    return cast(F, wrapper)


pass_context = click.make_pass_decorator(Context)


@click.group(name="webcare", context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    default=None,
    help="Configuration file (default: $WEBCARE_CONFIG, else config/webcare.toml).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail.")
@click.version_option(package_name="webcare-triage")
@click.pass_context
def main(ctx: click.Context, config: str | None, verbose: bool) -> None:
    """Webcare Triage: collect public mentions of your brand, classify them and route them to
    the webcare, customer service and spokesperson queues.

    Start with `webcare init`, then `webcare run`. WEBCARE_DATABASE_URL overrides the
    database URL of the configuration.
    """
    _setup_logging(verbose)
    ctx.obj = Context(config)


@main.command()
@pass_context
@friendly_errors
def init(ctx: Context) -> None:
    """Create or upgrade the database schema, the teams, the sources and the first model.

    Safe to run again: it only adds what is missing and applies new migrations.
    """
    runtime = ctx.runtime()
    counts = runtime.init_schema()
    click.echo(
        f"database ready at {runtime.db.display_url}; sources: {counts['added']} added, "
        f"{counts['updated']} updated, {counts['removed']} removed"
    )
    password = runtime.ensure_demo_admin()
    if password:
        click.echo(
            f"demo: created user {ctx.settings.demo.admin_user!r} with password {password!r} "
            f"(also written to {runtime.admin_password_file})"
        )


def _stop_on_sigterm() -> None:
    """A service manager's SIGTERM stops as gracefully as Ctrl+C: leases are released and the
    work in hand is finished."""
    import signal

    def _raise(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _raise)


def _serve(runtime: Any, host: str, port: int, with_worker: bool) -> None:
    from waitress import create_server

    from monitor.demo import start_demo_server

    runtime.ready()
    app = runtime.web_app()
    try:
        server = create_server(app, host=host, port=port, threads=runtime.settings.web.threads)
    except OSError as exc:
        raise WebcareError(
            f"cannot listen on {host}:{port}: {exc.strerror}; choose another with --port"
        ) from None
    demo = start_demo_server(runtime.settings) if with_worker else None
    worker = runtime.worker() if with_worker else None
    url = f"http://{host}:{server.effective_port}/"
    if worker:
        worker.start()
    click.echo(f"Webcare Triage is running at {url}")
    click.echo(f"  {runtime.login_hint()}")
    if demo:
        click.echo(
            f"  demo feeds at {demo.base_url}/ (a new demo mention every "
            f"{runtime.settings.demo.new_item_every:g}s)"
        )
    click.echo("  press Ctrl+C to stop")
    _stop_on_sigterm()
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        server.close()
        if worker:
            worker.stop()
        if demo:
            demo.stop()


@main.command()
@click.option("--host", default=None, help="Address to listen on (default from [web] host).")
@click.option("--port", type=int, default=None, help="Port to listen on (default from [web] port).")
@pass_context
@friendly_errors
def run(ctx: Context, host: str | None, port: int | None) -> None:
    """Run the scheduler, the collectors and the web UI in one process."""
    web = ctx.settings.web
    _serve(ctx.runtime(), host or web.host, web.port if port is None else port, with_worker=True)


@main.command()
@click.option("--host", default=None, help="Address to listen on (default from [web] host).")
@click.option("--port", type=int, default=None, help="Port to listen on (default from [web] port).")
@pass_context
@friendly_errors
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Run only the web UI and API (collect with `webcare worker` elsewhere)."""
    web = ctx.settings.web
    _serve(ctx.runtime(), host or web.host, web.port if port is None else port, with_worker=False)


@main.command()
@pass_context
@friendly_errors
def worker(ctx: Context) -> None:
    """Run only the scheduler and the collectors.

    Several workers may share one PostgreSQL database: each source is leased to one worker
    at a time, so no source is fetched twice at once.
    """
    import threading

    from monitor.demo import start_demo_server

    runtime = ctx.runtime()
    runtime.ready()
    demo = start_demo_server(ctx.settings)
    running = runtime.worker()
    running.start()
    click.echo(f"worker {running.collector.owner} collecting; press Ctrl+C to stop")
    _stop_on_sigterm()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        click.echo("stopping")
    finally:
        running.stop()
        if demo:
            demo.stop()


@main.command()
@click.option("--once", is_flag=True, required=True, help="Check each source once, then exit.")
@click.option(
    "--source", "sources", multiple=True, metavar="NAME", help="Only this source (repeatable)."
)
@pass_context
@friendly_errors
def collect(ctx: Context, once: bool, sources: tuple[str, ...]) -> None:
    """Fetch every source (or the named ones) once, process what arrived, and print one line
    per source. Exits 0 even when sources fail: their failure is recorded on the source."""
    from monitor.demo import start_demo_server
    from monitor.store.sources import page_sources

    runtime = ctx.runtime()
    runtime.ready()
    if sources:
        with runtime.db.read() as session:
            everything = ctx.settings.with_page_sources(page_sources(session)).sources
        unknown = [name for name in sources if name not in {s.name for s in everything}]
        if unknown:
            known = ", ".join(s.name for s in everything) or "none"
            raise WebcareError(f"unknown source {unknown[0]!r}; configured sources: {known}")
    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("monitor.scheduler").setLevel(logging.ERROR)  # the summary says it
    demo = start_demo_server(ctx.settings)
    collector = runtime.collector()
    try:
        outcomes = collector.collect_once(list(sources) or None)
    finally:
        collector.close()
        if demo:
            demo.stop()
    for outcome in sorted(outcomes, key=lambda o: o.name):
        click.echo(outcome.summary())
    said = runtime.send_alerts(collector.owner)
    if said:
        click.echo(said)
    if not outcomes:
        click.echo("no sources to collect (none active, or all being fetched by another worker)")


def _read_texts(texts: Iterable[str]) -> list[str]:
    return [t.strip() for t in texts if t.strip()]


@main.command()
@click.argument("texts", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
@friendly_errors
def classify(ctx: Context, texts: tuple[str, ...], as_json: bool) -> None:
    """Classify TEXT arguments, or one text per line from standard input."""
    from monitor.classify import ModelProvider
    from monitor.language import LanguageDetector
    from monitor.store import migrate

    items = _read_texts(texts) if texts else _read_texts(sys.stdin)
    runtime = ctx.runtime()
    runtime.db.check_connection()
    migrate.require_current(runtime.db)
    model = ModelProvider(runtime.db).get()
    detector = LanguageDetector(ctx.settings.classifier.languages)
    for text, prediction in zip(items, model.predict(items), strict=True):
        language = detector.detect(text)
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "text": text,
                        "category": prediction.category,
                        "confidence": prediction.confidence,
                        "language": language,
                        "scores": prediction.scores,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            click.echo(
                f"{prediction.category}\t{prediction.confidence:.2f}\t{language or '-'}\t{text}"
            )


@main.command()
@click.option(
    "--data",
    "data",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="CSV file with columns text,label.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@pass_context
@friendly_errors
def evaluate(ctx: Context, data: str, as_json: bool) -> None:
    """Measure the live model on a labelled CSV: per-class precision, recall and F1, macro-F1
    and the confusion matrix, overall and per language (a `language` column, else detected)."""
    from classifiers.corpus import read_examples
    from classifiers.evaluate import evaluate as score
    from classifiers.evaluate import format_report
    from monitor.classify import ModelProvider
    from monitor.language import LanguageDetector
    from monitor.store import migrate

    try:
        examples = read_examples(Path(data))
    except ValueError as exc:
        raise WebcareError(str(exc)) from None
    if not examples:
        raise WebcareError(f"{data}: no rows to evaluate")
    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    model = ModelProvider(runtime.db).get()
    predicted = [p.category for p in model.predict([e.text for e in examples])]
    report = score([e.label for e in examples], predicted)
    report["model_version"] = model.version
    detector = LanguageDetector(ctx.settings.classifier.languages)
    languages = [e.language or detector.detect(e.text) or "?" for e in examples]
    report["by_language"] = {
        language: score(
            [e.label for e, g in zip(examples, languages, strict=True) if g == language],
            [p for p, g in zip(predicted, languages, strict=True) if g == language],
        )
        for language in sorted(set(languages))
    }
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"model {model.version}\n{format_report(report)}")
    for language, part in report["by_language"].items():
        click.echo(f"\nlanguage {language}: {part['n']} texts\n{format_report(part)}")


@main.command()
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra CSV training data with columns text,label (repeatable).",
)
@click.option("--force", is_flag=True, help="Make the new model live even if it scores lower.")
@pass_context
@friendly_errors
def train(ctx: Context, data: tuple[str, ...], force: bool) -> None:
    """Train a new model version on the bundled corpus, people's labels and the given files.

    The candidate is compared with the live model on the most recent human-labelled mentions
    (kept out of its training), per category and language, and goes live only if it is not
    worse (or with --force). Every version is kept and can be made live again on the admin page.
    """
    from classifiers.corpus import read_examples
    from monitor.store import migrate
    from monitor.training import train_and_decide

    extra = []
    for path in data:
        try:
            extra.extend(read_examples(Path(path)))
        except ValueError as exc:
            raise WebcareError(str(exc)) from None
    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    outcome = train_and_decide(runtime.db, extra=extra, force=force, actor="webcare train")
    click.echo(outcome.summary())
    compared = outcome.metrics.get("human_held_out")
    if compared:
        for language, report in compared["candidate"]["by_language"].items():
            live = compared["live"]["by_language"].get(language, {}).get("macro_f1", 0.0)
            click.echo(
                f"  {language}: macro-F1 {report['macro_f1']:.3f} (live {live:.3f}), "
                f"{report['n']} mentions"
            )
        for category, row in compared["candidate"]["per_class"].items():
            live_row = compared["live"]["per_class"].get(category, {})
            click.echo(f"  {category}: F1 {row['f1']:.3f} (live {live_row.get('f1', 0.0):.3f})")


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option(
    "--since", default=None, help="Only mentions collected at or after this ISO-8601 time."
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="Write to this file instead of standard output.",
)
@pass_context
@friendly_errors
def export(ctx: Context, fmt: str, since: str | None, output: Any) -> None:
    """Export mentions, one record per mention, oldest first."""
    from monitor.store import migrate
    from monitor.store.mentions import EXPORT_FIELDS, QueueFilter, iter_export

    moment = None
    if since:
        try:
            moment = datetime.fromisoformat(since)
        except ValueError:
            raise WebcareError(f"--since: expected an ISO-8601 time, got {since!r}") from None
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a time without zone means local time
    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    writer = csv.DictWriter(output, fieldnames=EXPORT_FIELDS) if fmt == "csv" else None
    if writer:
        writer.writeheader()
    with runtime.db.read() as session:
        selection = QueueFilter(status="all", since=moment, sort="oldest") if moment else None
        for record in iter_export(session, selection):
            if writer:
                writer.writerow(record)
            else:
                output.write(json.dumps(record, ensure_ascii=False) + "\n")


@main.group()
def query() -> None:
    """Work with brand queries."""


@query.command("test")
@click.argument("query_text", metavar="QUERY")
@click.option("--brand", default=None, help="Also count this brand's stored mentions it misses.")
@click.option("--show", type=int, default=10, show_default=True, help="Example hits to print.")
@click.option(
    "--judge",
    is_flag=True,
    help="Mark a sample of hits right or wrong, then print the estimated precision.",
)
@click.option(
    "--sample", type=int, default=20, show_default=True, help="How many hits to judge with --judge."
)
@pass_context
@friendly_errors
def query_test(
    ctx: Context, query_text: str, brand: str | None, show: int, judge: bool, sample: int
) -> None:
    """Run a draft QUERY over stored mentions and recent unmatched items, before it goes live.

    Prints hits per source, the terms that hit, examples, and with --judge a precision estimate.
    """
    import random

    from monitor.query_tester import precision, run_test, term_counts
    from monitor.store import migrate

    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    if brand is not None and brand not in {b.name for b in ctx.settings.brands}:
        raise WebcareError(f"unknown brand {brand!r}")
    with runtime.db.read() as session:
        result = run_test(session, query_text, brand=brand)
    click.echo(
        f"searched {result.mentions_searched} stored mentions and "
        f"{result.unmatched_searched} recent unmatched items: {len(result.hits)} hits, "
        f"{result.new_hits} of them not collected today"
    )
    if brand is not None:
        click.echo(
            f"{result.brand_mentions_missed} stored mentions of {brand} would no longer match"
        )
    click.echo(f"{'source':<24} {'stored hits':>12} {'new hits':>9}")
    for name, counts in sorted(result.per_source.items()):
        click.echo(
            f"{name:<24} {counts.mention_hits:>5} / {counts.mentions:<6}"
            f"{counts.unmatched_hits:>5} / {counts.unmatched}"
        )
    terms = ", ".join(f"{term} ({n})" for term, n in term_counts(result).most_common(10))
    if terms:
        click.echo(f"terms that hit: {terms}")
    for hit in result.hits[:show]:
        text = " ".join(f"{hit.title} {hit.text}".split())[:140]
        click.echo(f"  [{hit.kind}] {hit.source}: {text}")
    if judge and result.hits:
        chosen = random.Random(0).sample(result.hits, min(sample, len(result.hits)))
        right = wrong = 0
        for hit in chosen:
            click.echo("\n" + " ".join(f"{hit.title} {hit.text}".split())[:400])
            answer = click.prompt(
                "about the brand? [y]es / [n]o / [s]kip",
                type=click.Choice(["y", "n", "s"]),
                show_choices=False,
            )
            right, wrong = right + (answer == "y"), wrong + (answer == "n")
        click.echo(precision(right, wrong).describe())


@main.group()
def user() -> None:
    """Manage user accounts."""


@user.command("add")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the user may do.")
@click.option(
    "--team",
    "teams",
    multiple=True,
    type=click.Choice(TEAMS),
    help="A team whose queue the user works (repeatable).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--email", default=None, help="Where alerts for this person are mailed.")
@pass_context
@friendly_errors
def user_add(
    ctx: Context,
    name: str,
    role: str,
    teams: tuple[str, ...],
    password_stdin: bool,
    email: str | None,
) -> None:
    """Create a user with a role and teams; asks for the password unless --password-stdin."""
    from monitor.store import migrate
    from monitor.store.users import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        raise WebcareError("no terminal to ask for a password: use --password-stdin")
    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    with runtime.db.write() as session:
        add_user(session, name, role=role, teams=teams, password=password, email=email)
    click.echo(f"user {name!r} added as {role}" + (f" in {', '.join(teams)}" if teams else ""))


@main.group()
def token() -> None:
    """Manage API tokens."""


@token.command("create")
@click.argument("name")
@pass_context
@friendly_errors
def token_create(ctx: Context, name: str) -> None:
    """Print a new bearer token for user NAME (shown once; only its hash is stored)."""
    from monitor.store import migrate
    from monitor.store.users import create_token, get_user

    runtime = ctx.runtime()
    migrate.require_current(runtime.db)
    with runtime.db.write() as session:
        account = get_user(session, name)
        if account is None:
            raise WebcareError(f"no user called {name!r}: create one with `webcare user add`")
        click.echo(create_token(session, account))


if __name__ == "__main__":  # pragma: no cover
    main()
