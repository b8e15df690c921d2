"""Django in one file: ``NICEPAY_SIMULATOR=http://127.0.0.1:8800 python django_app.py runserver 8000``."""

import sys

from django.conf import settings

settings.configure(DEBUG=True, SECRET_KEY="example-only", ROOT_URLCONF=__name__, ALLOWED_HOSTS=["127.0.0.1", "localhost"])

from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

import nicepay_snap as snap  # noqa: E402
from merchant import checkout_answer, checkout_request, client, fulfil  # noqa: E402
from nicepay_snap.integrations.django import notification_urlpatterns  # noqa: E402

nicepay = client()


@csrf_exempt
def checkout(request: HttpRequest) -> JsonResponse:
    return JsonResponse(checkout_answer(dict(nicepay.qris_generate(checkout_request(nicepay.client_id)))))


urlpatterns = [
    path("checkout", checkout),
    *notification_urlpatterns(snap.NotificationHandler(nicepay), fulfil),
]

if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
