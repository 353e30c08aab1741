"""Extensions, created unbound here and bound to the app in the factory."""

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from slotbooking.api.links import LinksPlugin


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()


class RestApi(Api):
    """flask-smorest, documenting every error with the contract's shape rather than its own."""

    from slotbooking.api.schemas import ApiErrorSchema as ERROR_SCHEMA


rest_api = RestApi(spec_kwargs={"extra_plugins": [LinksPlugin()]})
# The rate limiter is made per app in slotbooking/ratelimits.py: a Limiter shared by several
# apps keeps the first app's default limits and header settings for all of them.
