"""Go on with the broadcasts and notices still being sent, and the single messages left queued, after
a crash or a restart: only what is still queued is sent, and nobody twice (see
samiti/channels/broadcasts.py)."""

from django.core.management.base import BaseCommand

from samiti.channels.broadcasts import resume_broadcasts


class Command(BaseCommand):
    help = (
        "Send what is still queued of every broadcast and notice being sent (here, or with --enqueue by "
        "db_worker), and the single messages a process that died left queued."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="queue the sending for `manage.py db_worker` instead"
        )

    def handle(self, *args, enqueue: bool = False, **options):
        ids = resume_broadcasts(enqueue=enqueue)
        verb = "Queued" if enqueue else "Went on with"
        self.stdout.write(f"{verb} {len(ids)} broadcast(s): {', '.join(map(str, ids)) or '-'}")
