from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import ProfileForm
from .services import profile_update


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
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial=ProfileForm.initial_for(request.user))
    return render(request, "accounts/profile.html", {"form": form})
