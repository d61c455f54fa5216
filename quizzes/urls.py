from django.urls import path

from quizzes import views

urlpatterns = [
    path("", views.home, name="home"),
    path("how-answers-are-checked/", views.how_answers_are_checked, name="how_answers_are_checked"),
    path("practice/", views.practice_topics, name="practice_topics"),
    path("practice/question/<int:pk>/", views.practice_question, name="practice_question"),
    path("practice/answers/<int:pk>/", views.practice_feedback, name="practice_feedback"),
    path("practice/<slug:slug>/", views.practice_topic, name="practice_topic"),
    path("quizzes/", views.quiz_list, name="quiz_list"),
    path("quizzes/<slug:slug>/", views.quiz_detail, name="quiz_detail"),
    path("quizzes/<slug:slug>/start/", views.quiz_start, name="quiz_start"),
    path("attempts/", views.attempt_list, name="attempt_list"),
    path("attempts/<int:pk>/", views.attempt_take, name="attempt_take"),
    path("attempts/<int:pk>/answers/<int:entry_pk>/", views.attempt_answer, name="attempt_answer"),
    path("attempts/<int:pk>/submit/", views.attempt_submit, name="attempt_submit"),
    path("attempts/<int:pk>/result/", views.attempt_result, name="attempt_result"),
]
