from django.contrib import admin
from django.urls import include, path

from quizzes import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("quizzes.urls")),
]
