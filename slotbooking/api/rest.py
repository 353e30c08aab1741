"""The REST API's flask-smorest object: the contract's error shape, and OpenAPI links."""

from flask_smorest import Api

from slotbooking.api.links import LinksPlugin
from slotbooking.api.schemas import ApiErrorSchema


class RestApi(Api):
    """flask-smorest, documenting every error with the contract's shape rather than its own."""

    ERROR_SCHEMA = ApiErrorSchema


def make_rest_api(app) -> RestApi:
    """Bind a new REST API to the app (one per app: flask-smorest keeps per-app state on it)."""
    return RestApi(app, spec_kwargs={"extra_plugins": [LinksPlugin()]})
