from django.core.management.base import BaseCommand, CommandError

from samiti.registry.models import User
from samiti.registry.services import issue_api_token


class Command(BaseCommand):
    help = "Issue an API token for a staff account and print it; only its hash is kept."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="What the token is for, e.g. the client's name")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not user.is_active:
            raise CommandError(f"The account {username!r} is inactive; its tokens would not work.")
        _token, key = issue_api_token(user=user, name=name)
        # The key alone on stdout, so scripts can capture it; the advice goes to stderr.
        self.stdout.write(key)
        self.stderr.write(
            "Keep this token secret: it is shown only once. Send it as 'Authorization: Bearer …'."
        )
