from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import reminders
from .forms import ProfileForm
from .middleware import has_two_factor
from .models import Membership
from .services import profile_update, progress_sharing_set


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            profile_update(
                user=request.user,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                organisation=form.cleaned_data["organisation"],
                register_numbers=form.register_numbers(),
                language=form.cleaned_data["language"],
                receives_reminders=form.cleaned_data["receives_reminders"],
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(request.user))
    memberships = Membership.objects.filter(user=request.user, role=Membership.Role.MEMBER).select_related(
        "organisation")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships,
                                                     "two_factor": has_two_factor(request.user)})


@login_required
@require_POST
def progress_sharing(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("organisation"), pk=pk, user=request.user)
    shares = request.POST.get("shares") == "yes"
    progress_sharing_set(membership=membership, shares=shares)
    messages.success(request, (_("%(organisation)s's contact persons now see your attendance, completion and "
                                 "certificates.") if shares else
                               _("%(organisation)s's contact persons no longer see your attendance, completion "
                                 "and certificates.")) % {"organisation": membership.organisation.name})
    return redirect("accounts:profile")


@csrf_exempt  # mail clients press the one-click button with a POST of their own (RFC 8058); the token is the key
def reminders_off(request, token: str):
    """Switches a person's reminders off from a mail: at once for a mail client's one-click POST, after a
    question for a person who followed the link (a link scanner follows links too)."""
    person = reminders.person_of(token)
    if request.method == "POST" and person is not None:
        reminders.reminders_switch(person, on=False)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("OK", content_type="text/plain")
        return render(request, "accounts/reminders_off.html", {"person": person, "done": True})
    return render(request, "accounts/reminders_off.html", {"person": person, "done": False},
                  status=200 if person else 404)
