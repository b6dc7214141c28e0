"""The platform's `flask` commands."""

import csv
import logging
import signal
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from contest import clock
from contest.auth import services as auth_services
from contest.demo import DEMO_PASSWORD, load_demo
from contest.domain.accounts_file import read_accounts_file
from contest.domain.cells import csv_row
from contest.extensions import db
from contest.models import Role
from contest.people import services as people_services
from contest.questions import services as question_services
from contest.questions.messages import (
    describe_finding,
    describe_location,
    describe_problem,
    lint_summary,
)
from contest.scheduler import build_scheduler, grade_overdue_rounds
from contest.scheduler import stop as stop_scheduler


def write_credentials(target: Path, accounts) -> None:
    """A CSV of the generated passwords, readable by its owner only (they are secrets)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.touch(mode=0o600)
    target.chmod(0o600)
    with target.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "full_name", "phone", "username", "password"])
        for account in accounts:
            # The name is typed text (csv_row quotes a formula); the password must stay exact.
            (name,) = csv_row([account.full_name])
            writer.writerow(
                [
                    account.line,
                    name,
                    account.phone,
                    account.username or "",
                    account.generated_password,
                ]
            )


def register(app: Flask) -> None:
    """Attach the commands to the app's CLI."""

    @app.cli.command("demo")
    @click.option("--port", default=5000, show_default=True, help="Port to serve on.")
    @click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
    @click.option("--no-serve", is_flag=True, help="Prepare the database, then stop.")
    def demo(port: int, host: str, no_serve: bool) -> None:
        """Migrate the database, load the demo contest and serve it."""
        app.config["DEMO"] = True
        upgrade()
        counts = load_demo(clock.utc_now(), clock.local_zone())
        db.session.commit()
        click.echo(
            f"Demo ready: {counts['units']} units, {counts['accounts']} new accounts, "
            f"{counts['questions']} new questions, {counts['videos']} new videos."
        )
        click.echo(
            f"Log in with password '{DEMO_PASSWORD}' as: organizer, judge1..judge3, "
            "user1..user200, or a unit admin such as unit-snv."
        )
        if no_serve:
            return
        scheduler = build_scheduler(app, blocking=False)
        scheduler.start()
        click.echo(f"Open http://{host}:{port}/")
        try:
            # app.run() refuses to serve from inside a flask command; run_simple does not.
            run_simple(host, port, app, threaded=True, use_reloader=False)
        finally:
            scheduler.shutdown(wait=False)

    @app.cli.command("scheduler")
    def scheduler() -> None:
        """Run the scheduler in this process (one per deployment; a second one only waits)."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
        runner = build_scheduler(app, blocking=True)
        # SIGTERM (systemd, docker stop) and Ctrl+C: finish the running jobs, release the
        # lease, so that the standby takes over at once rather than when the lease lapses.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop_scheduler(runner, app))
        click.echo("Scheduler running; Ctrl+C to stop.")
        runner.start()

    accounts = AppGroup("accounts", help="Participants, judges and admins.")
    app.cli.add_command(accounts)

    @accounts.command("import")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--credentials",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Where to write the generated passwords (CSV); default: instance/.",
    )
    @click.option("--dry-run", is_flag=True, help="Check the file against the database only.")
    def import_accounts(path: Path, credentials: Path | None, dry_run: bool) -> None:
        """Create the accounts of a CSV file, all or none; exit code 1 on any problem."""
        result = auth_services.import_accounts(read_accounts_file(path.read_bytes()))
        for problem in result.problems:
            click.echo(f"{path.name}, {auth_services.describe_problem(problem)}", err=True)
        if result.problems:
            db.session.rollback()
            raise SystemExit(1)
        if dry_run:
            db.session.rollback()
            click.echo(f"{len(result.created)} accounts can be imported.")
            return
        db.session.commit()
        click.echo(f"Imported {len(result.created)} accounts.")
        generated = [account for account in result.created if account.generated_password]
        if generated:
            target = credentials or Path(app.instance_path) / f"credentials-{path.stem}.csv"
            write_credentials(target, generated)
            click.echo(f"Generated passwords for {len(generated)} accounts: {target}")

    @accounts.command("create-organizer")
    @click.option("--username", required=True, help="The login (letters, digits, . _ -).")
    @click.option("--full-name", required=True, help="The organizer's full name.")
    @click.option("--phone", default="", help="Optional: a Vietnamese phone number, also a login.")
    @click.option("--email", default="", help="Optional.")
    @click.option("--password", default=None, help="Avoid: it stays in the shell history.")
    @click.option(
        "--generate-password",
        is_flag=True,
        help="Generate a one-time password, print it once; it must be changed at first login.",
    )
    def create_organizer(
        username: str,
        full_name: str,
        phone: str,
        email: str,
        password: str | None,
        generate_password: bool,
    ) -> None:
        """Create an organizer account (the first one on an empty database); 1 if refused."""
        if password is None and not generate_password:
            password = click.prompt(
                "Password", hide_input=True, confirmation_prompt="Repeat the password"
            )
        values = {
            "username": username,
            "full_name": full_name,
            "phone": phone,
            "email": email,
            "password": "" if generate_password else password,
        }
        try:
            user, generated = people_services.create_account(
                values, {Role.ORGANIZER}, None, None, clock.utc_now()
            )
        except people_services.AccountProblems as refused:
            db.session.rollback()
            for problem in refused.problems:
                click.echo(auth_services.describe_problem(problem), err=True)
            raise SystemExit(1) from None
        db.session.commit()
        click.echo(f"Organizer '{user.username}' created: {user.full_name}.")
        if generated:
            click.echo(f"One-time password (shown once, changed at the first login): {generated}")

    questions = AppGroup("questions", help="The question bank: check, import, export files.")
    app.cli.add_command(questions)
    question_file = click.argument(
        "path", type=click.Path(exists=True, dir_okay=False, path_type=Path)
    )
    topic_option = click.option("--topic", help="Topic of questions whose file names none.")

    def report_problems(report: question_services.ImportReport) -> None:
        for problem in report.problems:
            where = describe_location(problem.location)
            click.echo(f"{where}: {describe_problem(problem)}", err=True)
        topics = ", ".join(f"{topic} ({n})" for topic, n in sorted(report.topics.items()))
        click.echo(
            f"{report.valid} valid questions, {report.invalid_questions} with problems, "
            f"{len(report.skipped)} skipped." + (f" Topics: {topics}." if topics else "")
        )

    @questions.command("validate")
    @question_file
    @topic_option
    def validate_questions(path: Path, topic: str | None) -> None:
        """Check a question file against the rules and the bank; exit 0 only if it is clean."""
        with path.open("rb") as stream:
            report = question_services.validate_file(stream, path.name, topic)
        report_problems(report)
        raise SystemExit(0 if report.is_clean else 1)

    @questions.command("import")
    @question_file
    @topic_option
    @click.option("--valid-only", is_flag=True, help="Import the valid questions, skip the rest.")
    def import_questions(path: Path, topic: str | None, valid_only: bool) -> None:
        """Import a question file, all or nothing unless --valid-only; exit 0 only if clean."""
        try:
            with path.open("rb") as stream:
                report = question_services.import_file(
                    stream, path.name, clock.utc_now(), topic, valid_only
                )
        except question_services.ImportRefused as refused:
            report_problems(refused.report)
            click.echo("Nothing imported.", err=True)
            raise SystemExit(1) from None
        db.session.commit()
        report_problems(report)
        click.echo(f"Imported {report.imported} questions.")
        raise SystemExit(0 if report.is_clean else 1)

    @questions.command("export")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def export_questions(path: Path) -> None:
        """Write the bank's active questions to PATH (.xlsx, .gift or .toml)."""
        if path.suffix.lower() not in question_services.EXPORT_FORMATS:
            raise click.BadParameter(
                "the file name must end in .xlsx, .gift or .toml", param_hint="PATH"
            )
        with path.open("wb") as out:
            count = question_services.export_bank(out, path.name)
        click.echo(f"Exported {count} questions to {path}.")

    @questions.command("lint")
    @click.argument(
        "path",
        required=False,
        type=click.Path(exists=True, path_type=Path),
        default=question_services.BANK_DIR,
    )
    def lint_questions(path: Path) -> None:
        """Check a bank directory's *.toml (default: question_bank/) or a question file for
        keys that give themselves away, repeats and look-alike choices; exit 0 only if clean."""
        paths = sorted(path.glob("*.toml")) if path.is_dir() else [path]
        report, problems = question_services.lint_files(paths)
        for problem in problems:
            where = describe_location(problem.location)
            click.echo(f"{where}: {describe_problem(problem)}", err=True)
        for finding in report.findings:
            refs = " | ".join(finding.refs)
            click.echo(f"{refs + ': ' if refs else ''}{describe_finding(finding)}")
        click.echo(lint_summary(report))
        raise SystemExit(0 if report.is_clean and not problems else 1)

    @app.cli.command("grade-overdue")
    def grade_overdue() -> None:
        """Grade every round whose deadline and grace have passed, once."""
        click.echo(f"Graded {grade_overdue_rounds(app)} overdue rounds.")
