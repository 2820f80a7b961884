"""Sessions kept in the database exactly as Django's db backend keeps them, read with one plain
SELECT: building that query through the ORM cost a wizard step about a tenth of its work.
Settings name this module as SESSION_ENGINE."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

# Django's Session model's table and columns (pinned by tests/web/test_drafts.py).
SELECT = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        """The session's data (one query). A session that is missing or expired goes Django's
        own way, which forgets its key so that a new one is made."""
        connection = connections[router.db_for_read(self.model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(SELECT, [self.session_key, now])
            row = cursor.fetchone()
        return super().load() if row is None else self.decode(row[0])
