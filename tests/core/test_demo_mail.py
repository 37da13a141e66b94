"""The demo prints each mail as a person reads it, attachments by name only."""

from django.core import mail

from core.demo_mail import ReadableConsoleBackend


def test_the_demo_prints_a_mail_as_a_person_reads_it(capsys):
    message = mail.EmailMultiAlternatives("Je inschrijving is bevestigd", "Beste Eva,\n\nTot dinsdag!",
                                          to=["eva@example.org"])
    message.attach_alternative("<p>Beste Eva</p>", "text/html")
    message.attach("uitnodiging.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR", "text/calendar")
    message.attach("factuur-2026-000001.pdf", b"%PDF-1.4 " + bytes(2000), "application/pdf")

    assert ReadableConsoleBackend().send_messages([message]) == 1

    printed = capsys.readouterr().out
    assert "Mail aan eva@example.org" in printed and "Onderwerp: Je inschrijving is bevestigd" in printed
    assert "Tot dinsdag!" in printed
    assert "Bijlagen: uitnodiging.ics, factuur-2026-000001.pdf" in printed
    assert "VCALENDAR" not in printed and "base64" not in printed and "<p>" not in printed
