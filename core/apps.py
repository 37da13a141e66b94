from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    label = "core"
    verbose_name = "Core"

    def ready(self):
        from django.urls import register_converter

        from . import receivers
        from .converters import IdConverter, TokenConverter
        from .pdf import guard_reportlab
        from .spreadsheets import neutralise_wagtail_csv_exports

        register_converter(IdConverter, "id")
        register_converter(TokenConverter, "token")
        neutralise_wagtail_csv_exports()
        guard_reportlab()
        receivers.connect()
