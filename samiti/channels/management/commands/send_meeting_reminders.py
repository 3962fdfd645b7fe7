"""Remind members of the meetings coming up: run once a day, e.g. by cron at 7 in the morning:

    0 7 * * *  cd /srv/samiti && DEBUG=0 .venv/bin/python manage.py send_meeting_reminders

With the default 48 hours, a meeting is announced 24 to 48 hours before it (or on the first run
after it was planned). Each member is told of a meeting once, however often this runs. A few
reminders are sent at once; a larger audience is queued for `manage.py db_worker`.
"""

from django.core.management.base import BaseCommand

from samiti.channels.reminders import remind_meetings


class Command(BaseCommand):
    help = (
        "Remind the members of every planned meeting starting within the next --hours (48), once per "
        "member and meeting. Run daily by cron; large audiences are sent by `manage.py db_worker`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=48, help="how far ahead to look (default 48)")

    def handle(self, *args, hours: int = 48, **options):
        done = remind_meetings(hours=hours)
        for meeting, queued in done:
            self.stdout.write(f"Meeting {meeting.pk} ({meeting}): {queued} reminder(s) queued")
        self.stdout.write(f"{len(done)} meeting(s) in the next {hours} hours.")
