from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from quizzes import views
from quizzes.ratelimit import rate_limited

# A reset request sends an email: throttled per address, so the form cannot be used to flood
# someone's inbox. The other account pages come from django.contrib.auth.urls.
password_reset = rate_limited("password_reset", per="address")(
    auth_views.PasswordResetView.as_view()
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("quizzes.urls")),
]
