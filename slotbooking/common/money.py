"""The contract's money shape: integer minor units with their currency, as every answer carries it."""


def money(amount: int, currency: str) -> dict:
    """Return the contract's money shape."""
    return {"amount": int(amount), "currency": currency}
