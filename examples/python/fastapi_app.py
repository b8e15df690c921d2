"""FastAPI: ``NICEPAY_SIMULATOR=http://127.0.0.1:8800 uvicorn fastapi_app:app --port 8000``."""

from typing import Any, Dict

from fastapi import FastAPI

import nicepay_snap as snap
from merchant import async_client, checkout_answer, checkout_request, fulfil
from nicepay_snap.integrations.fastapi import notification_router

client = async_client()
app = FastAPI()
app.include_router(notification_router(snap.NotificationHandler(client), fulfil))


@app.post("/checkout")
async def checkout() -> Dict[str, Any]:
    generated = await client.qris_generate(checkout_request(client.client_id))
    return checkout_answer(dict(generated))
