"""Messages in and out by SMS, each member's channel settings, and USSD sessions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from samiti.registry.models import Member


class Contact(models.Model):
    """A member's settings on the basic-phone channels: language and whether they opted out (STOP)."""

    class Language(models.TextChoices):
        BENGALI = "bn", "বাংলা"
        ENGLISH = "en", "English"

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="contact")
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.BENGALI
    )
    # Set when the language was chosen by the member (USSD first screen, LANG command).
    language_chosen = models.BooleanField(default=False)
    opted_out_at = models.DateTimeField(_("opted out"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.member} ({self.language})"

    @property
    def opted_out(self) -> bool:
        return self.opted_out_at is not None


class Message(models.Model):
    """One SMS, inbound or outbound, with the gateway's id and its delivery status."""

    class Direction(models.TextChoices):
        IN = "in", pgettext_lazy("message", "received")
        OUT = "out", _("sent")

    class Status(models.TextChoices):
        # inbound
        RECEIVED = "received", pgettext_lazy("message", "received")
        HANDLED = "handled", _("answered")
        NEEDS_ACTION = "needs_action", _("waits for a leader")
        DONE = "done", _("dealt with")
        # outbound
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not sent (opted out)")

    class Kind(models.TextChoices):
        COMMAND = "command", _("command")
        REPLY = "reply", _("reply")
        NOTIFICATION = "notification", _("notification")
        RECEIPT = "receipt", _("savings receipt")
        BROADCAST = "broadcast", _("broadcast")
        USSD_FOLLOW_UP = "ussd", _("USSD answer by SMS")

    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    gateway = models.CharField(_("gateway"), max_length=30)
    # The gateway's own id of the message: inbound ones are recorded once per id.
    gateway_id = models.CharField(max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20)
    member = models.ForeignKey(
        Member,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
        verbose_name=_("member"),
    )
    association_id = models.BigIntegerField(null=True, blank=True)
    text = models.TextField(_("text"))
    kind = models.CharField(_("kind"), max_length=13, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    segments = models.PositiveSmallIntegerField(_("SMS segments"), default=1)
    encoding = models.CharField(max_length=5, default="GSM-7")
    reply_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replies"
    )
    broadcast = models.ForeignKey(
        "channels.Broadcast", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    error = models.CharField(_("error"), max_length=200, blank=True)
    # What a notification to many members is about ("meeting:12", "poll-opened:7"): each member is
    # told of a topic once, however often the writer runs.
    topic = models.CharField(max_length=40, blank=True)
    # Inbound only, as the gateway gave them: the number or short code the member wrote to, the
    # time the gateway received it, and Africa's Talking's premium-SMS link (a reply on a premium
    # short code must carry it, or the member is not charged and the reply is refused).
    short_code = models.CharField(max_length=20, blank=True)
    gateway_at = models.DateTimeField(null=True, blank=True)
    link_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    status_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["association_id", "created_at"], name="message_association"),
            models.Index(fields=["member", "created_at"], name="message_member"),
            models.Index(fields=["gateway", "gateway_id"], name="message_gateway_id"),
            models.Index(fields=["status", "association_id"], name="message_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["gateway", "gateway_id"],
                condition=models.Q(direction="in") & ~models.Q(gateway_id=""),
                name="inbound_once_per_gateway_id",
            ),
            models.UniqueConstraint(
                fields=["broadcast", "member"],
                condition=models.Q(broadcast__isnull=False),
                name="broadcast_once_per_member",
            ),
            models.UniqueConstraint(
                fields=["member", "topic"], condition=~models.Q(topic=""), name="told_once_per_topic"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.phone}: {self.text[:40]}"


class Broadcast(models.Model):
    """One message to a segment of members, each in their language, sent in the background."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENDING = "sending", _("sending")
        DONE = "done", _("sent")
        CANCELLED = "cancelled", _("cancelled")

    text_bn = models.TextField(_("text in Bengali"))
    text_en = models.TextField(_("text in English"))
    # The member filters it was made with, as the member list takes them (ids of areas and organisations).
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    association_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    segments = models.PositiveIntegerField(_("SMS segments"), default=0)
    cost = models.BigIntegerField(_("estimated cost (poisha)"), default=0)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text_en[:60] or self.text_bn[:60]


class UssdSession(models.Model):
    """One USSD session: who dialled, in which language, and the screens it has shown."""

    session_id = models.CharField(max_length=100, unique=True)
    gateway = models.CharField(max_length=30)
    service_code = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=20)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    association_id = models.BigIntegerField(null=True, blank=True)
    # Whether the session began on the choice of language: a replay of its inputs starts there too.
    asked_language = models.BooleanField(default=False)
    last_input = models.CharField(max_length=300, blank=True)
    screens = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=12, blank=True)  # as the end-of-session notification says
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.session_id} {self.phone}"
