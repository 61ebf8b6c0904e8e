from django.core.management.base import BaseCommand

from buergerbuero.live.protocol_doc import DOCUMENT, document_with_reference


class Command(BaseCommand):
    help = "Regenerate the message reference in docs/websocket-protocol.md from the models."

    def handle(self, *args, **options) -> None:
        DOCUMENT.write_text(document_with_reference(DOCUMENT.read_text()))
        self.stdout.write(f"wrote the message reference into {DOCUMENT}")
