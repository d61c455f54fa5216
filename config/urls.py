from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts import views as account_views
from accounts.forms import LoginForm
from accounts.ratelimit import rate_limited
from config.health import healthz

# A reset request sends an email: throttled per address, so the form cannot be used to flood
# someone's inbox. The other account pages come from django.contrib.auth.urls.
password_reset = rate_limited("password_reset", per="address")(
    auth_views.PasswordResetView.as_view()
)

# Topics and concept pages moved from the quizzes app to content: their old admin addresses
# (bookmarks, links in old emails) lead to the same page at its new address.
old_content_admin = re_path(
    r"^admin/quizzes/(?P<model>topic|conceptpage|codeblockoutput)/(?P<rest>.*)$",
    RedirectView.as_view(url="/admin/content/%(model)s/%(rest)s", query_string=True),
)

urlpatterns = [
    old_content_admin,
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/signup/", account_views.signup, name="signup"),
    path("accounts/password_reset/", password_reset, name="password_reset"),
    path(
        "accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("content.urls")),
    path("", include("courses.urls")),
    path("", include("analytics.urls")),
    path("", include("quizzes.urls")),
    path("", include("playground.urls")),
]
