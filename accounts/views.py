"""Sign-up (the other account pages are django.contrib.auth's)."""

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.forms import SignUpForm
from accounts.ratelimit import rate_limited


@require_http_methods(["GET", "POST"])
@rate_limited("signup", per="address")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.user_sign_up(form=form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.get_username()}!")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})
