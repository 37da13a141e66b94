"""The enrolment rules, each through the service every view and task calls, with a controlled clock."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import history
from courses import enrolments, schedule, seating, selectors, waitlists
from courses.models import Enrolment
from tests.factories import UserFactory, is_invitation, mails_to_read, make_date

pytestmark = pytest.mark.django_db
Status = Enrolment.Status
SELF = seating.Billing()
NOW = timezone.now().replace(microsecond=0)


@pytest.fixture
def small_date(course):
    return make_date(course, capacity=2, now=NOW)


def hold(course_date, user=None, now=NOW):
    return enrolments.enrolment_hold(course_date=course_date, user=user or UserFactory(), billing=SELF, now=now)


def fill(course_date, now=NOW):
    return [hold(course_date, now=now) for _ in range(course_date.capacity)]


def test_a_hold_takes_a_seat_for_thirty_minutes_and_is_recorded(small_date):
    coach = UserFactory()
    enrolment = hold(small_date, coach)

    assert enrolment.status == Status.HELD and enrolment.seat == 1
    assert enrolment.hold_expires_at == NOW + timedelta(minutes=30)
    assert enrolment.terms_accepted_at == NOW
    [entry] = history(enrolment)
    assert (entry.action, entry.data.get("from_status", ""), entry.data["to_status"], entry.user, entry.timestamp) == (
        "enrolment.held", "", "held", coach, NOW)


def test_a_hold_is_stretched_to_its_payment_page_and_never_shortened(small_date):
    enrolment = hold(small_date)
    page_closes = NOW + timedelta(minutes=31)

    out_of_date = Enrolment.objects.get(pk=enrolment.pk)
    enrolments.hold_extend(enrolment=enrolment, until=page_closes, now=NOW)
    enrolments.hold_extend(enrolment=enrolment, until=NOW + timedelta(minutes=5), now=NOW)  # an older page's time
    enrolments.hold_extend(enrolment=out_of_date, until=NOW + timedelta(minutes=30, seconds=30), now=NOW)

    enrolment.refresh_from_db()
    assert enrolment.status == Status.HELD and enrolment.hold_expires_at == page_closes
    assert [entry.action for entry in history(enrolment)] == ["enrolment.held", "enrolment.hold_extended"]


@pytest.mark.parametrize("ended", ["cancelled", "ran out"])
def test_a_hold_that_ended_before_its_payment_page_opened_is_not_stretched(small_date, ended):
    enrolment = hold(small_date)
    if ended == "cancelled":
        enrolments.hold_release(enrolment=enrolment, note="page expired unpaid", now=NOW)
        now = NOW
    else:
        now = enrolment.hold_expires_at

    with pytest.raises(seating.EnrolmentError, match="niet meer vastgehouden|no longer held"):
        enrolments.hold_extend(enrolment=enrolment, until=now + timedelta(minutes=31), now=now)

    assert Enrolment.objects.get(pk=enrolment.pk).hold_expires_at in (None, NOW + timedelta(minutes=30))
    assert "enrolment.hold_extended" not in [entry.action for entry in history(enrolment)]


def test_holding_again_returns_the_same_hold(small_date):
    coach = UserFactory()
    assert hold(small_date, coach) == hold(small_date, coach)
    assert small_date.enrolments.count() == 1


def test_a_full_date_refuses_with_a_clear_message_and_takes_waitlist_entries(small_date):
    fill(small_date)
    with pytest.raises(seating.DateFull, match="vol|full"):
        hold(small_date)

    first = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    second = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    assert (first.waitlist_position, second.waitlist_position) == (1, 2)
    assert selectors.waitlist_position(enrolment=second) == 2


def test_on_a_full_date_people_with_a_place_hear_about_their_place_not_that_it_is_full(small_date):
    holder, *_ = fill(small_date)
    waiting = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)

    assert hold(small_date, holder.user) == holder
    with pytest.raises(seating.EnrolmentError, match="wachtlijst|waitlist") as refused:
        hold(small_date, waiting.user)
    assert not isinstance(refused.value, seating.DateFull)
    assert small_date.enrolments.count() == 3


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("expires_in", [None, timedelta(minutes=-1), timedelta(0), timedelta(minutes=1)])
def test_the_quick_full_check_counts_seats_as_the_database_query_does(small_date, status, expires_in):
    if status in Enrolment.TIMED and expires_in is None:
        pytest.skip("holds and offers always have an expiry (a database constraint)")
    enrolment = Enrolment.objects.create(
        course_date=small_date, user=UserFactory(), status=status, seat=1 if status in Enrolment.SEATED else None,
        waitlist_position=1 if status == Status.WAITLISTED else None,
        hold_expires_at=NOW + expires_in if expires_in is not None else None,
    )
    in_python = seating.takes_seat(enrolment.status, enrolment.hold_expires_at, NOW)
    assert in_python == (selectors.seats_taken(course_date=small_date, now=NOW) == 1)


def test_nobody_joins_a_waitlist_while_seats_are_free(small_date):
    with pytest.raises(seating.EnrolmentError):
        waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)


def test_an_expired_hold_stops_counting_at_its_expiry_even_before_the_worker_runs(small_date):
    fill(small_date)
    assert selectors.seats_taken(course_date=small_date, now=NOW + timedelta(minutes=29)) == 2
    assert selectors.seats_taken(course_date=small_date, now=NOW + timedelta(minutes=30)) == 0
    later = hold(small_date, now=NOW + timedelta(minutes=31))
    assert later.status == Status.HELD


def test_a_freed_seat_is_offered_to_the_first_in_line_in_their_language(
    small_date, django_capture_on_commit_callbacks
):
    held = fill(small_date)
    english = UserFactory(language="en")
    first = waitlists.waitlist_join(course_date=small_date, user=english, now=NOW)
    second = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrolments.enrolment_cancel(enrolment=held[0], actor=held[0].user, now=NOW + timedelta(minutes=5))

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.OFFERED and first.seat == held[0].seat
    assert first.hold_expires_at == NOW + timedelta(minutes=5, hours=48)
    assert second.status == Status.WAITLISTED
    [offer_mail] = mail.outbox
    assert offer_mail.to == [english.email] and "A seat is free for you" in offer_mail.subject
    assert f"/en/enrolments/{first.pk}/offer/" in offer_mail.body


def test_a_declined_or_unanswered_offer_passes_to_the_next_person(small_date):
    fill(small_date)
    first, second, third = (waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
                            for _ in range(3))
    waitlists.waitlists_process(now=NOW + timedelta(minutes=31))  # both holds ran out: two offers, in order
    for enrolment in (first, second, third):
        enrolment.refresh_from_db()
    assert [first.status, second.status, third.status] == [Status.OFFERED, Status.OFFERED, Status.WAITLISTED]

    declined_seat, second_deadline = first.seat, second.hold_expires_at
    waitlists.offer_decline(enrolment=first, now=NOW + timedelta(hours=1))
    third.refresh_from_db()
    assert third.status == Status.OFFERED and third.seat == declined_seat

    waitlists.waitlists_process(now=second_deadline)  # second never answered
    second.refresh_from_db()
    assert second.status == Status.EXPIRED
    assert selectors.seats_taken(course_date=small_date, now=second_deadline) == 1


def test_accepting_an_offer_then_paying_confirms_the_place(small_date):
    fill(small_date)
    waiting = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    waitlists.waitlists_process(now=NOW + timedelta(minutes=31))
    waiting.refresh_from_db()

    accepted = waitlists.offer_accept(enrolment=waiting, billing=seating.Billing(
        billing_type="employer", company_name="Werkgever BV", billing_street="Straat 1", billing_postcode="3511 AA",
        billing_city="Utrecht",
        company_contact="HR"), now=NOW + timedelta(hours=1))
    confirmed = enrolments.enrolment_confirm(enrolment=accepted, now=NOW + timedelta(hours=2))

    assert confirmed.status == Status.CONFIRMED and confirmed.company_name == "Werkgever BV"
    assert enrolments.enrolment_confirm(enrolment=confirmed, now=NOW + timedelta(hours=3)) == confirmed  # idempotent


def test_an_offer_cannot_be_accepted_after_its_deadline(small_date):
    fill(small_date)
    waiting = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    waitlists.waitlists_process(now=NOW + timedelta(minutes=31))
    waiting.refresh_from_db()
    with pytest.raises(seating.EnrolmentError):
        waitlists.offer_accept(enrolment=waiting, billing=SELF, now=waiting.hold_expires_at)


def test_offers_are_shorter_near_the_date_and_never_after_enrolment_closes(course):
    close = make_date(course, capacity=1, starts_in=timedelta(hours=20), now=NOW)
    assert seating.offer_deadline(close, NOW) == close.starts_at
    deadline = make_date(course, capacity=1, now=NOW, enrolment_deadline=NOW + timedelta(hours=10))
    assert seating.offer_deadline(deadline, NOW) == NOW + timedelta(hours=10)
    assert seating.offer_deadline(deadline, NOW + timedelta(hours=9, minutes=30)) is None


def test_payment_after_the_hold_ran_out_takes_a_free_seat_or_reports_the_seat_gone(small_date):
    early, late = fill(small_date)
    after = NOW + timedelta(minutes=45)
    assert enrolments.enrolment_confirm(enrolment=early, now=after).status == Status.CONFIRMED

    waitlists.waitlists_process(now=after)  # late's hold is released
    hold(small_date, now=after)  # and someone else takes the seat
    with pytest.raises(seating.SeatGone):
        enrolments.enrolment_confirm(enrolment=late, now=after)


def test_capacity_cannot_drop_below_seats_taken_and_a_raise_is_offered(small_date):
    fill(small_date)
    waiting = waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
    with pytest.raises(seating.EnrolmentError, match="2"):
        schedule.course_date_set_capacity(course_date=small_date, capacity=1, now=NOW)

    schedule.course_date_set_capacity(course_date=small_date, capacity=3, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED and waiting.seat == 3


@pytest.mark.parametrize("situation", ["past", "cancelled", "deadline", "completed"])
def test_closed_dates_refuse_enrolment(course, situation):
    fields = {"past": {"starts_in": timedelta(hours=-2)}, "cancelled": {"status": "cancelled"},
              "deadline": {"enrolment_deadline": NOW - timedelta(minutes=1)}, "completed": {"status": "completed"}}
    course_date = make_date(course, now=NOW, **fields[situation])
    with pytest.raises(seating.EnrolmentError):
        hold(course_date)
    assert not course_date.enrolments.exists()


def test_one_active_place_per_person_per_date(small_date):
    coach = UserFactory()
    enrolments.enrolment_confirm(enrolment=hold(small_date, coach), now=NOW)
    with pytest.raises(seating.EnrolmentError):
        hold(small_date, coach)
    assert hold(small_date).status == Status.HELD  # the date still has room for someone else
    with pytest.raises(seating.EnrolmentError):
        waitlists.waitlist_join(course_date=small_date, user=coach, now=NOW)


def test_the_database_refuses_a_second_person_on_a_seat_or_an_eleventh_seat(small_date):
    first = hold(small_date)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(course_date=small_date, user=UserFactory(), status=Status.CONFIRMED, seat=first.seat)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(course_date=small_date, user=UserFactory(), status=Status.CONFIRMED, seat=11)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(course_date=small_date, user=first.user, status=Status.WAITLISTED,
                                 waitlist_position=1)


@pytest.mark.parametrize(
    ("before_start", "refund"),
    [(timedelta(days=30), "495.00"), (timedelta(days=14), "495.00"), (timedelta(days=13, hours=23), "247.50"),
     (timedelta(hours=1), "247.50"), (timedelta(0), "0.00"), (-timedelta(hours=1), "0.00")],
)
def test_cancellation_refunds_what_the_policy_gives(course, before_start, refund):
    from decimal import Decimal

    course_date = make_date(course, starts_in=timedelta(days=40), now=NOW)
    place = enrolments.enrolment_confirm(enrolment=hold(course_date), now=NOW)
    assert place.price_incl_vat == Decimal("495.00")

    # From the start only the office can cancel a place (test_past_places); the policy then gives nothing back.
    cancellation = enrolments.enrolment_cancel(enrolment=place, actor=place.user,
                                             now=course_date.starts_at - before_start,
                                             by_office=before_start <= timedelta(0))

    assert cancellation.refund == Decimal(refund)
    assert cancellation.enrolment.status == Status.CANCELLED


def test_an_unpaid_hold_or_waitlist_entry_has_nothing_to_refund(small_date):
    held = hold(small_date)
    assert enrolments.enrolment_cancel(enrolment=held, actor=None, now=NOW).refund == 0


def test_the_price_of_a_place_does_not_follow_later_price_changes(small_date):
    from decimal import Decimal

    place = hold(small_date)
    course = small_date.course
    course.price_excl_vat = Decimal("999.00")
    course.save()
    place.refresh_from_db()
    assert place.price_incl_vat == Decimal("495.00")


def test_a_confirmed_place_moves_to_another_date_and_its_seat_goes_to_the_waitlist(course):
    first = make_date(course, capacity=1, now=NOW)
    second = make_date(course, capacity=2, starts_in=timedelta(days=60), now=NOW)
    place = enrolments.enrolment_confirm(enrolment=hold(first), now=NOW)
    waiting = waitlists.waitlist_join(course_date=first, user=UserFactory(), now=NOW)

    moved = enrolments.enrolment_transfer(enrolment=place, to_date=second, actor=place.user, now=NOW)

    place.refresh_from_db()
    waiting.refresh_from_db()
    assert moved.course_date == second and moved.status == Status.CONFIRMED
    assert moved.price_incl_vat == place.price_incl_vat and place.transferred_to == moved
    assert place.status == Status.CANCELLED and waiting.status == Status.OFFERED
    with pytest.raises(seating.EnrolmentError):
        enrolments.enrolment_transfer(enrolment=place, to_date=second, actor=None, now=NOW)


def test_a_transfer_needs_a_free_seat_on_a_date_of_the_same_course(course, site):
    from tests.factories import make_course

    first = make_date(course, now=NOW)
    full = make_date(course, capacity=1, now=NOW)
    hold(full)
    other_course = make_date(make_course(site.catalogue, slug="ander"), now=NOW)
    place = enrolments.enrolment_confirm(enrolment=hold(first), now=NOW)
    with pytest.raises(seating.DateFull):
        enrolments.enrolment_transfer(enrolment=place, to_date=full, actor=None, now=NOW)
    with pytest.raises(seating.EnrolmentError):
        enrolments.enrolment_transfer(enrolment=place, to_date=other_course, actor=None, now=NOW)
    place.refresh_from_db()
    assert place.status == Status.CONFIRMED


def test_the_office_cancels_a_date_everyone_is_told_and_paid_places_may_move(
    course, django_capture_on_commit_callbacks
):
    cancelled = make_date(course, capacity=2, now=NOW)
    other = make_date(course, starts_in=timedelta(days=60), now=NOW)
    paid = enrolments.enrolment_confirm(enrolment=hold(cancelled), now=NOW)
    unpaid = hold(cancelled)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        cancellations = schedule.course_date_cancel(course_date=cancelled, actor=None, reason="trainer ziek", now=NOW)

    assert {(c.enrolment.pk, c.refund) for c in cancellations} == {(paid.pk, paid.price_incl_vat), (unpaid.pk, 0)}
    told = mails_to_read(mail.outbox)
    assert sorted(m.to[0] for m in told) == sorted([paid.user.email, unpaid.user.email])
    assert all("geannuleerd" in m.subject.lower() for m in told)
    assert all(m.to == [paid.user.email] and m.subject.startswith("Afgezegd: ") for m in mail.outbox
               if is_invitation(m))  # the paid place's day leaves the calendar
    with pytest.raises(seating.EnrolmentError):
        hold(cancelled)

    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert enrolments.enrolment_transfer(enrolment=paid, to_date=other, actor=None, now=NOW).status == Status.CONFIRMED
    with pytest.raises(seating.EnrolmentError):
        enrolments.enrolment_transfer(enrolment=unpaid, to_date=other, actor=None, now=NOW)


def test_the_office_reorders_the_waitlist_and_the_first_in_line_gets_the_next_seat(small_date):
    fill(small_date)
    first, second, third = (waitlists.waitlist_join(course_date=small_date, user=UserFactory(), now=NOW)
                            for _ in range(3))

    waitlists.waitlist_move(enrolment=third, to_position=1, actor=None, now=NOW)

    assert [e.pk for e in small_date.enrolments.filter(status=Status.WAITLISTED).order_by("waitlist_position")] == [
        third.pk, first.pk, second.pk]
    waitlists.waitlists_process(now=NOW + timedelta(minutes=31))
    third.refresh_from_db()
    assert third.status == Status.OFFERED
    assert history(third).filter(action="enrolment.waitlist_moved", data__note="moved to position 1").exists()
