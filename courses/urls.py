from django.urls import path

from courses import views

urlpatterns = [
    path("courses/", views.my_courses, name="my_courses"),
    path("courses/join/", views.join_code_entry, name="course_join_entry"),
    path("courses/join/<str:code>/", views.join, name="course_join"),
    path("teach/", views.teach_list, name="teach_list"),
    path("teach/<slug:slug>/", views.course_detail, name="course_detail"),
    path("teach/<slug:slug>/join-code/", views.join_code_regenerate, name="course_join_code"),
    path(
        "teach/<slug:slug>/accommodations/",
        views.accommodation_save,
        name="course_accommodation",
    ),
    path(
        "teach/<slug:slug>/accommodations/<int:pk>/remove/",
        views.accommodation_remove,
        name="course_accommodation_remove",
    ),
    path("teach/<slug:slug>/roster/", views.roster_upload, name="course_roster"),
    path("teach/<slug:slug>/gradebook/", views.gradebook, name="course_gradebook"),
    path("teach/<slug:slug>/gradebook.csv", views.gradebook_csv, name="course_gradebook_csv"),
    path("teach/<slug:slug>/responses.csv", views.responses_csv, name="course_responses_csv"),
    path(
        "teach/<slug:slug>/students/<int:user_pk>/",
        views.student_attempts,
        name="course_student",
    ),
    path("teach/<slug:slug>/attempts/<int:pk>/", views.attempt_review, name="course_attempt"),
    path(
        "teach/<slug:slug>/responses/<int:pk>/override/",
        views.response_override,
        name="course_override",
    ),
    path("teach/<slug:slug>/regrade/", views.regrade, name="course_regrade"),
]
