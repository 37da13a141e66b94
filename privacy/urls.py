from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("my/data/export/", views.export_request, name="export_request"),
    path("my/data/exports/<id:pk>/", views.export_download, name="export"),
    path("my/account/delete/", views.account_erase, name="erase"),
]
