from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from apps.core.observability import business
        from apps.core.prepared import keep_prepared_statements_across_rollbacks

        business.connect()
        connection_created.connect(keep_prepared_statements_across_rollbacks, dispatch_uid="core.prepared_rollbacks")
