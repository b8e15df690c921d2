"""Flask: ``NICEPAY_SIMULATOR=http://127.0.0.1:8800 flask --app flask_app run --port 8000``."""

from typing import Any, Dict

from flask import Flask

import nicepay_snap as snap
from merchant import checkout_answer, checkout_request, client, fulfil
from nicepay_snap.integrations.flask import notification_blueprint

nicepay = client()
app = Flask(__name__)
app.register_blueprint(notification_blueprint(snap.NotificationHandler(nicepay), fulfil))


@app.post("/checkout")
def checkout() -> Dict[str, Any]:
    return checkout_answer(dict(nicepay.qris_generate(checkout_request(nicepay.client_id))))
