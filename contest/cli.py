"""The platform's `flask` commands."""

import click
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from contest import clock
from contest.demo import DEMO_PASSWORD, load_demo
from contest.extensions import db
from contest.scheduler import build_scheduler, grade_overdue_rounds


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
            f"{counts['questions']} new questions."
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
        """Run the scheduler in this process (run exactly one per deployment)."""
        click.echo("Scheduler running; Ctrl+C to stop.")
        build_scheduler(app, blocking=True).start()

    @app.cli.command("grade-overdue")
    def grade_overdue() -> None:
        """Grade every round whose deadline and grace have passed, once."""
        click.echo(f"Graded {grade_overdue_rounds(app)} overdue rounds.")
