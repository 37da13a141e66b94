from django.urls import path

from . import views

app_name = "certification"
urlpatterns = [
    path("my/certificates/", views.my_certificates, name="mine"),
    path("certificates/<token:number>.pdf", views.certificate_download, name="download"),
    path("certificates/<token:number>.json", views.badge_download, name="badge"),
]
