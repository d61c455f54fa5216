from django.urls import path

from playground import views

app_name = "playground"

urlpatterns = [
    path("playground/", views.editor, name="editor"),
    path("playground/run/", views.run, name="run"),
    path("playground/p/<str:link>/", views.program, name="program"),
    path("playground/p/<str:link>/share/", views.program_share, name="program_share"),
    path("playground/p/<str:link>/delete/", views.program_delete, name="program_delete"),
]
