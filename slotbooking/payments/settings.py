"""The setup document's ``payments`` section, read in and written back."""

from sqlalchemy.orm import object_session

from slotbooking.payments.models import PaymentSettings


def apply_payment_settings(session, retailer, section: dict) -> None:
    """Record who collects the retailer's delivery fees."""
    settings = session.get(PaymentSettings, retailer.id)
    if settings is None:
        settings = PaymentSettings(retailer_id=retailer.id)
        session.add(settings)
    settings.collect = section["collect"]


def export_payment_settings(retailer) -> dict:
    """Return the ``payments`` section of the retailer's setup document."""
    settings = object_session(retailer).get(PaymentSettings, retailer.id)
    return {"collect": settings.collect if settings else "retailer"}
