from django.urls import path

from . import views

app_name = "registers"
urlpatterns = [
    path("my/pe-points/", views.pe_points, name="pe_points"),
    path("my/pe-points.<str:fmt>", views.pe_points_download, name="pe_points_download"),
]
