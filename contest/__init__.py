"""The contest platform: create_app builds the Flask application."""

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application from the environment, overridden by `config`."""
    from contest import input_guards, setup
    from contest.app_class import ContestFlask

    app = ContestFlask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    setup.configure(app, config or {})
    input_guards.install(app)
    setup.init_extensions(app)
    setup.register_blueprints(app)
    setup.register_errors(app)
    setup.register_security_headers(app)
    setup.register_template_helpers(app)
    setup.register_commands(app)
    return app
