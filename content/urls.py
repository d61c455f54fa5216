from django.urls import path

from content import views

urlpatterns = [
    path("concepts/", views.concept_list, name="concept_list"),
    path("concepts/<slug:slug>/", views.concept_detail, name="concept_detail"),
]
