from django.urls import path

from bench.minimal import views

urlpatterns = [path("", views.page)]
