from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data and its `load_demo` command. It seeds every app, so it sits above them
    all and nothing imports it; it has no models."""

    name = "demo"
