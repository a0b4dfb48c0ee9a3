"""The access log is append-only in the database too (PostgreSQL): no DELETE, and an UPDATE
may only clear the user or file reference (when a user account or a file is removed)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION welfare_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'welfare_accesslog is append-only';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.union_id IS DISTINCT FROM OLD.union_id
       OR NEW.username IS DISTINCT FROM OLD.username OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.what IS DISTINCT FROM OLD.what OR NEW.ip IS DISTINCT FROM OLD.ip OR NEW.at IS DISTINCT FROM OLD.at
       OR (NEW.user_id IS DISTINCT FROM OLD.user_id AND NEW.user_id IS NOT NULL)
       OR (NEW.file_id IS DISTINCT FROM OLD.file_id AND NEW.file_id IS NOT NULL) THEN
        RAISE EXCEPTION 'welfare_accesslog is append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS welfare_accesslog_append_only ON welfare_accesslog;
CREATE TRIGGER welfare_accesslog_append_only BEFORE UPDATE OR DELETE ON welfare_accesslog
    FOR EACH ROW EXECUTE FUNCTION welfare_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS welfare_accesslog_append_only ON welfare_accesslog;
DROP FUNCTION IF EXISTS welfare_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("welfare", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
